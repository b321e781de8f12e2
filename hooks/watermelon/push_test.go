package watermelon_test

import (
	"errors"

	"encoding/json"
	"github.com/pocketbase/pocketbase/core"
	"net/http"
	"strings"
	"testing"

	at "feidi/hooks/lib/apptest"
)

// wm marks a raw the way WatermelonDB's fetchLocal does: its bookkeeping columns travel along.
func wm(status string, raw map[string]any) map[string]any {
	raw["_status"] = status
	raw["_changed"] = ""
	return raw
}

func tables(entries map[string]map[string]any) map[string]any {
	// every table of the app appears in a real push, most of them empty
	out := map[string]any{}
	for _, name := range []string{"enterprises", "survey_forms", "surveys", "needs", "engineers", "schedules",
		"commute_logs", "cohorts", "cohort_members", "local_drafts"} {
		out[name] = map[string]any{"created": []any{}, "updated": []any{}, "deleted": []any{}}
	}
	for name, e := range entries {
		out[name] = e
	}
	return out
}

func set(created, updated []map[string]any, deleted ...string) map[string]any {
	if created == nil {
		created = []map[string]any{}
	}
	if updated == nil {
		updated = []map[string]any{}
	}
	if deleted == nil {
		deleted = []string{}
	}
	return map[string]any{"created": created, "updated": updated, "deleted": deleted}
}

func TestPushAppliesCreatesUpdatesAndDeletes(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	const deviceID = "k3JdT8sQ2mN9xYz1"
	const uuid = "0b7f2c1e-9d3a-4f5b-8e6c-1a2b3c4d5e6f"
	form, _ := at.PublishedFormID(app)
	firstPull := officer.last
	first := tables(map[string]map[string]any{
		"enterprises": set([]map[string]any{
			wm("created", map[string]any{"id": deviceID, "name": "大足新兴五金厂", "uscc": at.ValidUSCC3, "industry": "hardware",
				"location": `{"lon":105.72,"lat":29.7}`, "employees": 35, "created": 0, "updated": 0}),
		}, nil),
		"surveys": set([]map[string]any{
			wm("created", map[string]any{"id": uuid, "enterprise": deviceID, "form": form, "officer": at.OfficerA,
				"status": "submitted", "answers": at.MinimalAnswers, "visited_at": 1772000000000, "photos": "[]"}),
		}, []map[string]any{
			wm("updated", map[string]any{"id": at.SurveyDraftA, "notes": "老板说下周再来"}),
			wm("updated", map[string]any{"id": "MissingSurvey001", "enterprise": at.Enterprise, "form": form,
				"officer": at.OfficerA, "status": "draft"}), // an update of a missing record creates it
		}),
	})
	status, answer := officer.push(first)
	if status != 200 || len(answer) != 0 {
		t.Fatalf("push: %d %v", status, answer)
	}
	e, err := app.FindRecordById("enterprises", deviceID)
	if err != nil || e.GetInt("employees") != 35 {
		t.Fatalf("created enterprise: %v %v", e, err)
	}
	s, err := app.FindRecordById("surveys", uuid)
	if err != nil || s.GetString("status") != "submitted" || s.GetDateTime("visited_at").Time().UnixMilli() != 1772000000000 {
		t.Fatalf("created survey: %v %v", s, err)
	}
	if r, _ := app.FindRecordById("surveys", at.SurveyDraftA); r.GetString("notes") != "老板说下周再来" {
		t.Errorf("update not applied: %q", r.GetString("notes"))
	}
	if _, err := app.FindRecordById("surveys", "MissingSurvey001"); err != nil {
		t.Errorf("an update of a missing record must create it: %v", err)
	}

	// The device's next pull sends its own records back as updated, never as created, so
	// WatermelonDB does not take them for strangers.
	a := officer.pull()
	for _, table := range []string{"enterprises", "surveys"} {
		if n := len(a.Changes[table].Created); n != 0 {
			t.Errorf("%s: %d pushed records came back as created: %v", table, n, ids(a.Changes[table].Created))
		}
	}
	if !has(ids(a.Changes["surveys"].Updated), uuid) {
		t.Errorf("pushed survey missing from the next pull's updated: %v", ids(a.Changes["surveys"].Updated))
	}

	// A retried push — the same records with the same last_pulled_at, its first answer lost
	// before the device could pull — is no conflict (every record already holds the pushed
	// values) and is applied once, not duplicated.
	retry := *officer
	retry.last = firstPull
	count, _ := app.CountRecords("enterprises")
	surveys, _ := app.CountRecords("surveys")
	if status, answer := retry.push(first); status != 200 || len(answer) != 0 {
		t.Errorf("the first push replayed with its own last_pulled_at: %d %v", status, answer)
	}
	if n, _ := app.CountRecords("enterprises"); n != count {
		t.Errorf("the replayed push made %d enterprises of %d", n, count)
	}
	if n, _ := app.CountRecords("surveys"); n != surveys {
		t.Errorf("the replayed push made %d surveys of %d", n, surveys)
	}
	// And pushed again after a pull in between, as a new push of the same values.
	officer.last = a.Timestamp
	status, answer = officer.push(tables(map[string]map[string]any{
		"enterprises": set([]map[string]any{wm("created", map[string]any{"id": deviceID, "name": "大足新兴五金厂",
			"uscc": at.ValidUSCC3, "industry": "hardware", "location": `{"lon":105.72,"lat":29.7}`, "employees": 35})}, nil),
	}))
	if n, _ := app.CountRecords("enterprises"); status != 200 || n != count {
		t.Errorf("retried push: %d %v, %d enterprises (had %d)", status, answer, n, count)
	}

	// Deleting a record that is already gone is no error.
	status, answer = officer.push(tables(map[string]map[string]any{"surveys": set(nil, nil, "GoneForGood00001")}))
	if status != 200 {
		t.Errorf("delete of a missing record: %d %v", status, answer)
	}
	// And a real delete of an own draft works.
	status, _ = officer.push(tables(map[string]map[string]any{"surveys": set(nil, nil, "MissingSurvey001")}))
	if _, err := app.FindRecordById("surveys", "MissingSurvey001"); status != 200 || err == nil {
		t.Errorf("delete: %d, still there: %v", status, err == nil)
	}
}

