package exportjob_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/xuri/excelize/v2"

	"feidi/hooks/exportjob"
	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook/workbooktest"
)

const exportsURL = "/api/collections/exports/records"

// as returns a scenario's factory with the fixture seeded, keeps the fixture in c, and sets the
// scenario's Authorization header to the token of the user who picks from the fixture.
func as(headers map[string]string, who func(workbooktest.Cohort) *core.Record, c *workbooktest.Cohort) func(testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp {
		app := apptest.NewUnmanaged(t)
		*c = workbooktest.Seed(t, app)
		token, err := who(*c).NewAuthToken()
		if err != nil {
			t.Fatal(err)
		}
		headers["Authorization"] = token
		return app
	}
}

func coordinator(c workbooktest.Cohort) *core.Record { return c.Coordinator }
func other(c workbooktest.Cohort) *core.Record       { return c.Other }
func admin(c workbooktest.Cohort) *core.Record       { return c.Admin }

func body(kind, cohort, from, to, by string, extra ...string) *strings.Reader {
	fields := []string{`"kind":"` + kind + `"`, `"period_from":"` + from + `"`, `"period_to":"` + to + `"`, `"requested_by":"` + by + `"`}
	if cohort != "" {
		fields = append(fields, `"cohort":"`+cohort+`"`)
	}
	return strings.NewReader("{" + strings.Join(append(fields, extra...), ",") + "}")
}

// queue saves a job as the API would have made it.
func queue(t testing.TB, app core.App, c workbooktest.Cohort, format string) *core.Record {
	exports, err := app.FindCollectionByNameOrId("exports")
	if err != nil {
		t.Fatal(err)
	}
	job := core.NewRecord(exports)
	job.Set("kind", "cohort")
	job.Set("cohort", c.ID)
	job.Set("period_from", workbooktest.From)
	job.Set("period_to", workbooktest.To)
	job.Set("format", format)
	job.Set("requested_by", c.Coordinator.Id)
	return apptest.Save(t, app, job)
}

func TestCreateExport(t *testing.T) {
	// Users are made by the factory: their ids and tokens are known only once it has run, so
	// headers and body are filled in then.
	h := func() map[string]string { return map[string]string{} }
	type scenario struct {
		name   string
		who    func(workbooktest.Cohort) *core.Record
		body   func(c workbooktest.Cohort) *strings.Reader
		before []func(testing.TB, core.App, workbooktest.Cohort)
		status int
		want   []string
	}
	scenarios := []scenario{
		{"coordinator, own cohort", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2025-01", "2025-02", c.Coordinator.Id)
		}, nil, 200, []string{`"status":"queued"`, `"format":"xlsx"`}},
		{"admin, needs summary", admin, func(c workbooktest.Cohort) *strings.Reader {
			return body("needs", "", "2025-01", "2025-12", c.Admin.Id, `"format":"csv"`)
		}, nil, 200, []string{`"status":"queued"`, `"kind":"needs"`}},
		{"coordinator, somebody else's cohort", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", workbooktest.OtherCohortID, "2025-01", "2025-02", c.Coordinator.Id)
		}, nil, 403, []string{`coordinated by somebody else`}},
		{"unknown cohort", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", "nosuchcohort0000", "2025-01", "2025-02", c.Coordinator.Id)
		}, nil, 400, []string{`"cohort":{"code":"validation_unknown_cohort"`}},
		{"from after to", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2025-06", "2025-02", c.Coordinator.Id)
		}, nil, 400, []string{`"period_to":{"code":"validation_export_period"`, `after`}},
		{"period over the maximum", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2023-01", "2025-02", c.Coordinator.Id)
		}, nil, 400, []string{`"period_to"`, `at most 24`}},
		{"identical job running", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2025-01", "2025-02", c.Coordinator.Id)
		}, []func(testing.TB, core.App, workbooktest.Cohort){func(t testing.TB, app core.App, c workbooktest.Cohort) {
			job := queue(t, app, c, "xlsx")
			job.Set("status", "running")
			apptest.Save(t, app, job)
		}}, 409, []string{`"status":409`, `already running`}},
		{"client sets the status", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2025-01", "2025-02", c.Coordinator.Id, `"status":"done"`)
		}, nil, 400, []string{"Failed to create record"}},
		{"coordinator, needs summary", coordinator, func(c workbooktest.Cohort) *strings.Reader {
			return body("needs", "", "2025-01", "2025-02", c.Coordinator.Id)
		}, nil, 400, []string{"Failed to create record"}},
		{"for somebody else", admin, func(c workbooktest.Cohort) *strings.Reader {
			return body("cohort", c.ID, "2025-01", "2025-02", c.Coordinator.Id)
		}, nil, 400, []string{"Failed to create record"}},
	}
	for _, s := range scenarios {
		headers := h()
		var req lazyBody
		var c workbooktest.Cohort
		(&tests.ApiScenario{
			Name:           s.name,
			Method:         http.MethodPost,
			URL:            exportsURL,
			Body:           &req,
			Headers:        headers,
			TestAppFactory: as(headers, s.who, &c),
			// After the worker has started, so that it does not pick up the fixture's jobs.
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				for _, f := range s.before {
					f(t, app, c)
				}
				req.r = s.body(c)
			},
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
		}).Test(t)
	}
}

