// Package indicators serves the enclave's indicators (docs/indicators.md) to its admins: as
// JSON with the rows of every figure, and as the committee workbook. The figures are computed by
// hooks/lib/workbook from the rows held at the moment of the request.
package indicators

import (
	"net/http"
	"slices"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/workbook"
)

// Register adds the routes when the app serves.
func Register(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		bindIndicatorsApi(e)
		return e.Next()
	})
}

func bindIndicatorsApi(e *core.ServeEvent) {
	g := e.Router.Group("/api/indicators")
	g.Bind(apis.RequireAuth())
	g.BindFunc(requireAdmin)
	g.GET("", serveJSON)
	g.GET("/workbook", serveWorkbook)
}

// requireAdmin lets enclave admins and superusers through; others are told who may.
func requireAdmin(e *core.RequestEvent) error {
	if !e.HasSuperuserAuth() && e.Auth.GetString("role") != "admin" {
		return e.ForbiddenError("The indicators are for the enclave's administrators.", nil)
	}
	return e.Next()
}

// compute reads the request's period (from, to: YYYY-MM) and optional park and industry, and
// computes the indicators of the groups asked for.
func compute(e *core.RequestEvent) (workbook.Indicators, error) {
	q := e.Request.URL.Query()
	errs := validation.Errors{}
	for _, f := range []string{"from", "to"} {
		if q.Get(f) == "" {
			errs[f] = validation.NewError("indicators_month_required", "Give "+f+" as a month like 2026-08.")
		}
	}
	if len(errs) > 0 {
		return workbook.Indicators{}, e.BadRequestError("Invalid period.", errs)
	}
	p, err := workbook.ParsePeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		return workbook.Indicators{}, e.BadRequestError("Invalid period.", validation.Errors{
			"to": validation.NewError("indicators_bad_period", err.Error())})
	}
	ind, err := workbook.ComputeIndicators(e.App.DB(), p)
	if err != nil {
		return workbook.Indicators{}, err
	}
	park, industry := q.Get("park"), q.Get("industry")
	ind.Groups = slices.DeleteFunc(ind.Groups, func(g workbook.IndicatorGroup) bool {
		return park != "" && g.Park != park || industry != "" && g.Industry != industry
	})
	return ind, nil
}

func serveJSON(e *core.RequestEvent) error {
	ind, err := compute(e)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, ind)
}

func serveWorkbook(e *core.RequestEvent) error {
	ind, err := compute(e)
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="indicators_`+ind.From+`_`+ind.To+`.xlsx"`)
	_, err = workbook.CommitteeWorkbook(e.Request.Context(), ind, e.Response, workbook.Options{Format: workbook.XLSX})
	return err
}