func TestPushConflictWritesNothing(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	// Someone changes the draft on the server after the device's pull.
	r, _ := app.FindRecordById("surveys", at.SurveyDraftA)
	r.Set("notes", "管理员改过")
	at.Save(t, app, r)
	gone, _ := app.FindRecordById("needs", at.NeedOpenA)
	if err := app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	status, answer := officer.push(tables(map[string]map[string]any{
		"enterprises": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.Enterprise, "town": "中敖镇"})}),
		"surveys":     set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftA, "notes": "设备上写的"})}),
		"needs":       set(nil, []map[string]any{wm("updated", map[string]any{"id": at.NeedOpenA, "title": "还要"})}),
	}))
	conflicts, _ := answer["conflicts"].(map[string]any)
	if status != http.StatusConflict || !strings.Contains(jsonOf(conflicts["surveys"]), at.SurveyDraftA) ||
		!strings.Contains(jsonOf(conflicts["needs"]), at.NeedOpenA) || conflicts["enterprises"] != nil {
		t.Fatalf("want 409 naming the survey and the deleted need: %d %v", status, answer)
	}
	if e, _ := app.FindRecordById("enterprises", at.Enterprise); e.GetString("town") == "中敖镇" {
		t.Error("a push with conflicts wrote its other records")
	}
	if _, err := app.FindRecordById("needs", at.NeedOpenA); err == nil {
		t.Error("a conflicting update resurrected a deleted record")
	}
	// WatermelonDB now pulls, merges and pushes again: that push goes through.
	officer.pull()
	status, answer = officer.push(tables(map[string]map[string]any{
		"surveys": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftA, "notes": "设备上写的"})}),
	}))
	if r, _ := app.FindRecordById("surveys", at.SurveyDraftA); status != 200 || r.GetString("notes") != "设备上写的" {
		t.Errorf("push after pull: %d %v", status, answer)
	}
}

