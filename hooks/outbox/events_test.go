package outbox_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
	"feidi/integrations/college"
	"feidi/integrations/sharing"
)

func TestSurveySubmittedIsEnqueuedOnce(t *testing.T) {
	app, _ := newApp(t)
	s := survey(t, app, "draft")
	if n := len(rows(t, app)); n != 0 {
		t.Fatalf("a draft enqueued %d rows", n)
	}
	s.Set("status", "submitted")
	apptest.Save(t, app, s)
	s.Set("notes", "补充说明") // saved again, still submitted: no second event
	apptest.Save(t, app, s)

	row := onlyRow(t, app)
	if row.GetString("target") != outbox.TargetSharing || row.GetString("event") != sharing.SurveySubmitted ||
		row.GetString("status") != outbox.StatusPending || row.GetString("idempotency_key") == "" ||
		row.GetString("source") != "surveys/"+s.Id {
		t.Fatalf("row %v", row.FieldsData())
	}
	data := payload[sharing.Survey](t, row)
	if data.ID != s.Id || data.Enterprise.USCC != "91350100M000100Y43" || data.FormCode != "enterprise_needs" ||
		data.FormVersion != 1 || data.VisitedAt != "2026-11-20T02:00:00Z" || len(data.Answers) == 0 {
		t.Fatalf("payload %+v", data)
	}
}

func TestNeedTransitionsAreEnqueued(t *testing.T) {
	app, _ := newApp(t)
	need := newRecord(t, app, "needs", map[string]any{"enterprise": enterprise(t, app).Id,
		"created_by": user(t, app, "officer@example.com", "officer").Id, "category": "technology",
		"title": "刀剪新品设计", "budget_wan": 30, "deadline": "2026-12-31 00:00:00.000Z", "status": "open"})
	for _, status := range []string{"published", "claimed", "resolved"} {
		need.Set("status", status)
		apptest.Save(t, app, need)
	}
	rs := rows(t, app)
	if len(rs) != 2 || rs[0].GetString("event") != sharing.NeedPublished || rs[1].GetString("event") != sharing.NeedResolved {
		t.Fatalf("got %d rows", len(rs))
	}
	data := payload[sharing.Need](t, rs[1])
	if data.Status != "resolved" || data.Title != "刀剪新品设计" || data.BudgetWan != 30 || data.Deadline != "2026-12-31" {
		t.Fatalf("payload %+v", data)
	}
}

func TestEnrolmentChangesAreEnqueued(t *testing.T) {
	app, _ := newApp(t)
	ent := enterprise(t, app)
	eng := newRecord(t, app, "engineers", map[string]any{"name": "李工", "phone": "13800138000",
		"chengdu_employer": "电子科技大学", "dazu_employer": ent.Id})
	cohort := newRecord(t, app, "cohorts", map[string]any{"name": "2026 定向培养班", "program": "精密制造",
		"coordinator": user(t, app, "coord@example.com", "coordinator").Id})
	member := newRecord(t, app, "cohort_members", map[string]any{"cohort": cohort.Id, "engineer": eng.Id})
	eng.Set("specialty", "热处理") // a change the College keeps
	apptest.Save(t, app, eng)
	apptest.Save(t, app, eng) // no change: nothing to send
	if err := app.Delete(member); err != nil {
		t.Fatal(err)
	}

	rs := rows(t, app)
	if len(rs) != 4 {
		t.Fatalf("want 4 enrolment rows (create, join, change, leave), got %d", len(rs))
	}
	joined := payload[college.Enrolment](t, rs[1])
	if !joined.Active || joined.Phone != "+8613800138000" || joined.DazuEmployer == nil || joined.DazuEmployer.ID != ent.Id ||
		len(joined.Cohorts) != 1 || joined.Cohorts[0].Name != "2026 定向培养班" {
		t.Fatalf("after joining: %+v", joined)
	}
	if left := payload[college.Enrolment](t, rs[3]); len(left.Cohorts) != 0 || left.Specialty != "热处理" {
		t.Fatalf("after leaving: %+v", left)
	}
	for _, r := range rs {
		if r.GetString("target") != outbox.TargetCollege || r.GetString("event") != outbox.EventEnrolment {
			t.Fatalf("row %v", r.FieldsData())
		}
	}

	// Deleting the engineer sends one last, inactive enrolment; its memberships go with it.
	newRecord(t, app, "cohort_members", map[string]any{"cohort": cohort.Id, "engineer": eng.Id})
	if err := app.Delete(eng); err != nil {
		t.Fatal(err)
	}
	rs = rows(t, app)
	if last := payload[college.Enrolment](t, rs[len(rs)-1]); len(rs) != 6 || last.Active || last.EngineerID != eng.Id {
		t.Fatalf("after deletion: %d rows, last %+v", len(rs), last)
	}
}

