package validate_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

type caller struct{ at.Client }

// push pushes changes of one table as the caller's device, after a pull, and returns the
// answer.
func (c caller) push(table, created, updated, deleted string) string {
	c.T.Helper()
	status, body := c.Text(http.MethodGet, "/api/sync/pull", "")
	if status != 200 {
		c.T.Fatalf("pull: %d %s", status, body)
	}
	var p struct{ Timestamp int64 }
	_ = json.Unmarshal([]byte(body), &p)
	status, body = c.Text(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", p.Timestamp),
		`{"changes":{"`+table+`":{"created":[`+created+`],"updated":[`+updated+`],"deleted":[`+deleted+`]}}}`)
	if status != 200 {
		c.T.Fatalf("push: %d %s", status, body)
	}
	return body
}

func served(t *testing.T) (*tests.TestApp, func(user string) caller) {
	app := at.Enclave.App(t)
	base := at.Serve(t, app)
	return app, func(user string) caller { return caller{at.Client{T: t, Base: base, Token: at.Token(t, app, user)}} }
}

func find(t *testing.T, app core.App, collection, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func status(t *testing.T, app core.App, id string) (string, string) {
	t.Helper()
	r := find(t, app, "month_signoffs", id)
	return r.GetString("status"), r.GetString("reason")
}

// TestAMonthIsSubmittedAndDecided: the engineer submits (REST) and resubmits (sync); only a
// coordinator of their cohort or an admin decides; a return needs a reason; the sign-off
// reaches the engineer's and the coordinator's devices and nobody else's.
func TestAMonthIsSubmittedAndDecided(t *testing.T) {
	app, as := served(t)
	engineer, coordinator, other := as(at.EngineerA), as(at.CoordinatorA), as(at.CoordinatorB)
	const id = "SignoffMarchA001"
	if code, body := engineer.Text(http.MethodPost, "/api/collections/month_signoffs/records",
		`{"id":"`+id+`","engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"approved"}`); code != 400 {
		t.Errorf("an engineer approves their own month: %d %s", code, body)
	}
	if code, body := engineer.Text(http.MethodPost, "/api/collections/month_signoffs/records",
		`{"id":"`+id+`","engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"submitted"}`); code != 200 {
		t.Fatalf("submit: %d %s", code, body)
	}
	if code, _ := engineer.Text(http.MethodPost, "/api/collections/month_signoffs/records",
		`{"engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"submitted"}`); code != 400 {
		t.Errorf("a second sign-off of the month: %d", code)
	}
	for name, c := range map[string]caller{"the engineer": engineer, "another cohort's coordinator": other} {
		if code, _ := c.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"approved"}`); code != 404 {
			t.Errorf("%s approves: %d", name, code)
		}
	}
	if code, body := coordinator.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"returned"}`); code != 400 || !strings.Contains(body, "validation_reason_required") {
		t.Errorf("a return without a reason: %d %s", code, body)
	}
	if code, body := coordinator.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"returned","reason":"3月12日缺车票"}`); code != 200 {
		t.Fatalf("return: %d %s", code, body)
	}
	if code, _ := coordinator.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"month":"2026-04","status":"approved"}`); code != 404 {
		t.Errorf("a coordinator moves the month: %d", code)
	}
	answer := engineer.push("month_signoffs", "", `{"id":"`+id+`","engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"submitted","reason":"3月12日缺车票","_status":"updated","_changed":"status"}`, "")
	if s, _ := status(t, app, id); strings.Contains(answer, id) || s != "submitted" {
		t.Fatalf("resubmit by sync: %s, status %s", answer, s)
	}
	answer = coordinator.push("month_signoffs", "", `{"id":"`+id+`","engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"approved","reason":"","_status":"updated","_changed":"status,reason"}`, "")
	if s, _ := status(t, app, id); strings.Contains(answer, id) || s != "approved" {
		t.Fatalf("approve by sync: %s, status %s", answer, s)
	}
	for user, want := range map[string]bool{at.EngineerA: true, at.CoordinatorA: true, at.Admin: true, at.EngineerB: false, at.CoordinatorB: false} {
		_, body := as(user).Text(http.MethodGet, "/api/sync/pull", "")
		if got := strings.Contains(body, id); got != want {
			t.Errorf("%s's device has the sign-off: %v, want %v", user, got, want)
		}
	}
	if code, _ := engineer.Text(http.MethodDelete, "/api/collections/month_signoffs/records/"+id, ""); code != 404 {
		t.Errorf("the engineer deletes an approved sign-off: %d", code)
	}
}