func TestRefusedRecordsAreKeptInSyncRejects(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	form, _ := at.PublishedFormID(app)
	foreign := wm("created", map[string]any{"id": "ForeignSurvey001", "enterprise": at.Enterprise, "form": form,
		"officer": at.OfficerB, "status": "draft", "notes": "王芳在现场记下的"})
	badAnswers := wm("updated", map[string]any{"id": at.SurveyDraftA, "status": "submitted", "answers": `{"rd":{"spend_wan":-1,"staff":2}}`})
	status, answer := officer.push(tables(map[string]map[string]any{
		"enterprises": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.Enterprise, "town": "中敖镇"})}),
		"surveys":     set([]map[string]any{foreign}, []map[string]any{badAnswers}),
	}))
	rejected := jsonOf(answer["experimentalRejectedIds"])
	if status != 200 || !strings.Contains(rejected, "ForeignSurvey001") || !strings.Contains(rejected, at.SurveyDraftA) {
		t.Fatalf("want both surveys rejected: %d %v", status, answer)
	}
	if e, _ := app.FindRecordById("enterprises", at.Enterprise); e.GetString("town") != "中敖镇" {
		t.Error("the acceptable record of the push was not applied")
	}
	if _, err := app.FindRecordById("surveys", "ForeignSurvey001"); err == nil {
		t.Error("a refused record was written")
	}
	if r, _ := app.FindRecordById("surveys", at.SurveyDraftA); r.GetString("status") != "draft" {
		t.Error("a refused update was written")
	}

	// The author reads what was refused and why; so do admins; nobody else.
	status, body := officer.request(http.MethodGet, "/api/collections/sync_rejects/records?sort=record_id", nil)
	text := string(body)
	if status != 200 || !strings.Contains(text, `"totalItems":2`) || !strings.Contains(text, "王芳在现场记下的") ||
		!strings.Contains(text, "sync_rule_denied") || !strings.Contains(text, "/rd/spend_wan") {
		t.Fatalf("author's sync_rejects: %d %s", status, body)
	}
	if _, body := officer.as(at.Admin, app).request(http.MethodGet, "/api/collections/sync_rejects/records", nil); !strings.Contains(string(body), `"totalItems":2`) {
		t.Errorf("admin's sync_rejects: %s", body)
	}
	if _, body := officer.as(at.OfficerB, app).request(http.MethodGet, "/api/collections/sync_rejects/records", nil); !strings.Contains(string(body), `"totalItems":0`) {
		t.Errorf("another officer sees the rejects: %s", body)
	}

	// The device keeps the record unsynced and pushes it again next time: one row, refreshed.
	foreign["notes"] = "补充：联系人电话已核实"
	officer.pull()
	officer.push(tables(map[string]map[string]any{"surveys": set([]map[string]any{foreign}, nil)}))
	rows, err := app.FindRecordsByFilter("sync_rejects", "record_id = 'ForeignSurvey001'", "", 0, 0)
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].GetString("raw"), "联系人电话已核实") {
		t.Errorf("re-pushed reject: %d rows, %v", len(rows), err)
	}
	if msg := rows[0].GetString("message"); msg != "rule: The collection's rules do not let you create this record." {
		t.Errorf("reject message %q", msg)
	}

	// Fixed on the device, the record goes through and its reject row goes away.
	foreign["officer"] = at.OfficerA
	officer.pull()
	status, answer = officer.push(tables(map[string]map[string]any{"surveys": set([]map[string]any{foreign}, nil)}))
	rows, _ = app.FindRecordsByFilter("sync_rejects", "record_id = 'ForeignSurvey001'", "", 0, 0)
	if status != 200 || len(answer) != 0 || len(rows) != 0 {
		t.Errorf("fixed record: %d %v, %d reject rows left", status, answer, len(rows))
	}
}

