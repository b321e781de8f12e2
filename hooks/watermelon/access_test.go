package watermelon_test

import (
	"net/http"
	"strings"
	"testing"

	at "feidi/hooks/lib/apptest"
)

// The access rules hold through the sync door (issue 9): each test here failed before the fix.

// TestARelationNamingSeveralIdsIsJudgedAsStored: PocketBase stores the last id of a list pushed
// into a single relation, so that is the id the rules must judge.
func TestARelationNamingSeveralIdsIsJudgedAsStored(t *testing.T) {
	app, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	both := `["` + at.EngineerRecA + `","` + at.EngineerRecB + `"]`
	status, answer := engineer.push(tables(map[string]map[string]any{
		"commute_logs": set([]map[string]any{
			wm("created", map[string]any{"id": "SmuggledTrip0001", "engineer": both, "from_city": "chengdu", "to_city": "dazu",
				"mode": "hsr", "depart_at": 1775000000000, "arrive_at": 1775004200000}),
		}, []map[string]any{wm("updated", map[string]any{"id": at.CommuteA, "engineer": both})}),
		"schedules": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.ScheduleA, "engineer": both})}),
	}))
	rejected := jsonOf(answer["experimentalRejectedIds"])
	if status != 200 || !strings.Contains(rejected, at.CommuteA) || !strings.Contains(rejected, "SmuggledTrip0001") ||
		!strings.Contains(rejected, at.ScheduleA) {
		t.Fatalf("want all three refused: %d %v", status, answer)
	}
	if r, _ := app.FindRecordById("commute_logs", at.CommuteA); r.GetString("engineer") != at.EngineerRecA {
		t.Errorf("the trip moved to engineer %s", r.GetString("engineer"))
	}
	if r, _ := app.FindRecordById("schedules", at.ScheduleA); r.GetString("engineer") != at.EngineerRecA {
		t.Errorf("the schedule moved to engineer %s", r.GetString("engineer"))
	}
	if _, err := app.FindRecordById("commute_logs", "SmuggledTrip0001"); err == nil {
		t.Error("a trip was created for another engineer")
	}
	// The refusals name nothing of the other engineer's records.
	rows, _ := app.FindRecordsByFilter("sync_rejects", "user = {:u}", "", 0, 0, map[string]any{"u": at.EngineerA})
	for _, r := range rows {
		if msg := r.GetString("message") + r.GetString("errors"); strings.Contains(msg, at.CommuteB) || strings.Contains(msg, "Overlaps") {
			t.Errorf("a refusal describes another engineer's record: %s", msg)
		}
	}
	// The same multi-id trick on an own record still reads as the value stored: the own id last.
	status, answer = engineer.push(tables(map[string]map[string]any{
		"commute_logs": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.CommuteA,
			"engineer": `["` + at.EngineerRecB + `","` + at.EngineerRecA + `"]`, "note": "换乘"})}),
	}))
	if r, _ := app.FindRecordById("commute_logs", at.CommuteA); status != 200 || len(answer) != 0 ||
		r.GetString("engineer") != at.EngineerRecA || r.GetString("note") != "换乘" {
		t.Errorf("own id last: %d %v", status, answer)
	}
}

// TestAnEngineersTimelineIsTheirOwn: a trip at the time of another engineer's trip is no
// overlap, and its refusal, when it has one, names only the pusher's own trips.
func TestAnEngineersTimelineIsTheirOwn(t *testing.T) {
	_, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	// CommuteB, engineer B's, leaves at 2026-03-02 10:00Z; CommuteA, A's own, at the same time.
	status, answer := engineer.push(tables(map[string]map[string]any{"commute_logs": set([]map[string]any{
		wm("created", map[string]any{"id": "OverlapsOwnTrip1", "engineer": at.EngineerRecA, "from_city": "chengdu",
			"to_city": "dazu", "mode": "hsr", "depart_at": 1772445600000 + 600000, "arrive_at": 1772445600000 + 3600000}),
	}, nil)}))
	if status != 200 || !strings.Contains(jsonOf(answer), "OverlapsOwnTrip1") {
		t.Fatalf("an overlap with an own trip: %d %v", status, answer)
	}
	_, body := engineer.request(http.MethodGet, "/api/collections/sync_rejects/records", nil)
	if !strings.Contains(string(body), at.CommuteA) || strings.Contains(string(body), at.CommuteB) {
		t.Errorf("the refusal should name the own trip only: %s", body)
	}
}