// TestALockedMonthRefusesEveryDoor: once March is approved, engineer A's March schedules and
// trips cannot be created, changed or deleted through REST, the admin UI or a sync push (the
// refusals kept in sync_rejects, naming the lock); a trip crossing into March counts; February
// is open; an admin unlocks with a reason, which history keeps, and the month opens again.
func TestALockedMonthRefusesEveryDoor(t *testing.T) {
	app, as := served(t)
	engineer, admin := as(at.EngineerA), as(at.Admin)
	const id = "SignoffMarchA001"
	if code, body := admin.Text(http.MethodPost, "/api/collections/month_signoffs/records",
		`{"id":"`+id+`","engineer":"`+at.EngineerRecA+`","month":"2026-03","status":"approved"}`); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}
	adminUI := caller{at.Client{T: t, Base: engineer.Base, Token: at.SuperuserToken(t, app)}}
	trip := func(id, depart, arrive string) string {
		return `{"id":"` + id + `","engineer":"` + at.EngineerRecA + `","from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":"` + depart + `","arrive_at":"` + arrive + `"}`
	}
	locked := func(what string, code int, body string) {
		t.Helper()
		if code != 400 || !strings.Contains(body, "validation_month_locked") || !strings.Contains(body, "2026-03 is signed off") {
			t.Errorf("%s: %d %s", what, code, body)
		}
	}
	code, body := engineer.Text(http.MethodPatch, "/api/collections/schedules/records/"+at.ScheduleA, `{"employer":"改"}`)
	locked("REST update of a March entry", code, body)
	code, body = engineer.Text(http.MethodDelete, "/api/collections/commute_logs/records/"+at.CommuteA, "")
	locked("REST delete of a March trip", code, body)
	code, body = engineer.Text(http.MethodPost, "/api/collections/commute_logs/records", trip("NewMarchTrip0001", "2026-03-10 02:00:00.000Z", "2026-03-10 03:10:00.000Z"))
	locked("REST create in March", code, body)
	// 23:30 on 28 February to 00:40 on 1 March, Shanghai time: it crosses into March
	code, body = engineer.Text(http.MethodPost, "/api/collections/commute_logs/records", trip("CrossingTrip0001", "2026-02-28 15:30:00.000Z", "2026-02-28 16:40:00.000Z"))
	locked("REST create of a trip crossing into March", code, body)
	code, body = engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"depart_at":"2026-02-10 10:00:00.000Z","arrive_at":"2026-02-10 11:15:00.000Z"}`)
	locked("REST move of a March trip out of March", code, body)
	code, body = adminUI.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"管理员改"}`)
	locked("admin UI update", code, body)
	if code, body := engineer.Text(http.MethodPost, "/api/collections/commute_logs/records", trip("FebruaryTrip0001", "2026-02-10 02:00:00.000Z", "2026-02-10 03:10:00.000Z")); code != 200 {
		t.Errorf("a February trip: %d %s", code, body)
	}

	commute := find(t, app, "commute_logs", at.CommuteA)
	raw := func(r *core.Record, extra map[string]any) string {
		m := map[string]any{"id": r.Id, "engineer": r.GetString("engineer"), "from_city": r.GetString("from_city"), "to_city": r.GetString("to_city"),
			"mode": r.GetString("mode"), "depart_at": r.GetDateTime("depart_at").Time().UnixMilli(), "arrive_at": r.GetDateTime("arrive_at").Time().UnixMilli(),
			"distance_km": r.GetFloat("distance_km"), "cost_yuan": r.GetFloat("cost_yuan"), "note": r.GetString("note"), "_status": "updated", "_changed": ""}
		for k, v := range extra {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	answer := engineer.push("commute_logs", `{"id":"PushedMarchTrip1","engineer":"`+at.EngineerRecA+`","from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":1773108000000,"arrive_at":1773112200000,"_status":"created","_changed":""}`,
		raw(commute, map[string]any{"note": "改签"}), "")
	for _, want := range []string{"PushedMarchTrip1", at.CommuteA} {
		if !strings.Contains(answer, want) {
			t.Errorf("push of %s not refused: %s", want, answer)
		}
	}
	if answer := engineer.push("schedules", "", "", `"`+at.ScheduleA+`"`); !strings.Contains(answer, at.ScheduleA) {
		t.Errorf("a pushed deletion of a March entry not refused: %s", answer)
	}
	rejects, err := app.FindRecordsByFilter("sync_rejects", "user = {:u}", "record_id", 0, 0, map[string]any{"u": at.EngineerA})
	if err != nil || len(rejects) != 3 {
		t.Fatalf("sync_rejects: %v %v", rejects, err)
	}
	for _, r := range rejects {
		if !strings.Contains(r.GetString("message"), "2026-03 is signed off and locked") || !strings.Contains(r.GetString("errors"), "validation_month_locked") {
			t.Errorf("reject of %s: %s %s", r.GetString("record_id"), r.GetString("message"), r.GetString("errors"))
		}
	}
	if got := find(t, app, "commute_logs", at.CommuteA); got.GetString("note") != "" {
		t.Error("the locked trip changed")
	}
	if _, err := app.FindRecordById("schedules", at.ScheduleA); err != nil {
		t.Error("the locked entry is gone")
	}
	if _, err := app.FindRecordById("commute_logs", "PushedMarchTrip1"); err == nil {
		t.Error("a trip was created in the locked month")
	}

	if answer := engineer.push("commute_logs", "", raw(commute, nil), ""); strings.Contains(answer, at.CommuteA) {
		t.Errorf("a push that changes nothing of a locked trip is refused: %s", answer)
	}

	if code, body := admin.Text(http.MethodDelete, "/api/collections/month_signoffs/records/"+id, ""); code != 400 || !strings.Contains(body, "validation_signoff_locked") {
		t.Errorf("an admin deletes an approved sign-off: %d %s", code, body)
	}

	// unlock: a reason is required and kept in history
	if code, body := admin.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"open"}`); code != 400 || !strings.Contains(body, "validation_reason_required") {
		t.Errorf("unlock without a reason: %d %s", code, body)
	}
	if code, body := engineer.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"open","reason":"我要改"}`); code != 404 {
		t.Errorf("the engineer unlocks: %d %s", code, body)
	}
	if code, body := admin.Text(http.MethodPatch, "/api/collections/month_signoffs/records/"+id, `{"status":"open","reason":"补录3月10日出差"}`); code != 200 {
		t.Fatalf("unlock: %d %s", code, body)
	}
	code, body = engineer.Text(http.MethodGet, "/api/history/month_signoffs/"+id, "")
	if code != 200 || !strings.Contains(body, `"after":{"reason":"补录3月10日出差","status":"open"}`) ||
		!strings.Contains(body, `"before":{"reason":"","status":"approved"}`) || !strings.Contains(body, `"actor":"`+at.Admin+`"`) {
		t.Errorf("the unlock in history: %d %s", code, body)
	}
	if answer := engineer.push("commute_logs", "", raw(commute, map[string]any{"note": "改签"}), ""); strings.Contains(answer, at.CommuteA) {
		t.Errorf("an unlocked month still refuses: %s", answer)
	}
	if n, _ := app.CountRecords("sync_rejects", nil); n != 2 {
		t.Errorf("the refusal of the trip that went through is not cleared: %d rejects", n)
	}
}