func TestPushRefusesBadInputAndWritesNothing(t *testing.T) {
	app, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	trip := func(extra map[string]any) map[string]any {
		raw := map[string]any{"id": "NewTripOfEngA001", "engineer": at.EngineerRecA, "from_city": "chengdu", "to_city": "dazu",
			"mode": "hsr", "depart_at": 1775000000000, "arrive_at": 1775004200000}
		for k, v := range extra {
			raw[k] = v
		}
		return wm("created", raw)
	}
	one := func(raw map[string]any) string {
		b, _ := json.Marshal(map[string]any{"changes": tables(map[string]map[string]any{"commute_logs": set([]map[string]any{raw}, nil)})})
		return string(b)
	}
	cases := []struct {
		name, query, body string
		status            int
		want              string
	}{
		{"malformed JSON", "?last_pulled_at={last}", `{"changes": {`, 400, "sync_bad_json"},
		{"trailing garbage", "?last_pulled_at={last}", `{"changes": {}} {}`, 400, "more after its JSON"},
		{"no last_pulled_at", "", one(trip(nil)), 400, "sync_bad_last_pulled_at"},
		{"a string where a number goes", "?last_pulled_at={last}", one(trip(map[string]any{"depart_at": "2026-04-01"})), 400, `"commute_logs.created.0.depart_at":{"code":"sync_bad_value","message":"The value must be milliseconds`},
		{"a number where a string goes", "?last_pulled_at={last}", one(trip(map[string]any{"mode": 3})), 400, `"commute_logs.created.0.mode":{"code":"sync_bad_value"`},
		{"file columns are the server's: a pushed file name is ignored", "?last_pulled_at={last}", one(trip(map[string]any{"ticket": "forged.pdf", "note": "ok"})), 200, ""},
		{"unknown column", "?last_pulled_at={last}", one(trip(map[string]any{"seat": "12F"})), 400, "sync_unknown_column"},
		{"id with other characters", "?last_pulled_at={last}", one(trip(map[string]any{"id": "trip/../../etc01"})), 400, "sync_bad_id"},
		{"id of 20 characters", "?last_pulled_at={last}", one(trip(map[string]any{"id": "AbCdEfGh123456789012"})), 400, "sync_bad_id"},
		{"id of 32 hex digits, a UUID without its dashes", "?last_pulled_at={last}", one(trip(map[string]any{"id": "0123456789abcdef0123456789abcdef"})), 400, "sync_bad_id"},
		{"records in a table the server does not sync", "?last_pulled_at={last}",
			`{"changes":{"photos":{"created":[{"id":"AbCdEfGh12345678"}],"updated":[],"deleted":[]}}}`, 400, "sync_unknown_table"},
		{"the same record twice", "?last_pulled_at={last}",
			`{"changes":{"commute_logs":{"created":[],"updated":[{"id":"` + at.CommuteA + `"}],"deleted":["` + at.CommuteA + `"]}}}`, 400, "sync_duplicate_id"},
	}
	count, _ := app.CountRecords("commute_logs")
	for _, c := range cases {
		q := strings.ReplaceAll(c.query, "{last}", itoa(engineer.last))
		status, body := engineer.request(http.MethodPost, "/api/sync/push"+q, []byte(c.body))
		if status != c.status || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
		if c.status != 200 {
			if n, _ := app.CountRecords("commute_logs"); n != count {
				t.Fatalf("%s wrote a record", c.name)
			}
		} else {
			count++
			if r, err := app.FindRecordById("commute_logs", "NewTripOfEngA001"); err != nil || r.GetString("ticket") != "" || r.GetString("note") != "ok" {
				t.Errorf("%s: file columns are read-only in sync: %v %v", c.name, r, err)
			}
		}
	}
	// The lastPulledAt of the body is accepted as well as the query parameter.
	status, body := engineer.request(http.MethodPost, "/api/sync/push",
		[]byte(`{"lastPulledAt":`+itoa(engineer.last)+`,"changes":{"schedules":{"created":[],"updated":[{"id":"`+at.ScheduleA+`","employer":"大足五金"}],"deleted":[]}}}`))
	if status != 200 {
		t.Errorf("lastPulledAt in the body: %d %s", status, body)
	}
	// Over the size limit.
	huge := `{"changes":{"commute_logs":{"created":[{"id":"NewTripOfEngA002","note":"` + strings.Repeat("长", 6<<20) + `"}]}}}`
	if status, body := engineer.request(http.MethodPost, "/api/sync/push?last_pulled_at="+itoa(engineer.last), []byte(huge)); status != 413 {
		t.Errorf("oversized push: %d %.200s", status, body)
	}
	// No token.
	if status, _ := (&device{t: t, base: engineer.base}).request(http.MethodPost, "/api/sync/push?last_pulled_at=1", []byte(`{"changes":{}}`)); status != 401 {
		t.Errorf("anonymous push: %d", status)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPushedUpdatesAreJudgedByWhatChanges pushes a returned survey the way WatermelonDB does,
// every column included: an untouched status must not read as a request to set it.
func TestPushedUpdatesAreJudgedByWhatChanges(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	a := officer.pull()
	var raw map[string]any
	for _, r := range a.Changes["surveys"].Created {
		if r["id"] == at.SurveyReturnedA {
			raw = r
		}
	}
	raw["notes"] = "按退回意见补充了设备清单"
	status, answer := officer.push(tables(map[string]map[string]any{"surveys": set(nil, []map[string]any{wm("updated", raw)})}))
	if r, _ := app.FindRecordById("surveys", at.SurveyReturnedA); status != 200 || len(answer) != 0 || r.GetString("notes") != "按退回意见补充了设备清单" {
		t.Fatalf("editing a returned survey: %d %v", status, answer)
	}
	// Whereas moving it to reviewed is still refused.
	officer.pull()
	raw["status"] = "reviewed"
	status, answer = officer.push(tables(map[string]map[string]any{"surveys": set(nil, []map[string]any{wm("updated", raw)})}))
	if status != 200 || !strings.Contains(jsonOf(answer), at.SurveyReturnedA) {
		t.Fatalf("an officer reviewing by sync: %d %v", status, answer)
	}
	// The administrator's note came down with the survey, and is not the officer's to change.
	if raw["review_note"] != at.ReturnedNote {
		t.Fatalf("pulled review_note %q, want %q", raw["review_note"], at.ReturnedNote)
	}
	officer.pull()
	raw["status"], raw["review_note"] = "submitted", ""
	status, answer = officer.push(tables(map[string]map[string]any{"surveys": set(nil, []map[string]any{wm("updated", raw)})}))
	if r, _ := app.FindRecordById("surveys", at.SurveyReturnedA); status != 200 || !strings.Contains(jsonOf(answer), at.SurveyReturnedA) ||
		r.GetString("review_note") != at.ReturnedNote || r.GetString("status") != "returned" {
		t.Fatalf("an officer clearing the note by sync: %d %v", status, answer)
	}
}

// TestARecordIsAppliedWholeOrNotAtAll: a hook that fails after the row was written (as the
// outbox's enqueue could) must not leave the row behind a rejected id.
func TestARecordIsAppliedWholeOrNotAtAll(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	app.OnRecordCreateExecute("enterprises").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString("name") == "写入后失败" {
			return errors.New("a hook failed after the insert")
		}
		return nil
	})
	officer.pull()
	status, answer := officer.push(tables(map[string]map[string]any{"enterprises": set([]map[string]any{
		wm("created", map[string]any{"id": "HalfWrittenEnt01", "name": "写入后失败", "uscc": at.ValidUSCC3, "industry": "other"}),
		wm("created", map[string]any{"id": "FineEnterprise01", "name": "正常企业", "uscc": usccFor(7), "industry": "other"}),
	}, nil)}))
	if status != 200 || !strings.Contains(jsonOf(answer), "HalfWrittenEnt01") {
		t.Fatalf("push: %d %v", status, answer)
	}
	if _, err := app.FindRecordById("enterprises", "HalfWrittenEnt01"); err == nil {
		t.Error("a rejected record was left written")
	}
	if _, err := app.FindRecordById("enterprises", "FineEnterprise01"); err != nil {
		t.Error("the other record of the push was not applied")
	}
}

