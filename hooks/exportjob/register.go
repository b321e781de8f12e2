// Package exportjob runs the exports that people ask for by creating an `exports` record: it
// checks the request, generates the file in the background with package export, and resumes
// jobs that a restart interrupted. The `export` command runs the same exporter from a terminal.
package exportjob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"feidi/hooks/lib/workbook"
)

// The statuses of an export job.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

const collection = "exports"

// Register binds the checks of export requests and starts the worker when the app serves.
func Register(app core.App) {
	wake := make(chan struct{}, 1)
	app.OnRecordValidate(collection).BindFunc(func(e *core.RecordEvent) error {
		if err := checkExport(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := checkRequest(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordAfterCreateSuccess(collection).BindFunc(func(e *core.RecordEvent) error {
		select {
		case wake <- struct{}{}:
		default: // the worker is already due to look
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
			stop()
			<-done // the job in hand stops at its next page; the database must outlive it
			return e.Next()
		})
		// Before serving anything: a job left running was cut short by the last stop.
		if err := Requeue(app); err != nil {
			app.Logger().Error("exports: resume", "error", err)
		}
		go func() {
			defer close(done)
			work(ctx, app, wake)
		}()
		return e.Next()
	})
}

// checkExport fills the defaults of a new job and checks what it asks for; it runs on every
// save, whatever the door.
func checkExport(r *core.Record) error {
	defaults(r)
	errs := validation.Errors{}
	switch workbook.Kind(r.GetString("kind")) {
	case workbook.KindCohort:
		if r.GetString("cohort") == "" {
			errs["cohort"] = validation.NewError("validation_required", "A cohort export names its cohort.")
		}
	case workbook.KindNeeds:
		if r.GetString("cohort") != "" {
			errs["cohort"] = validation.NewError("validation_not_allowed", "The needs summary is not for one cohort: leave cohort empty.")
		}
	}
	from, to := r.GetString("period_from"), r.GetString("period_to")
	if from != "" && to != "" {
		if _, err := workbook.ParsePeriod(from, to); err != nil {
			errs["period_to"] = validation.NewError("validation_export_period", err.Error())
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// defaults fills what a request may leave out: a new job is queued, as a workbook.
func defaults(r *core.Record) {
	if r.GetString("status") == "" {
		r.Set("status", Queued)
	}
	if r.GetString("format") == "" {
		r.Set("format", string(workbook.XLSX))
	}
}

// checkRequest answers what the API rules cannot explain: a cohort that is not the
// coordinator's (403), an unknown cohort (400), and a job identical to one already queued or
// running (409).
func checkRequest(e *core.RecordRequestEvent) error {
	r := e.Record
	defaults(r)
	if id := r.GetString("cohort"); id != "" {
		cohort, err := e.App.FindRecordById("cohorts", id)
		if err != nil {
			return e.BadRequestError("Unknown cohort.", validation.Errors{
				"cohort": validation.NewError("validation_unknown_cohort", fmt.Sprintf("There is no cohort %q.", id))})
		}
		if e.Auth != nil && !e.HasSuperuserAuth() && e.Auth.GetString("role") != "admin" &&
			cohort.GetString("coordinator") != e.Auth.Id {
			return e.ForbiddenError(fmt.Sprintf("Cohort %q is coordinated by somebody else: a coordinator exports the cohorts they coordinate.",
				cohort.GetString("name")), nil)
		}
	}
	same, err := e.App.FindFirstRecordByFilter(collection,
		`kind = {:kind} && cohort = {:cohort} && period_from = {:from} && period_to = {:to} && format = {:format}`+
			` && requested_by = {:by} && (status = "queued" || status = "running")`,
		dbx.Params{"kind": r.GetString("kind"), "cohort": r.GetString("cohort"), "from": r.GetString("period_from"),
			"to": r.GetString("period_to"), "format": r.GetString("format"), "by": r.GetString("requested_by")})
	if err == nil {
		return router.NewApiError(http.StatusConflict,
			fmt.Sprintf("The same export is already %s; wait for it to finish.", same.GetString("status")),
			map[string]string{"export": same.Id})
	}
	return nil
}

// Requeue puts back in the queue the jobs left running: a restart cut them short, and they
// start again from the beginning.
func Requeue(app core.App) error {
	_, err := app.DB().NewQuery(`UPDATE exports SET status = 'queued' WHERE status = 'running'`).Execute()
	return err
}

// work runs jobs until ctx ends: first those waiting, then each new one.
func work(ctx context.Context, app core.App, wake <-chan struct{}) {
	for {
		if err := RunPending(ctx, app); err != nil && !errors.Is(err, context.Canceled) {
			app.Logger().Error("exports: run", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(time.Minute): // a job queued by another door than the API
		}
	}
}
