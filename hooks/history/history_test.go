package history_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/history"
	at "feidi/hooks/lib/apptest"
)

type entry struct {
	Version   int            `json:"version"`
	Operation string         `json:"operation"`
	Door      string         `json:"door"`
	Actor     string         `json:"actor"`
	Before    map[string]any `json:"before"`
	After     map[string]any `json:"after"`
	Note      string         `json:"note"`
	Created   string         `json:"created"`
}

// versions reads a record's history straight from the table.
func versions(t *testing.T, app core.App, table, id string) []entry {
	t.Helper()
	rows, err := app.FindRecordsByFilter(history.Collection, "table = {:t} && record_id = {:id}", "version", 0, 0,
		map[string]any{"t": table, "id": id})
	if err != nil {
		t.Fatal(err)
	}
	var out []entry
	raw, _ := json.Marshal(rows)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// serve serves the Enclave fixtures; as returns a client of a fixture user ("" a guest,
// "superuser" the admin UI's caller).
func serve(t *testing.T) (app *tests.TestApp, as func(user string) at.Client) {
	app = at.Enclave.App(t)
	base := at.Serve(t, app)
	return app, func(user string) at.Client {
		switch user {
		case "":
			return at.Client{T: t, Base: base}
		case "superuser":
			return at.Client{T: t, Base: base, Token: at.SuperuserToken(t, app)}
		}
		return at.Client{T: t, Base: base, Token: at.Token(t, app, user)}
	}
}

// pushed pushes one table's changes as c's device after a pull; it returns the answer.
func pushed(t *testing.T, c at.Client, table, changes string) string {
	t.Helper()
	status, body := c.Text(http.MethodGet, "/api/sync/pull", "")
	if status != 200 {
		t.Fatalf("pull: %d %s", status, body)
	}
	var p struct{ Timestamp int64 }
	_ = json.Unmarshal([]byte(body), &p)
	status, body = c.Text(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", p.Timestamp),
		`{"changes":{"`+table+`":`+changes+`}}`)
	if status != 200 {
		t.Fatalf("push: %d %s", status, body)
	}
	return body
}

// TestEveryDoorLeavesAVersion: REST, the admin UI, the sync push and the system each write a
// version naming the door and the writer, with the changed fields old and new, creates and
// deletes whole.
func TestEveryDoorLeavesAVersion(t *testing.T) {
	app, as := serve(t)
	if got := versions(t, app, "commute_logs", at.CommuteA); len(got) != 1 || got[0].Operation != "create" || got[0].Door != "system" ||
		got[0].After["note"] != "" || got[0].After["cost_yuan"] != 96.5 || got[0].Before != nil {
		t.Fatalf("the fixture's create: %+v", got)
	}
	engineer := as(at.EngineerA)
	if status, body := engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"G8594次"}`); status != 200 {
		t.Fatalf("REST update: %d %s", status, body)
	}
	if status, body := as("superuser").Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"cost_yuan":101}`); status != 200 {
		t.Fatalf("admin UI update: %d %s", status, body)
	}
	if answer := pushed(t, engineer, "commute_logs", `{"created":[],"updated":[{"id":"`+at.CommuteA+`","note":"改签G8596次","_status":"updated","_changed":"note"}],"deleted":[]}`); strings.TrimSpace(answer) != "{}" {
		t.Fatalf("push answer: %s", answer)
	}
	r, err := app.FindRecordById("commute_logs", at.CommuteA)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("distance_km", 231)
	at.Save(t, app, r)
	if err := app.Delete(r); err != nil {
		t.Fatal(err)
	}
	got := versions(t, app, "commute_logs", at.CommuteA)
	want := []struct {
		op, door, actor, field string
		old, new               any
	}{
		{"create", "system", "", "note", nil, ""},
		{"update", "rest", at.EngineerA, "note", "", "G8594次"},
		{"update", "admin", "", "cost_yuan", 96.5, 101.0},
		{"update", "sync", at.EngineerA, "note", "G8594次", "改签G8596次"},
		{"update", "system", "", "distance_km", 230.0, 231.0},
		{"delete", "system", "", "note", "改签G8596次", nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d versions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Version != i+1 || g.Operation != w.op || g.Door != w.door || (w.actor != "" && g.Actor != w.actor) || g.Created == "" {
			t.Errorf("version %d: %+v, want %+v", i+1, g, w)
		}
		if g.Before[w.field] != w.old || g.After[w.field] != w.new {
			t.Errorf("version %d %s: %v → %v, want %v → %v", i+1, w.field, g.Before[w.field], g.After[w.field], w.old, w.new)
		}
		if w.op == "update" && (len(g.Before) != 1 || len(g.After) != 1) {
			t.Errorf("version %d names more than the changed field: %v → %v", i+1, g.Before, g.After)
		}
	}
	if got[2].Actor == "" {
		t.Error("the admin UI's version names no superuser")
	}
	if len(got[5].Before) < 8 || got[5].Before["engineer"] != at.EngineerRecA {
		t.Errorf("a delete keeps the whole record: %v", got[5].Before)
	}
	if _, hidden := got[0].After["sync_seq"]; hidden {
		t.Error("the hidden sync column is in history")
	}

	// a hook's write inside a request is the caller's: engineer B approves the enrolment
	// request, and hooks/enrolment makes the membership in that request's transaction
	if status, body := as(at.EngineerB).Text(http.MethodPatch, "/api/collections/enrolment_requests/records/"+at.RequestA, `{"status":"approved"}`); status != 200 {
		t.Fatalf("approve enrolment: %d %s", status, body)
	}
	m, err := app.FindFirstRecordByFilter("cohort_members", "cohort = {:c} && engineer = {:e}", map[string]any{"c": at.CohortA, "e": at.EngineerRecB})
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(t, app, "cohort_members", m.Id); len(got) != 1 || got[0].Door != "rest" || got[0].Actor != at.EngineerB {
		t.Errorf("the membership made by the approval: %+v", got)
	}
}

