package exportjob_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/apis"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
)

// FuzzExportParams asks for exports with fuzzed parameters through the REST API of one Enclave
// app, as coordinator A or the admin. The answer is never a 5xx; a job is queued only for a
// period of 1 to 24 whole months, a kind and a format the worker knows and a cohort that exists
// (for a cohort export only); a refusal is a 4xx that queues nothing, a 400 naming its fields.
// The app's routes are served without its serve hooks, so that no worker runs the jobs.
func FuzzExportParams(f *testing.F) {
	app := at.Enclave.App(f)
	app.Settings().RateLimits.Enabled = false // one client sends every exec: the limits would answer 429
	router, err := apis.NewRouter(app)
	if err != nil {
		f.Fatal(err)
	}
	mux, err := router.BuildMux()
	if err != nil {
		f.Fatal(err)
	}
	srv := httptest.NewServer(mux) // 127.0.0.1
	f.Cleanup(srv.Close)
	tokens := map[bool]string{false: at.Token(f, app, at.CoordinatorA), true: at.Token(f, app, at.Admin)}
	users := map[bool]string{false: at.CoordinatorA, true: at.Admin}

	f.Add("cohort", at.CohortA, "2026-01", "2026-06", "", false)
	f.Add("cohort", at.CohortB, "2026-01", "2026-06", "xlsx", false)
	f.Add("needs", "", "2025-01", "2026-12", "csv", true)
	f.Add("needs", at.CohortA, "2025-01", "2025-01", "csv", true)
	f.Add("cohort", "", "2026-06", "2026-01", "pdf", true)
	f.Add("cohort", at.CohortA, "2024-01", "2026-01", "xlsx", false)
	f.Add("cohort", "nosuchcohort0000", "2026-1", "2026-13", "XLSX", false)
	f.Add("summary", at.CohortA, "0000-01", "0000-02", "", true)
	f.Add("cohort", at.CohortA, "9999-12", "9999-12", "csv", false)
	f.Add("cohort", at.CohortA, "２０２６-０１", "2026-02", "", false)
	f.Fuzz(func(t *testing.T, kind, cohort, from, to, format string, admin bool) {
		fields := map[string]any{"kind": kind, "period_from": from, "period_to": to, "requested_by": users[admin]}
		if cohort != "" {
			fields["cohort"] = cohort
		}
		if format != "" {
			fields["format"] = format
		}
		body, _ := json.Marshal(fields)
		before, err := app.CountRecords("exports")
		if err != nil {
			t.Fatal(err)
		}
		status, answer := at.Client{T: t, Base: srv.URL, Token: tokens[admin]}.Do(http.MethodPost, "/api/collections/exports/records", body)
		if status >= 500 || status < 200 || status == http.StatusTooManyRequests {
			t.Fatalf("%s: %d %s", body, status, answer)
		}
		if status != http.StatusOK {
			if status < 400 {
				t.Fatalf("%s: %d %s", body, status, answer)
			}
			if after, _ := app.CountRecords("exports"); after != before {
				t.Fatalf("%s: refused with %d, yet %d jobs became %d", body, status, before, after)
			}
			var refused struct {
				Message string
				Data    map[string]struct{ Code, Message string }
			}
			if err := json.Unmarshal(answer, &refused); err != nil || refused.Message == "" {
				t.Fatalf("%s: %d without a message: %s", body, status, answer)
			}
			for field, e := range refused.Data {
				if e.Code == "" || e.Message == "" {
					t.Fatalf("%s: field %s refused without a code and a message: %s", body, field, answer)
				}
			}
			return
		}
		var made struct{ ID string }
		if err := json.Unmarshal(answer, &made); err != nil {
			t.Fatal(err)
		}
		job, err := app.FindRecordById("exports", made.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := app.Delete(job); err != nil {
				t.Fatal(err)
			}
		}()
		p, err := workbook.ParsePeriod(job.GetString("period_from"), job.GetString("period_to"))
		if err != nil || p.Months() < 1 || p.Months() > workbook.MaxMonths {
			t.Fatalf("%s queued with the period %s to %s: %v", body, job.GetString("period_from"), job.GetString("period_to"), err)
		}
		switch f := workbook.Format(job.GetString("format")); {
		case f != workbook.XLSX && f != workbook.CSV:
			t.Fatalf("%s queued with the format %q", body, f)
		case job.GetString("status") != "queued":
			t.Fatalf("%s queued as %q", body, job.GetString("status"))
		}
		switch workbook.Kind(job.GetString("kind")) {
		case workbook.KindCohort:
			if _, err := app.FindRecordById("cohorts", job.GetString("cohort")); err != nil {
				t.Fatalf("%s queued for cohort %q: %v", body, job.GetString("cohort"), err)
			}
		case workbook.KindNeeds:
			if job.GetString("cohort") != "" {
				t.Fatalf("%s: a needs summary queued for cohort %q", body, job.GetString("cohort"))
			}
		default:
			t.Fatalf("%s queued as kind %q", body, job.GetString("kind"))
		}
	})
}