// TestAPushLearnsNothingOfRecordsItCannotSee: whatever a caller pushes for a record they may
// not see — the stored value guessed right or wrong, an update or a delete, a record that is
// there or deleted — the answer is the same refusal, never a 409.
func TestAPushLearnsNothingOfRecordsItCannotSee(t *testing.T) {
	app, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	gone, _ := app.FindRecordById("schedules", at.ScheduleB)
	if err := app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	engineer.last = 1 // "I have seen nothing": every record changed after that
	pushes := []map[string]map[string]any{
		{"commute_logs": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.CommuteB, "cost_yuan": 180})})}, // the stored value
		{"commute_logs": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.CommuteB, "cost_yuan": 181})})}, // a wrong guess
		{"commute_logs": set(nil, nil, at.CommuteB)},
		{"surveys": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftB, "status": "draft"})})},
		{"surveys": set(nil, []map[string]any{wm("updated", map[string]any{"id": at.SurveyDraftB, "status": "submitted"})})},
	}
	for i, p := range pushes {
		status, answer := engineer.push(tables(p))
		if status != 200 || answer["experimentalRejectedIds"] == nil {
			t.Errorf("push %d: %d %v", i, status, answer)
		}
	}
	// A deleted record of somebody else's reads as an id never used: the create rule decides.
	for _, id := range []string{at.ScheduleB, "NeverUsedId00001"} {
		status, answer := engineer.push(tables(map[string]map[string]any{"schedules": set(nil, []map[string]any{
			wm("updated", map[string]any{"id": id, "engineer": at.EngineerRecB, "city": "dazu", "kind": "work",
				"starts_at": 1772499600000, "ends_at": 1772528400000})})}))
		if status != 200 || jsonOf(answer) != `{"experimentalRejectedIds":{"schedules":["`+id+`"]}}` {
			t.Errorf("%s: %d %v", id, status, answer)
		}
	}
	if r, _ := app.FindRecordById("commute_logs", at.CommuteB); r == nil || r.GetFloat("cost_yuan") != 180 {
		t.Error("another engineer's trip was changed or deleted")
	}
	// Whereas the caller's own record changed since their pull is a conflict, as before.
	own, _ := app.FindRecordById("commute_logs", at.CommuteA)
	own.Set("note", "服务器上改过")
	at.Save(t, app, own)
	status, _ := engineer.push(tables(map[string]map[string]any{"commute_logs": set(nil, []map[string]any{
		wm("updated", map[string]any{"id": at.CommuteA, "note": "设备上改的"})})}))
	if status != http.StatusConflict {
		t.Errorf("own record changed since the pull: %d", status)
	}
}

// TestAPushHasABoundedCost: more records than a push may carry answer 413 naming the limit;
// thousands of deletions of ids that do not exist are accepted and write nothing.
func TestAPushHasABoundedCost(t *testing.T) {
	app, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "NoSuchTrip" + strings.Repeat("0", 6-len(itoa(int64(i)))) + itoa(int64(i))
		}
		return out
	}
	status, answer := engineer.push(tables(map[string]map[string]any{"commute_logs": set(nil, nil, ids(10_001)...)}))
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(jsonOf(answer), "10000") {
		t.Errorf("10,001 records: %d %v", status, answer)
	}
	before, _ := app.CountRecords("commute_logs")
	status, answer = engineer.push(tables(map[string]map[string]any{"commute_logs": set(nil, nil, ids(10_000)...)}))
	if after, _ := app.CountRecords("commute_logs"); status != 200 || len(answer) != 0 || after != before {
		t.Errorf("10,000 deletions of nothing: %d %v, %d → %d trips", status, answer, before, after)
	}
}

// TestNumbersAndReferencesAreBounded: an absurd number and a relation to a record the writer
// may not see are refused through sync as through REST.
func TestNumbersAndReferencesAreBounded(t *testing.T) {
	app, engineer := newDevice(t, at.EngineerA)
	engineer.pull()
	status, answer := engineer.push(tables(map[string]map[string]any{"commute_logs": set(nil, []map[string]any{
		wm("updated", map[string]any{"id": at.CommuteA, "cost_yuan": 1e308})})}))
	if r, _ := app.FindRecordById("commute_logs", at.CommuteA); status != 200 || !strings.Contains(jsonOf(answer), at.CommuteA) || r.GetFloat("cost_yuan") != 96.5 {
		t.Errorf("cost 1e308: %d %v", status, answer)
	}
	officer := engineer.as(at.OfficerA, app)
	officer.pull()
	status, answer = officer.push(tables(map[string]map[string]any{"needs": set([]map[string]any{
		wm("created", map[string]any{"id": "NeedOnBsSurvey01", "enterprise": at.Enterprise, "survey": at.SurveyDraftB,
			"created_by": at.OfficerA, "category": "talent", "title": "借用别人的问卷", "status": "open"})}, nil)}))
	if _, err := app.FindRecordById("needs", "NeedOnBsSurvey01"); status != 200 || !strings.Contains(jsonOf(answer), "NeedOnBsSurvey01") || err == nil {
		t.Errorf("a need on another officer's survey by sync: %d %v", status, answer)
	}
	_, body := officer.request(http.MethodPost, "/api/collections/needs/records", []byte(`{"enterprise":"`+at.Enterprise+
		`","survey":"`+at.SurveyDraftB+`","created_by":"`+at.OfficerA+`","category":"talent","title":"借用","status":"open"}`))
	if !strings.Contains(string(body), "relation_not_visible") {
		t.Errorf("a need on another officer's survey by REST: %s", body)
	}
	_, body = officer.request(http.MethodPost, "/api/collections/needs/records", []byte(`{"enterprise":"`+at.Enterprise+
		`","survey":"`+at.SurveyDraftA+`","created_by":"`+at.OfficerA+`","category":"talent","title":"自己的问卷","status":"open"}`))
	if !strings.Contains(string(body), `"title":"自己的问卷"`) {
		t.Errorf("a need on the officer's own survey: %s", body)
	}
}
