package migrations_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

// TestWorkflowRules proves the moves of the review workflow and the ownership rules that go
// beyond plain create/read/update/delete.
func TestWorkflowRules(t *testing.T) {
	setup := at.Enclave.App(t)
	auth := func(id string) map[string]string { return map[string]string{"Authorization": at.Token(t, setup, id)} }
	patch := func(collection, id, body string) (string, string, *strings.Reader) {
		return http.MethodPatch, "/api/collections/" + collection + "/records/" + id, strings.NewReader(body)
	}
	type step struct {
		name     string
		caller   string
		method   string
		url      string
		body     *strings.Reader
		status   int
		contains string
		before   func(t testing.TB, app *tests.TestApp)
		check    func(t testing.TB, app *tests.TestApp)
	}
	statusIs := func(collection, id, want string) func(t testing.TB, app *tests.TestApp) {
		return func(t testing.TB, app *tests.TestApp) {
			r, err := app.FindRecordById(collection, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetString("status"); got != want {
				t.Errorf("%s %s status = %q, want %q", collection, id, got, want)
			}
		}
	}
	noteIs := func(id, want string) func(t testing.TB, app *tests.TestApp) {
		return func(t testing.TB, app *tests.TestApp) {
			r, err := app.FindRecordById("surveys", id)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetString("review_note"); got != want {
				t.Errorf("surveys %s review_note = %q, want %q", id, got, want)
			}
		}
	}
	mk := func(name, caller, method, url string, body *strings.Reader, status int, contains string) step {
		return step{name: name, caller: caller, method: method, url: url, body: body, status: status, contains: contains}
	}
	with := func(s step, check func(t testing.TB, app *tests.TestApp)) step { s.check = check; return s }

	m, u, b := patch("surveys", at.SurveyDraftA, `{"status":"submitted","answers":`+at.MinimalAnswers+`}`)
	submitDraft := with(mk("officer submits own draft", at.OfficerA, m, u, b, 200, `"status":"submitted"`), statusIs("surveys", at.SurveyDraftA, "submitted"))
	m, u, b = patch("surveys", at.SurveySubmittedA, `{"notes":"改一下"}`)
	editSubmitted := with(mk("officer cannot edit a submitted survey", at.OfficerA, m, u, b, 404, `"status":404`), statusIs("surveys", at.SurveySubmittedA, "submitted"))
	m, u, b = patch("surveys", at.SurveySubmittedA, `{"status":"reviewed"}`)
	officerReviews := with(mk("officer cannot review", at.OfficerA, m, u, b, 404, `"status":404`), statusIs("surveys", at.SurveySubmittedA, "submitted"))
	m, u, b = patch("surveys", at.SurveySubmittedA, `{"status":"reviewed"}`)
	adminReviews := with(mk("admin reviews a submitted survey", at.Admin, m, u, b, 200, `"status":"reviewed"`), statusIs("surveys", at.SurveySubmittedA, "reviewed"))
	m, u, b = patch("surveys", at.SurveySubmittedA, `{"status":"returned"}`)
	returnsSilently := with(mk("admin cannot return a survey without saying why", at.Admin, m, u, b, 400, `"review_note":{"code":"validation_review_note_required"`), statusIs("surveys", at.SurveySubmittedA, "submitted"))
	m, u, b = patch("surveys", at.SurveySubmittedA, `{"status":"returned","review_note":"缺少研发投入"}`)
	adminReturns := with(mk("admin returns a submitted survey with a note", at.Admin, m, u, b, 200, `"review_note":"缺少研发投入"`), statusIs("surveys", at.SurveySubmittedA, "returned"))
	m, u, b = patch("surveys", at.SurveyReturnedA, `{"review_note":" "}`)
	adminClearsNote := with(mk("admin cannot clear the reason of a returned survey", at.Admin, m, u, b, 400, `"code":"validation_review_note_required"`), noteIs(at.SurveyReturnedA, at.ReturnedNote))
	m, u, b = patch("surveys", at.SurveyReturnedA, `{"review_note":"请补充近三年研发投入和研发人员数。"}`)
	adminRewords := with(mk("admin rewords the reason of a returned survey", at.Admin, m, u, b, 200, `"review_note":"请补充近三年研发投入和研发人员数。"`), noteIs(at.SurveyReturnedA, "请补充近三年研发投入和研发人员数。"))
	m, u, b = patch("surveys", at.SurveyReturnedA, `{"review_note":""}`)
	officerEditsNote := with(mk("officer cannot change the administrator's note", at.OfficerA, m, u, b, 404, `"status":404`), noteIs(at.SurveyReturnedA, at.ReturnedNote))
	createWithNote := mk("officer cannot file a survey with a review note", at.OfficerA, http.MethodPost, "/api/collections/surveys/records",
		strings.NewReader(`{"enterprise":"`+at.Enterprise+`","form":"`+at.DraftForm+`","officer":"`+at.OfficerA+`","status":"draft","review_note":"已审"}`), 400, "Failed to create record")
	m, u, b = patch("surveys", at.SurveyDraftA, `{"status":"reviewed"}`)
	officerSkips := with(mk("officer cannot mark own draft reviewed", at.OfficerA, m, u, b, 404, `"status":404`), statusIs("surveys", at.SurveyDraftA, "draft"))
	m, u, b = patch("surveys", at.SurveyDraftA, `{"status":"reviewed"}`)
	adminSkips := with(mk("nobody reviews a draft that was never submitted", at.Admin, m, u, b, 400, `"code":"validation_status_move"`), statusIs("surveys", at.SurveyDraftA, "draft"))
	m, u, b = patch("surveys", at.SurveyReturnedA, `{"notes":"已补充","status":"submitted"}`)
	resubmit := with(mk("officer fixes and resubmits a returned survey", at.OfficerA, m, u, b, 200, `"status":"submitted"`), statusIs("surveys", at.SurveyReturnedA, "submitted"))
	m, u, b = patch("surveys", at.SurveyDraftA, `{"officer":"`+at.OfficerB+`"}`)
	handOver := mk("officer cannot hand a survey to another officer", at.OfficerA, m, u, b, 404, `"status":404`)
	m, u, b = patch("surveys", at.SurveyDraftA, `{"status":"submitted","answers":{"rd":{"spend_wan":-5,"staff":3},"technology_problems":[],"talent_needs":[{"position":"焊工","count":0}]}}`)
	badAnswers := with(mk("submitted answers are checked against the form schema, naming the path", at.OfficerA, m, u, b, 400, `/rd/spend_wan`), statusIs("surveys", at.SurveyDraftA, "draft"))
	createReviewed := mk("officer cannot file a reviewed survey", at.OfficerA, http.MethodPost, "/api/collections/surveys/records",
		strings.NewReader(`{"enterprise":"`+at.Enterprise+`","form":"`+at.DraftForm+`","officer":"`+at.OfficerA+`","status":"reviewed"}`), 400, "Failed to create record")
	createOnDraftForm := mk("a survey needs a published form", at.OfficerA, http.MethodPost, "/api/collections/surveys/records",
		strings.NewReader(`{"enterprise":"`+at.Enterprise+`","form":"`+at.DraftForm+`","officer":"`+at.OfficerA+`","status":"draft"}`), 400, `"code":"validation_form_unpublished"`)
	deleteSubmitted := with(mk("officer cannot delete a submitted survey", at.OfficerA, http.MethodDelete, "/api/collections/surveys/records/"+at.SurveySubmittedA, nil, 404, `"status":404`),
		statusIs("surveys", at.SurveySubmittedA, "submitted"))
	m, u, b = patch("needs", at.NeedOpenA, `{"status":"published"}`)
	officerPublishes := with(mk("officer cannot publish a need", at.OfficerA, m, u, b, 404, `"status":404`), statusIs("needs", at.NeedOpenA, "open"))
	m, u, b = patch("needs", at.NeedOpenA, `{"status":"published"}`)
	adminPublishes := with(mk("admin publishes a need", at.Admin, m, u, b, 200, `"status":"published"`), statusIs("needs", at.NeedOpenA, "published"))
	m, u, b = patch("needs", at.NeedOpenA, `{"status":"withdrawn"}`)
	officerWithdraws := with(mk("officer withdraws own open need", at.OfficerA, m, u, b, 200, `"status":"withdrawn"`), statusIs("needs", at.NeedOpenA, "withdrawn"))
	m, u, b = patch("schedules", at.ScheduleA, `{"engineer":"`+at.EngineerRecB+`"}`)
	moveSchedule := mk("engineer cannot move an entry to another engineer", at.EngineerA, m, u, b, 404, `"status":404`)
	m, u, b = patch("cohorts", at.CohortA, `{"coordinator":"`+at.CoordinatorB+`"}`)
	handCohort := mk("coordinator cannot hand a cohort to another coordinator", at.CoordinatorA, m, u, b, 404, `"status":404`)
	foreignMember := mk("coordinator cannot add members to another's cohort", at.CoordinatorA, http.MethodPost, "/api/collections/cohort_members/records",
		strings.NewReader(`{"cohort":"`+at.CohortB+`","engineer":"`+at.EngineerRecA+`"}`), 400, "Failed to create record")
	lostReach := mk("coordinator loses sight of an engineer removed from the cohort", at.CoordinatorA, http.MethodGet,
		"/api/collections/schedules/records/"+at.ScheduleA, nil, 404, `"status":404`)
	lostReach.before = func(t testing.TB, app *tests.TestApp) {
		m, err := app.FindRecordById("cohort_members", at.MemberA)
		if err == nil {
			err = app.Delete(m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	roleChange := mk("a user cannot change their own role", at.OfficerA, http.MethodPatch, "/api/collections/users/records/"+at.OfficerA,
		strings.NewReader(`{"role":"admin"}`), 404, `"status":404`)

	for _, s := range []step{submitDraft, editSubmitted, officerReviews, adminReviews, returnsSilently, adminReturns, officerSkips, adminSkips,
		adminClearsNote, adminRewords, officerEditsNote, resubmit, createWithNote, handOver, badAnswers, createReviewed, createOnDraftForm, deleteSubmitted, officerPublishes, adminPublishes,
		officerWithdraws, moveSchedule, handCohort, foreignMember, lostReach, roleChange} {
		sc := tests.ApiScenario{Name: s.name, Method: s.method, URL: s.url, Headers: auth(s.caller),
			ExpectedStatus: s.status, ExpectedContent: []string{s.contains}, TestAppFactory: at.Enclave.UnmanagedApp}
		if s.body != nil {
			sc.Body = s.body
		}
		if s.before != nil {
			before := s.before
			sc.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { before(t, app) }
		}
		if s.check != nil {
			check := s.check
			sc.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) { check(t, app) }
		}
		sc.Test(t)
	}
}