// TestWritesThatDoNotHappenLeaveNoVersion: a refused REST write, a refused record of a push, a
// rolled-back transaction and a retried push that changes nothing leave no version.
func TestWritesThatDoNotHappenLeaveNoVersion(t *testing.T) {
	app, as := serve(t)
	engineer := as(at.EngineerA)
	count := func() int {
		n, err := app.CountRecords(history.Collection)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	before := count()
	// arrival before departure: refused by the data rules
	if status, _ := engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA,
		`{"arrive_at":"2026-03-02 09:00:00.000Z"}`); status != 400 {
		t.Fatalf("bad REST update: %d", status)
	}
	if status, _ := engineer.Text(http.MethodPost, "/api/collections/commute_logs/records",
		`{"engineer":"`+at.EngineerRecB+`","from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":"2026-03-06 10:00:00.000Z","arrive_at":"2026-03-06 11:10:00.000Z"}`); status != 400 {
		t.Fatalf("REST create on another's engineer record: %d", status)
	}
	answer := pushed(t, engineer, "commute_logs", `{"created":[{"id":"RefusedTrip00001","engineer":"`+at.EngineerRecA+
		`","from_city":"dazu","to_city":"dazu","mode":"hsr","depart_at":1772900000000,"arrive_at":1772904000000,"_status":"created","_changed":""}],"updated":[],"deleted":[]}`)
	if !strings.Contains(answer, "RefusedTrip00001") {
		t.Fatalf("the bad trip went through: %s", answer)
	}
	err := app.RunInTransaction(func(tx core.App) error {
		r, err := tx.FindRecordById("commute_logs", at.CommuteA)
		if err != nil {
			return err
		}
		r.Set("note", "never")
		if err := tx.Save(r); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("the transaction committed")
	}
	if got := count(); got != before {
		t.Fatalf("%d versions after writes that did not happen, want %d", got, before)
	}

	trip := `{"created":[{"id":"PushedTrip000001","engineer":"` + at.EngineerRecA +
		`","from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":1772900000000,"arrive_at":1772904000000,"_status":"created","_changed":""}],"updated":[],"deleted":[]}`
	pushed(t, engineer, "commute_logs", trip)
	pushed(t, engineer, "commute_logs", trip) // the answer was lost: the device pushes it again
	if got := versions(t, app, "commute_logs", "PushedTrip000001"); len(got) != 1 || got[0].Door != "sync" {
		t.Fatalf("a retried push: %+v", got)
	}
	if got := count(); got != before+1 {
		t.Fatalf("%d versions, want %d", got, before+1)
	}
}

// TestHistoryIsReadUnderTheRecordsRule: whoever may view the record reads its history; others
// get 404, like the record itself; a deleted record's history is for admins.
func TestHistoryIsReadUnderTheRecordsRule(t *testing.T) {
	_, as := serve(t)
	path := "/api/history/commute_logs/" + at.CommuteA
	for user, want := range map[string]int{at.EngineerA: 200, at.CoordinatorA: 200, at.Admin: 200,
		at.EngineerB: 404, at.CoordinatorB: 404, at.OfficerA: 404, "": 401} {
		status, body := as(user).Text(http.MethodGet, path, "")
		if status != want {
			t.Errorf("%s reads the history: %d, want %d %s", user, status, want, body)
		}
		if status == 200 && !strings.Contains(body, `"operation":"create"`) {
			t.Errorf("%s: %s", user, body)
		}
		if status != 200 && strings.Contains(body, "cost_yuan") {
			t.Errorf("%s is told the record: %s", user, body)
		}
	}
	if status, _ := as(at.Admin).Text(http.MethodGet, "/api/history/sync_rejects/x", ""); status != 404 {
		t.Errorf("history of an unsynced table: %d", status)
	}
	if status, _ := as(at.EngineerA).Text(http.MethodDelete, "/api/collections/commute_logs/records/"+at.CommuteA, ""); status != 204 {
		t.Fatal("delete")
	}
	if status, _ := as(at.EngineerA).Text(http.MethodGet, path, ""); status != 404 {
		t.Errorf("engineer reads a deleted record's history: %d", status)
	}
	if status, body := as(at.Admin).Text(http.MethodGet, path, ""); status != 200 || !strings.Contains(body, `"operation":"delete"`) {
		t.Errorf("admin reads a deleted record's history: %d %s", status, body)
	}
	// admins also browse the collection itself (the admin UI shows it to superusers)
	if status, body := as(at.Admin).Text(http.MethodGet, "/api/collections/record_history/records?filter=record_id='"+at.CommuteA+"'", ""); status != 200 || !strings.Contains(body, `"totalItems":2`) {
		t.Errorf("admin lists record_history: %d %s", status, body)
	}
	if status, body := as(at.EngineerA).Text(http.MethodGet, "/api/collections/record_history/records", ""); status != 200 || !strings.Contains(body, `"totalItems":0`) {
		t.Errorf("an engineer lists record_history: %d %s", status, body)
	}
}

// TestAnAdminRestoresAnEarlierVersion: a field, then the whole record, then a deleted record
// are restored as new versions by the admin; devices pull the restored record; the data rules
// still apply; only admins restore.
func TestAnAdminRestoresAnEarlierVersion(t *testing.T) {
	app, as := serve(t)
	engineer, admin := as(at.EngineerA), as(at.Admin)
	engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"第一次","cost_yuan":120}`)
	engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"第二次"}`)
	restore := "/api/history/commute_logs/" + at.CommuteA + "/restore"
	if status, _ := engineer.Text(http.MethodPost, restore, `{"version":1}`); status != 403 {
		t.Errorf("an engineer restores: %d", status)
	}
	if status, body := admin.Text(http.MethodPost, restore, `{"version":2,"field":"note"}`); status != 200 || !strings.Contains(body, `"note":"第一次"`) {
		t.Fatalf("field restore: %d %s", status, body)
	}
	r, err := app.FindRecordById("commute_logs", at.CommuteA)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString("note") != "第一次" || r.GetFloat("cost_yuan") != 120 {
		t.Fatalf("after the field restore: %v", r)
	}
	if status, _ := admin.Text(http.MethodPost, restore, `{"version":1}`); status != 200 {
		t.Fatal("whole restore")
	}
	if r, err = app.FindRecordById("commute_logs", at.CommuteA); err != nil {
		t.Fatal(err)
	}
	if r.GetString("note") != "" || r.GetFloat("cost_yuan") != 96.5 {
		t.Fatalf("after the whole restore: note %q cost %v", r.GetString("note"), r.GetFloat("cost_yuan"))
	}
	got := versions(t, app, "commute_logs", at.CommuteA)
	if n := len(got); n != 5 || got[3].Door != "admin" || got[3].Actor != at.Admin || got[3].Note != "note restored from version 2" ||
		got[4].Note != "restored from version 1" || got[4].After["cost_yuan"] != 96.5 {
		t.Fatalf("restores as versions: %+v", got)
	}
	for _, bad := range []string{`{"version":99}`, `{"version":0}`, `{"version":1,"field":"sync_seq"}`, `{"version":1,"field":"nope"}`} {
		if status, body := admin.Text(http.MethodPost, restore, bad); status != 400 {
			t.Errorf("restore %s: %d %s", bad, status, body)
		}
	}

	// a deleted record comes back with its id, and reaches a device that had pulled its deletion
	status, body := engineer.Text(http.MethodGet, "/api/sync/pull", "")
	var p struct{ Timestamp int64 }
	_ = json.Unmarshal([]byte(body), &p)
	if status, _ := engineer.Text(http.MethodDelete, "/api/collections/commute_logs/records/"+at.CommuteA, ""); status != 204 {
		t.Fatal("delete")
	}
	_, body = engineer.Text(http.MethodGet, fmt.Sprintf("/api/sync/pull?last_pulled_at=%d", p.Timestamp), "")
	if !strings.Contains(body, `"deleted":["`+at.CommuteA+`"]`) {
		t.Fatalf("the deletion did not reach the device: %s", body)
	}
	_ = json.Unmarshal([]byte(body), &p)
	if status, body := admin.Text(http.MethodPost, restore, `{"version":6}`); status != 400 || !strings.Contains(body, "history_deleted_version") {
		t.Errorf("restoring the deletion itself: %d %s", status, body)
	}
	if status, body := admin.Text(http.MethodPost, restore, `{"version":5,"field":"note"}`); status != 400 {
		t.Errorf("a field of a deleted record: %d %s", status, body)
	}
	if status, body := admin.Text(http.MethodPost, restore, `{"version":5}`); status != 200 {
		t.Fatalf("restore of a deleted record: %d %s", status, body)
	}
	_, body = engineer.Text(http.MethodGet, fmt.Sprintf("/api/sync/pull?last_pulled_at=%d", p.Timestamp), "")
	if !strings.Contains(body, `"id":"`+at.CommuteA+`"`) {
		t.Fatalf("the restored record did not reach the device: %s", body)
	}
	got = versions(t, app, "commute_logs", at.CommuteA)
	if last := got[len(got)-1]; last.Version != 7 || last.Operation != "create" || last.Door != "admin" || last.Note != "restored from version 5" {
		t.Fatalf("the restore of a deleted record: %+v", last)
	}

	// the data rules apply to a restore: the trip moves, another takes its old time, and
	// restoring the old time would overlap it
	engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA,
		`{"depart_at":"2026-03-09 10:00:00.000Z","arrive_at":"2026-03-09 11:15:00.000Z"}`)
	status, body = engineer.Text(http.MethodPost, "/api/collections/commute_logs/records",
		`{"engineer":"`+at.EngineerRecA+`","from_city":"chengdu","to_city":"dazu","mode":"hsr","depart_at":"2026-03-02 10:30:00.000Z","arrive_at":"2026-03-02 11:40:00.000Z"}`)
	if status != 200 {
		t.Fatalf("a trip at the old time: %d %s", status, body)
	}
	if status, body := admin.Text(http.MethodPost, restore, `{"version":1}`); status != 400 || !strings.Contains(body, "depart_at") {
		t.Errorf("a restore that breaks the data rules: %d %s", status, body)
	}
}