// TestALongRefusalDoesNotBlockThePush: the reasons for a refusal can be longer than a message
// field; keeping them must not fail the push.
func TestALongRefusalDoesNotBlockThePush(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	var problems []string
	for i := 0; i < 80; i++ {
		problems = append(problems, `{"title":"x","field":"不存在的领域"}`)
	}
	answers := `{"rd":{"spend_wan":1,"staff":1},"talent_needs":[],"technology_problems":[` + strings.Join(problems, ",") + `]}`
	status, answer := officer.push(tables(map[string]map[string]any{
		"enterprises": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.Enterprise, "town": "万古镇"})}),
		"surveys":     set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftA, "status": "submitted", "answers": answers})}),
	}))
	if status != 200 || !strings.Contains(jsonOf(answer), at.SurveyDraftA) {
		t.Fatalf("push: %d %.300v", status, answer)
	}
	if e, _ := app.FindRecordById("enterprises", at.Enterprise); e.GetString("town") != "万古镇" {
		t.Error("the acceptable record was not applied")
	}
	rows, _ := app.FindRecordsByFilter("sync_rejects", "record_id = {:id}", "", 0, 0, map[string]any{"id": at.SurveyDraftA})
	if len(rows) != 1 || !strings.Contains(rows[0].GetString("raw"), "不存在的领域") {
		t.Errorf("the refused record was not kept whole: %d rows", len(rows))
	}
}

