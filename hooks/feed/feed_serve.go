package feed

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/clip"
	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
)

// serveTable answers GET /api/feeds/{key}/{table}: the table of the key's cohort (or of the
// needs) for the period of ?from=YYYY-MM&to=YYYY-MM, as CSV with a UTF-8 BOM, streamed. An
// unknown or revoked key, or one whose maker may no longer see its cohort, answers 401.
func serveTable(e *core.RequestEvent) error {
	key, err := e.App.FindFirstRecordByData(keys, "key_hash", hash(e.Request.PathValue("key")))
	if err != nil {
		return e.UnauthorizedError("Unknown feed key.", nil)
	}
	u := use{e: e, key: key, table: e.Request.PathValue("table")}
	req, status, err := u.request()
	if err != nil {
		u.log(status, 0)
		return err
	}
	h := e.Response.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", u.table))
	h.Set("Cache-Control", "no-store") // a refresh is a new read, never a cached one
	e.Response.WriteHeader(http.StatusOK)
	res, err := workbook.Write(e.Request.Context(), e.App.ConcurrentDB(), req, e.Response, workbook.Options{Sheet: u.table})
	if err != nil {
		// The header is sent: the answer ends short, and the log says why.
		e.App.Logger().Error("feed: table cut short", "key", key.Id, "table", u.table, "error", err)
		u.log(http.StatusInternalServerError, res.Total)
		return nil
	}
	u.log(http.StatusOK, res.Total)
	return nil
}

// use is one request of a feed: what it asks for and its log.
type use struct {
	e     *core.RequestEvent
	key   *core.Record
	table string
}

// request checks the key and reads the export the request asks for; on refusal it returns the
// API error and its status.
func (u use) request() (workbook.Request, int, error) {
	e, key := u.e, u.key
	if !key.GetDateTime("revoked_at").IsZero() {
		return workbook.Request{}, http.StatusUnauthorized, e.UnauthorizedError("This feed key was revoked.", nil)
	}
	owner, err := e.App.FindRecordById("users", key.GetString("created_by"))
	var cohort *core.Record
	if id := key.GetString("cohort"); err == nil && id != "" {
		cohort, err = e.App.FindRecordById("cohorts", id)
	}
	if err != nil || !mayFeed(owner, cohort) {
		return workbook.Request{}, http.StatusUnauthorized,
			e.UnauthorizedError("This feed key no longer works: its maker may no longer see its cohort.", nil)
	}
	req := workbook.Request{Kind: kindOf(key), Cohort: key.GetString("cohort")}
	if files := workbook.Files(req.Kind); !slices.Contains(files, u.table) {
		return req, http.StatusNotFound, e.NotFoundError("This feed has no such table.", validation.Errors{
			"table": validation.NewError("validation_unknown_table", "Tables of this feed: "+strings.Join(files, ", ")+".")})
	}
	from, to := e.Request.URL.Query().Get("from"), e.Request.URL.Query().Get("to")
	if from == "" && to == "" && cohort != nil {
		from, to = month(cohort.GetDateTime("starts_on").Time()), month(cohort.GetDateTime("ends_on").Time())
	}
	errs := validation.Errors{}
	if from == "" {
		errs["from"] = validation.NewError("validation_required", "Give the first month, e.g. ?from=2026-01&to=2026-06.")
	}
	if to == "" {
		errs["to"] = validation.NewError("validation_required", "Give the last month, e.g. ?from=2026-01&to=2026-06.")
	}
	if len(errs) == 0 {
		if req.Period, err = workbook.ParsePeriod(from, to); err != nil {
			errs["to"] = validation.NewError("validation_export_period", err.Error())
		}
	}
	if len(errs) > 0 {
		return req, http.StatusBadRequest, e.BadRequestError("The feed's period is not right.", errs)
	}
	return req, http.StatusOK, nil
}

// month is the Shanghai month of a stored date, "" for none.
func month(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tz.Shanghai).Format("2006-01")
}

// log records the use in feed_uses and on the key. A failure to log is logged, and does not
// undo an answer already sent.
func (u use) log(status, rows int) {
	app := u.e.App
	err := app.RunInTransaction(func(tx core.App) error {
		col, err := tx.FindCachedCollectionByNameOrId(uses)
		if err != nil {
			return err
		}
		r := core.NewRecord(col)
		r.Set("key", u.key.Id)
		r.Set("table", u.table)
		r.Set("status", status)
		r.Set("rows", rows)
		r.Set("ip", u.e.RealIP())
		r.Set("user_agent", clip.Text(u.e.Request.UserAgent(), 500))
		if err := tx.Save(r); err != nil {
			return err
		}
		_, err = tx.DB().NewQuery(`UPDATE feed_keys SET uses = uses + 1, last_used_at = {:now} WHERE id = {:id}`).
			Bind(dbx.Params{"now": tz.Stored(time.Now()), "id": u.key.Id}).Execute()
		return err
	})
	if err != nil {
		app.Logger().Error("feed: use not logged", "key", u.key.Id, "error", err)
	}
}