// TestOldVersionsAreArchived: versions written before the cutoff go to the archive as JSON lines
// and leave the table, except each record's latest; numbering goes on after them.
func TestOldVersionsAreArchived(t *testing.T) {
	app, as := serve(t)
	engineer := as(at.EngineerA)
	for _, note := range []string{"一", "二"} {
		engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"`+note+`"}`)
	}
	// versions 1 to 3 of the trip, and every fixture's create, were written in 2025
	if _, err := app.DB().NewQuery(`UPDATE record_history SET created = '2025-06-01 00:00:00.000Z'
		WHERE NOT ([[table]] = 'commute_logs' AND record_id = {:id} AND version > 3)`).Bind(map[string]any{"id": at.CommuteA}).Execute(); err != nil {
		t.Fatal(err)
	}
	engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"三"}`)
	var archive bytes.Buffer
	n, err := history.Archive(app, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), &archive)
	if err != nil {
		t.Fatal(err)
	}
	var lines []entry // of the trip; the returned survey fixture's first version goes too
	sc := bufio.NewScanner(&archive)
	total := 0
	for sc.Scan() {
		var e struct {
			entry
			Table    string `json:"table"`
			RecordID string `json:"record_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		total++
		if e.Table == "commute_logs" && e.RecordID == at.CommuteA {
			lines = append(lines, e.entry)
		}
	}
	if n != total || n != 8 || len(lines) != 3 || lines[0].Version != 1 || lines[0].Operation != "create" || lines[2].After["note"] != "二" {
		t.Fatalf("archived %d (%d lines): %+v", n, total, lines)
	}
	got := versions(t, app, "commute_logs", at.CommuteA)
	if len(got) != 1 || got[0].Version != 4 || got[0].After["note"] != "三" {
		t.Fatalf("left: %+v", got)
	}
	if kept := versions(t, app, "schedules", at.ScheduleA); len(kept) != 1 || kept[0].Operation != "create" {
		t.Errorf("a record's only version was archived: %+v", kept)
	}
	engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA, `{"note":"四"}`)
	if got := versions(t, app, "commute_logs", at.CommuteA); len(got) != 2 || got[1].Version != 5 {
		t.Errorf("numbering after the archive: %+v", got)
	}
	if status, body := as(at.Admin).Text(http.MethodPost, "/api/history/commute_logs/"+at.CommuteA+"/restore", `{"version":2}`); status != 400 || !strings.Contains(body, "history_no_version") {
		t.Errorf("restore of an archived version: %d %s", status, body)
	}
}

// TestABatchIsItsCallersWrites: PocketBase's batch API (off unless an admin turns it on) is the
// REST door too: each write of the batch is a version by its caller, and a batch that fails
// leaves none of its versions.
func TestABatchIsItsCallersWrites(t *testing.T) {
	app, as := serve(t)
	app.Settings().Batch.Enabled = true
	app.Settings().Batch.MaxRequests = 10
	batch := `{"requests":[
		{"method":"PATCH","url":"/api/collections/commute_logs/records/` + at.CommuteA + `","body":{"note":"批量一"}},
		{"method":"PATCH","url":"/api/collections/schedules/records/` + at.ScheduleA + `","body":{"employer":"批量二"}}]}`
	if status, body := as(at.EngineerA).Text(http.MethodPost, "/api/batch", batch); status != 200 {
		t.Fatalf("batch: %d %s", status, body)
	}
	for table, id := range map[string]string{"commute_logs": at.CommuteA, "schedules": at.ScheduleA} {
		if got := versions(t, app, table, id); len(got) != 2 || got[1].Door != "rest" || got[1].Actor != at.EngineerA {
			t.Errorf("%s written by the batch: %+v", table, got)
		}
	}
	failing := `{"requests":[
		{"method":"PATCH","url":"/api/collections/commute_logs/records/` + at.CommuteA + `","body":{"note":"不会留下"}},
		{"method":"PATCH","url":"/api/collections/schedules/records/` + at.ScheduleA + `","body":{"ends_at":"2026-03-03 00:00:00.000Z"}}]}`
	if status, _ := as(at.EngineerA).Text(http.MethodPost, "/api/batch", failing); status != 400 {
		t.Fatalf("a failing batch: %d", status)
	}
	if got := versions(t, app, "commute_logs", at.CommuteA); len(got) != 2 {
		t.Errorf("a failed batch left versions: %+v", got)
	}
}

// TestStoredVersionsTakeAscendingIDsOfTheCollectionsForm: the rows a sync push and REST write
// take ids in the order they are written, each one the record_history collection's own id field
// accepts (as PocketBase's admin UI and API read and would save it).
func TestStoredVersionsTakeAscendingIDsOfTheCollectionsForm(t *testing.T) {
	app, as := serve(t)
	engineer := as(at.EngineerA)
	var last int64
	if err := app.DB().NewQuery("SELECT COALESCE(MAX(rowid), 0) FROM record_history").Row(&last); err != nil {
		t.Fatal(err)
	}
	// eight trips a day apart, logged forward in time, in one push; then an edit through REST
	var trips []string
	for i := range 8 {
		depart := int64(1772900000000) + int64(i)*86_400_000
		trips = append(trips, fmt.Sprintf(`{"id":"AscendingTrip%03d","engineer":%q,"from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":%d,"arrive_at":%d}`,
			i, at.EngineerRecA, depart, depart+4_000_000))
	}
	pushed(t, engineer, "commute_logs", `{"created":[`+strings.Join(trips, ",")+`],"updated":[],"deleted":[]}`)
	if status, body := engineer.Text(http.MethodPatch, "/api/collections/commute_logs/records/"+at.CommuteA,
		`{"note":"written after the push"}`); status != 200 {
		t.Fatalf("REST update: %d %s", status, body)
	}
	var ids []string
	if err := app.DB().NewQuery("SELECT id FROM record_history WHERE rowid > {:last} ORDER BY rowid").
		Bind(map[string]any{"last": last}).Column(&ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 9 {
		t.Fatalf("%d versions written, want 9: %v", len(ids), ids)
	}
	c, err := app.FindCollectionByNameOrId(history.Collection)
	if err != nil {
		t.Fatal(err)
	}
	field := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
	for i, id := range ids {
		if err := field.ValidatePlainValue(id); err != nil {
			t.Errorf("stored id %q: the collection's id field refuses it: %v", id, err)
		}
		if i > 0 && id <= ids[i-1] {
			t.Errorf("id %q written after %q does not ascend", id, ids[i-1])
		}
	}
}