func TestAPushFromAnotherServersTimelineMustPullFirst(t *testing.T) {
	_, officer := newDevice(t, at.OfficerA)
	officer.pull()
	officer.last += 1 << 30
	status, answer := officer.push(tables(map[string]map[string]any{
		"surveys": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftA, "notes": "x"})}),
	}))
	if status != http.StatusConflict {
		t.Fatalf("push with a timestamp never given out: %d %v", status, answer)
	}
}

// TestACohortAndItsMembersInOnePush: an admin creates a cohort and its members in one push, the
// tables in order (the members' cohort exists when they are written). A coordinator's push
// creates the cohort but not the members: a coordinator alone enrols nobody (issue 9), they
// ask through enrolment_requests.
func TestACohortAndItsMembersInOnePush(t *testing.T) {
	app, admin := newDevice(t, at.Admin)
	admin.pull()
	status, answer := admin.push(tables(map[string]map[string]any{
		"cohorts": set([]map[string]any{wm("created", map[string]any{"id": "NewCohortPushed1", "name": "2027春季班",
			"coordinator": at.CoordinatorA})}, nil),
		"cohort_members": set([]map[string]any{
			wm("created", map[string]any{"id": "NewMemberPushed1", "cohort": "NewCohortPushed1", "engineer": at.EngineerRecA}),
		}, nil),
	}))
	if status != 200 || len(answer) != 0 {
		t.Fatalf("admin's push: %d %v", status, answer)
	}
	if _, err := app.FindRecordById("cohort_members", "NewMemberPushed1"); err != nil {
		t.Error("the member of the new cohort was not created")
	}

	coordinator := admin.as(at.CoordinatorA, app)
	coordinator.pull()
	status, answer = coordinator.push(tables(map[string]map[string]any{
		"cohorts": set([]map[string]any{wm("created", map[string]any{"id": "NewCohortPushed2", "name": "2027秋季班",
			"coordinator": at.CoordinatorA})}, nil),
		"cohort_members": set([]map[string]any{
			wm("created", map[string]any{"id": "NewMemberPushed2", "cohort": "NewCohortPushed2", "engineer": at.EngineerRecB}),
			wm("created", map[string]any{"id": "NewMemberPushed3", "cohort": at.CohortB, "engineer": at.EngineerRecA}),
		}, nil),
	}))
	if status != 200 || jsonOf(answer) != `{"experimentalRejectedIds":{"cohort_members":["NewMemberPushed2","NewMemberPushed3"]}}` {
		t.Fatalf("coordinator's push: %d %v", status, answer)
	}
	if _, err := app.FindRecordById("cohorts", "NewCohortPushed2"); err != nil {
		t.Error("the coordinator's new cohort was not created")
	}
}