// The outbox row and the change share one transaction. PocketBase's Save opens none for a create
// or an update, so this is the hook's doing: if writing the row fails, the change is undone.
func TestFailedEnqueueUndoesTheChange(t *testing.T) {
	app, _ := newApp(t)
	s := survey(t, app, "draft")
	app.OnRecordCreate(outbox.Collection).BindFunc(func(e *core.RecordEvent) error {
		return errors.New("disk full")
	})
	s.Set("status", "submitted")
	if err := app.Save(s); err == nil {
		t.Fatal("the save succeeded although its event could not be written")
	}
	if got := fresh(t, app, s).GetString("status"); got != "draft" {
		t.Fatalf("survey is %q in the database, want it still draft", got)
	}
}

// A change saved inside a caller's transaction that then fails leaves no outbox row behind.
func TestRolledBackChangeLeavesNoRow(t *testing.T) {
	app, _ := newApp(t)
	s := survey(t, app, "draft")
	err := app.RunInTransaction(func(tx core.App) error {
		s.Set("status", "submitted")
		if err := tx.Save(s); err != nil {
			return err
		}
		if n := len(rows(t, tx)); n != 1 {
			t.Fatalf("inside the transaction: %d rows", n)
		}
		return errors.New("a later step fails")
	})
	if err == nil {
		t.Fatal("want the transaction's error")
	}
	if n := len(rows(t, app)); n != 0 {
		t.Fatalf("%d outbox rows survived the rollback", n)
	}
}

func TestOffIntegrationsEnqueueNothing(t *testing.T) {
	app := apptest.New(t) // the defaults: every integration off
	survey(t, app, "submitted")
	newRecord(t, app, "engineers", map[string]any{"name": "王工"})
	if n := len(rows(t, app)); n != 0 {
		t.Fatalf("%d rows for integrations that are off", n)
	}
}

// TestAnApprovedMonthIsSentToTheCollege: approving a month enqueues one event with the month's
// counts, delivered once to the College's receiver; a return or a second save does not.
func TestAnApprovedMonthIsSentToTheCollege(t *testing.T) {
	app, rcv := newApp(t)
	eng := newRecord(t, app, "engineers", map[string]any{"name": "李明", "phone": "13800138000"})
	rows0 := len(rows(t, app))
	newRecord(t, app, "commute_logs", map[string]any{"engineer": eng.Id, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
		"depart_at": "2026-09-30 16:30:00.000Z", "arrive_at": "2026-09-30 17:45:00.000Z"}) // 1 October, 00:30 in Shanghai
	newRecord(t, app, "commute_logs", map[string]any{"engineer": eng.Id, "from_city": "dazu", "to_city": "chengdu", "mode": "hsr",
		"depart_at": "2026-09-29 10:00:00.000Z", "arrive_at": "2026-09-29 11:15:00.000Z"}) // September
	newRecord(t, app, "schedules", map[string]any{"engineer": eng.Id, "city": "dazu", "kind": "work",
		"starts_at": "2026-10-08 01:00:00.000Z", "ends_at": "2026-10-08 09:00:00.000Z"})
	s := newRecord(t, app, "month_signoffs", map[string]any{"engineer": eng.Id, "month": "2026-10", "status": "submitted"})
	s.Set("status", "returned")
	s.Set("reason", "缺票据")
	apptest.Save(t, app, s)
	s.Set("status", "approved")
	apptest.Save(t, app, s)
	s.Set("reason", "")
	apptest.Save(t, app, s)
	var approvals []*core.Record
	for _, r := range rows(t, app)[rows0:] {
		if r.GetString("event") == outbox.EventMonthApproved {
			approvals = append(approvals, r)
		}
	}
	if len(approvals) != 1 || approvals[0].GetString("target") != outbox.TargetCollege || approvals[0].GetString("source") != "month_signoffs/"+s.Id {
		t.Fatalf("approvals enqueued: %v", approvals)
	}
	data := payload[college.MonthApproval](t, approvals[0])
	if data.EngineerID != eng.Id || data.Month != "2026-10" || data.Trips != 1 || data.Entries != 1 || data.Name != "李明" || data.ApprovedAt.IsZero() {
		t.Fatalf("payload %+v", data)
	}
	w, _ := newWorker(t, app, rcv)
	for tick(t, w, outbox.TargetCollege) > 0 {
	}
	var key, body string
	for _, a := range rcv.college.Applied() {
		if a.Path == "/month-approvals" {
			if key != "" {
				t.Fatal("the approval was applied twice")
			}
			key, body = a.Key, string(a.Body)
		}
	}
	if key != approvals[0].GetString("idempotency_key") || !strings.Contains(body, `"month":"2026-10"`) {
		t.Fatalf("the College received %q %s", key, body)
	}
}
