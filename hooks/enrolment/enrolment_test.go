package enrolment_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

func serve(t *testing.T) (*tests.TestApp, func(user string) at.Client) {
	return at.ServeAs(t, at.Enclave)
}

// seesEngineerB reports whether the caller can list engineer B's trips, through REST and sync.
func seesEngineerB(t *testing.T, c at.Client) bool {
	t.Helper()
	_, rest := c.Text(http.MethodGet, "/api/collections/commute_logs/records?perPage=500", "")
	_, pull := c.Text(http.MethodGet, "/api/sync/pull", "")
	if strings.Contains(rest, at.CommuteB) != strings.Contains(pull, at.CommuteB) {
		t.Fatalf("REST and sync disagree on engineer B's trip:\nREST %s\npull %.300s", rest, pull)
	}
	return strings.Contains(rest, at.CommuteB)
}

// TestACoordinatorAloneEnrolsNobody: enrolling engineer B in coordinator A's cohort directly
// is refused through REST and sync; a request gives no sight until B approves it.
func TestACoordinatorAloneEnrolsNobody(t *testing.T) {
	app, as := serve(t)
	coordinator := as(at.CoordinatorA)
	if seesEngineerB(t, coordinator) {
		t.Fatal("the fixtures let coordinator A see engineer B")
	}
	status, body := coordinator.Text(http.MethodPost, "/api/collections/cohort_members/records",
		`{"cohort":"`+at.CohortA+`","engineer":"`+at.EngineerRecB+`"}`)
	if status != 400 {
		t.Errorf("REST enrolment by a coordinator: %d %s", status, body)
	}
	status, body = coordinator.Text(http.MethodPost, "/api/sync/push?last_pulled_at=1", `{"changes":{"cohort_members":{"created":[
		{"id":"PushedMember0001","cohort":"`+at.CohortA+`","engineer":"`+at.EngineerRecB+`"}],"updated":[],"deleted":[]}}}`)
	if status != 200 || !strings.Contains(body, "PushedMember0001") {
		t.Errorf("sync enrolment by a coordinator: %d %s", status, body)
	}
	if seesEngineerB(t, coordinator) {
		t.Fatal("a coordinator's own enrolment gave sight of the engineer")
	}

	// The fixtures hold coordinator A's pending request for engineer B (at.RequestA); one
	// open request per pair.
	status, body = coordinator.Text(http.MethodPost, "/api/collections/enrolment_requests/records",
		`{"cohort":"`+at.CohortA+`","engineer":"`+at.EngineerRecB+`","requested_by":"`+at.CoordinatorA+`","status":"pending","note":"请加入智能制造班"}`)
	if status != 400 {
		t.Errorf("a second pending request: %d %s", status, body)
	}
	status, body = coordinator.Text(http.MethodGet, "/api/collections/enrolment_requests/records/"+at.RequestA+"?expand=engineer", "")
	if status != 200 || strings.Contains(body, "刘洋") {
		t.Errorf("the request shows the engineer to the coordinator: %d %s", status, body)
	}
	if seesEngineerB(t, coordinator) {
		t.Fatal("a pending request gave sight of the engineer")
	}
	// Only the engineer (or an admin) answers; the coordinator may not approve their own ask,
	// nor another engineer.
	for _, who := range []string{at.CoordinatorA, at.EngineerA, at.CoordinatorB} {
		if status, body := as(who).Text(http.MethodPatch, "/api/collections/enrolment_requests/records/"+at.RequestA, `{"status":"approved"}`); status == 200 {
			t.Errorf("%s approved: %s", who, body)
		}
	}
	status, body = as(at.EngineerB).Text(http.MethodPatch, "/api/collections/enrolment_requests/records/"+at.RequestA, `{"status":"approved"}`)
	if status != 200 || !strings.Contains(body, `"decided_by":"`+at.EngineerB+`"`) {
		t.Fatalf("engineer's approval: %d %s", status, body)
	}
	if !seesEngineerB(t, coordinator) {
		t.Error("approved, the coordinator still does not see the engineer")
	}
	if _, err := app.FindFirstRecordByFilter("cohort_members", "cohort = {:c} && engineer = {:e}",
		map[string]any{"c": at.CohortA, "e": at.EngineerRecB}); err != nil {
		t.Errorf("no membership after the approval: %v", err)
	}
	// An answered request stays answered, even for an admin.
	status, body = as(at.Admin).Text(http.MethodPatch, "/api/collections/enrolment_requests/records/"+at.RequestA, `{"status":"declined"}`)
	if status != 400 || !strings.Contains(body, "enrolment_answered") {
		t.Errorf("re-answering: %d %s", status, body)
	}
}

// TestADeclinedRequestEnrolsNobody: the engineer says no, or the coordinator withdraws.
func TestADeclinedRequestEnrolsNobody(t *testing.T) {
	app, as := serve(t)
	coordinator := as(at.CoordinatorA)
	for i, answer := range []struct{ who, status string }{{at.EngineerB, "declined"}, {at.CoordinatorA, "withdrawn"}} {
		id := at.RequestA // the fixture's, then a new one once it is answered
		if i > 0 {
			id = "request0000000b"
			if status, body := coordinator.Text(http.MethodPost, "/api/collections/enrolment_requests/records",
				`{"id":"`+id+`","cohort":"`+at.CohortA+`","engineer":"`+at.EngineerRecB+`","requested_by":"`+at.CoordinatorA+`","status":"pending"}`); status != 200 {
				t.Fatalf("request: %d %s", status, body)
			}
		}
		if status, body := as(answer.who).Text(http.MethodPatch, "/api/collections/enrolment_requests/records/"+id, `{"status":"`+answer.status+`"}`); status != 200 {
			t.Fatalf("%s: %d %s", answer.status, status, body)
		}
	}
	if n, _ := app.CountRecords("cohort_members"); n != 3 || seesEngineerB(t, coordinator) {
		t.Errorf("%d memberships after a declined and a withdrawn request", n)
	}
	// A coordinator cannot ask for somebody else's cohort, nor make an approved request.
	for _, body := range []string{
		`{"cohort":"` + at.CohortB + `","engineer":"` + at.EngineerRecA + `","requested_by":"` + at.CoordinatorA + `","status":"pending"}`,
		`{"cohort":"` + at.CohortA + `","engineer":"` + at.EngineerRecB + `","requested_by":"` + at.CoordinatorA + `","status":"approved"}`,
	} {
		if status, answer := coordinator.Text(http.MethodPost, "/api/collections/enrolment_requests/records", body); status != 400 {
			t.Errorf("%s: %d %s", body, status, answer)
		}
	}
	var out map[string]any
	_, body := as(at.EngineerB).Text(http.MethodGet, "/api/collections/enrolment_requests/records", "")
	if json.Unmarshal([]byte(body), &out); out["totalItems"] != float64(2) {
		t.Errorf("the engineer lists the requests made of them: %s", body)
	}
}