// lazyBody is a request body written once the factory has made the users it names.
type lazyBody struct{ r *strings.Reader }

func (b *lazyBody) Read(p []byte) (int, error) { return b.r.Read(p) }

// TestRunJob runs a queued job and downloads its file as the requester; nobody else may.
func TestRunJob(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	job := queue(t, app, c, "xlsx")
	if err := exportjob.RunPending(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	job = find(t, app, job.Id)
	if job.GetString("status") != exportjob.Done || job.GetInt("total_rows") != 17 || job.GetString("file") == "" {
		t.Fatalf("job %v", job)
	}
	if !strings.Contains(job.GetString("rows"), `"通勤记录":4`) {
		t.Errorf("rows %s", job.GetString("rows"))
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r, err := fsys.GetReader(job.BaseFilesPath() + "/" + job.GetString("file"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	buf.ReadFrom(r)
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 4 {
		t.Errorf("sheets %v", sheets)
	}
}

func TestDownloadIsProtected(t *testing.T) {
	for _, s := range []struct {
		name   string
		who    func(workbooktest.Cohort) *core.Record
		status int
		want   string
	}{
		{"requester", coordinator, 200, "summary.csv"},
		{"admin", admin, 200, "summary.csv"},
		{"another coordinator", other, 404, "wasn't found"},
		{"no token", nil, 404, "wasn't found"},
	} {
		url := &lazyURL{}
		scenario := &tests.ApiScenario{
			Name:   s.name,
			Method: http.MethodGet,
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := apptest.NewUnmanaged(t)
				c := workbooktest.Seed(t, app)
				job := queue(t, app, c, "csv")
				if err := exportjob.RunPending(context.Background(), app); err != nil {
					t.Fatal(err)
				}
				job = find(t, app, job.Id)
				url.path = "/api/files/exports/" + job.Id + "/" + job.GetString("file")
				if s.who != nil {
					token, err := s.who(c).NewFileToken()
					if err != nil {
						t.Fatal(err)
					}
					url.path += "?token=" + token
				}
				return app
			},
			ExpectedStatus:  s.status,
			ExpectedContent: []string{s.want},
		}
		scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) { scenario.URL = url.path }
		scenario.Test(t)
	}
}

type lazyURL struct{ path string }

// TestResume: a job a restart left running is queued again and then done; a job that cannot
// run is failed with a reason.
func TestResume(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	job := queue(t, app, c, "csv")
	job.Set("status", exportjob.Running)
	apptest.Save(t, app, job)
	broken := queue(t, app, c, "xlsx")
	broken.Set("period_to", "2025-13") // past the checks, as a row edited by hand would be
	if err := app.SaveNoValidate(broken); err != nil {
		t.Fatal(err)
	}
	if err := exportjob.Requeue(app); err != nil {
		t.Fatal(err)
	}
	if err := exportjob.RunPending(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	job = find(t, app, job.Id)
	if job.GetString("status") != exportjob.Done {
		t.Errorf("resumed job %s: %s", job.GetString("status"), job.GetString("error"))
	}
	broken = find(t, app, broken.Id)
	if broken.GetString("status") != exportjob.Failed || !strings.Contains(broken.GetString("error"), "not a month") {
		t.Errorf("broken job %s: %q", broken.GetString("status"), broken.GetString("error"))
	}
}

func find(t testing.TB, app core.App, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById("exports", id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
