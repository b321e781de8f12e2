package watermelon_test

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/watermelon"
)

// newDevice serves a fresh copy of the Enclave fixtures and returns a device signed in as user.
func newDevice(t *testing.T, user string) (*tests.TestApp, *device) {
	app := at.Enclave.App(t)
	base := at.Serve(t, app)
	return app, &device{t: t, base: base, token: at.Token(t, app, user)}
}

func (d *device) as(user string, app core.App) *device {
	return &device{t: d.t, base: d.base, token: at.Token(d.t, app, user)}
}

func TestSchemaDescribesTheSyncedTables(t *testing.T) {
	_, d := newDevice(t, at.OfficerA)
	status, body := d.request(http.MethodGet, "/api/sync/schema", nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var s struct {
		Version int `json:"version"`
		Tables  []struct {
			Name    string `json:"name"`
			Columns []struct {
				Name       string `json:"name"`
				Type       string `json:"type"`
				IsOptional bool   `json:"isOptional"`
				IsIndexed  bool   `json:"isIndexed"`
			} `json:"columns"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"commute_logs.depart_at": "number", "commute_logs.cost_yuan": "number", "commute_logs.ticket": "string",
		"surveys.answers": "string", "surveys.location": "string", "surveys.photos": "string", "surveys.status": "string",
		"survey_forms.published": "boolean", "cohort_members.engineer": "string", "schedules.day": "number",
	}
	got := map[string]string{}
	var names []string
	for _, tb := range s.Tables {
		names = append(names, tb.Name)
		for _, c := range tb.Columns {
			got[tb.Name+"."+c.Name] = c.Type
			if c.Name == "sync_seq" || c.Name == "id" {
				t.Errorf("%s.%s must not be a column", tb.Name, c.Name)
			}
			if tb.Name+"."+c.Name == "surveys.enterprise" && !c.IsIndexed {
				t.Error("relations are indexed")
			}
		}
	}
	if s.Version != 4 || strings.Join(names, ",") != strings.Join(watermelon.Tables, ",") {
		t.Fatalf("version %d, tables %v", s.Version, names)
	}
	for col, typ := range want {
		if got[col] != typ {
			t.Errorf("%s is %q, want %q", col, got[col], typ)
		}
	}
}

func TestFirstPullSendsWhatTheCallerMayList(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	a := officer.pull()
	if a.Timestamp <= 0 {
		t.Fatalf("timestamp %d", a.Timestamp)
	}
	surveys := ids(a.Changes["surveys"].Created)
	for _, id := range []string{at.SurveyDraftA, at.SurveySubmittedA, at.SurveyReturnedA} {
		if !has(surveys, id) {
			t.Errorf("officer A's pull lacks own survey %s", id)
		}
	}
	if has(surveys, at.SurveyDraftB) {
		t.Error("officer A was sent officer B's survey")
	}
	for _, table := range []string{"engineers", "schedules", "commute_logs", "cohorts", "cohort_members"} {
		if n := len(a.Changes[table].Created); n != 0 {
			t.Errorf("an officer was sent %d %s", n, table)
		}
	}
	// A raw: id plus one column per field; dates in ms, json and geoPoint as JSON text, no
	// bookkeeping of WatermelonDB's or ours.
	var raw map[string]any
	for _, r := range a.Changes["surveys"].Created {
		if r["id"] == at.SurveySubmittedA {
			raw = r
		}
	}
	if _, ok := raw["created"].(float64); !ok {
		t.Errorf("created is %T, want milliseconds", raw["created"])
	}
	if s, ok := raw["answers"].(string); !ok || !json.Valid([]byte(s)) {
		t.Errorf("answers is %#v, want JSON text", raw["answers"])
	}
	if raw["visited_at"] != nil {
		t.Errorf("an empty date is %#v, want null", raw["visited_at"])
	}
	for _, k := range []string{"_status", "_changed", "sync_seq", "collectionId"} {
		if _, ok := raw[k]; ok {
			t.Errorf("raw carries %s", k)
		}
	}

	// The engineer gets their own timetable and the published needs only.
	engineer := officer.as(at.EngineerA, app)
	e := engineer.pull()
	if !has(ids(e.Changes["schedules"].Created), at.ScheduleA) || has(ids(e.Changes["schedules"].Created), at.ScheduleB) {
		t.Errorf("engineer A schedules: %v", ids(e.Changes["schedules"].Created))
	}
	if got := ids(e.Changes["needs"].Created); len(got) != 1 || got[0] != at.NeedPublished {
		t.Errorf("engineer A needs: %v", got)
	}
}

func TestEveryWritePathAdvancesTheTimestamp(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	admin := officer.as(at.Admin, app)

	// 1. a hook-style write straight through the app (as the seed and the admin UI do)
	r, err := app.FindRecordById("surveys", at.SurveyDraftA)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("notes", "改于后台")
	at.Save(t, app, r)
	a := officer.pull()
	if !has(ids(a.Changes["surveys"].Updated), at.SurveyDraftA) {
		t.Fatalf("an app.Save was not pulled: %+v", a.Changes["surveys"])
	}
	// 2. REST
	status, body := admin.request(http.MethodPatch, "/api/collections/needs/records/"+at.NeedOpenA, []byte(`{"description":"经费已落实"}`))
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	a = officer.pull()
	if got := ids(a.Changes["needs"].Updated); len(got) != 1 || got[0] != at.NeedOpenA {
		t.Fatalf("a REST write was not pulled: %v", got)
	}
	// 3. raw SQL, which no hook sees
	if _, err := app.DB().NewQuery("UPDATE enterprises SET town = '宝顶镇' WHERE id = {:id}").Bind(map[string]any{"id": at.Enterprise}).Execute(); err != nil {
		t.Fatal(err)
	}
	a = officer.pull()
	if got := ids(a.Changes["enterprises"].Updated); len(got) != 1 || got[0] != at.Enterprise {
		t.Fatalf("a raw SQL write was not pulled: %v", got)
	}
	// Nothing changed: nothing is sent, and the timestamp stays a valid one.
	before := officer.last
	a = officer.pull()
	for table, c := range a.Changes {
		if len(c.Created)+len(c.Updated)+len(c.Deleted) > 0 {
			t.Errorf("%s: changes without a write: %+v", table, c)
		}
	}
	if a.Timestamp < before {
		t.Errorf("timestamp went back from %d to %d", before, a.Timestamp)
	}
}

// TestNoChangeIsMissedWhilePulling writes records while a device pulls in a loop: every record
// written must reach the device, whatever the interleaving.
func TestNoChangeIsMissedWhilePulling(t *testing.T) {
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	const writes = 60
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		col, _ := app.FindCollectionByNameOrId("enterprises")
		for i := 0; i < writes; i++ {
			r := core.NewRecord(col)
			r.Set("name", "并发企业")
			r.Set("industry", "other")
			r.Set("uscc", usccFor(i))
			if err := app.Save(r); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	seen := map[string]bool{}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		a := officer.pull()
		for _, r := range append(a.Changes["enterprises"].Created, a.Changes["enterprises"].Updated...) {
			seen[r["id"].(string)] = true
		}
	}
	a := officer.pull() // the writer has finished: one last pull
	for _, r := range append(a.Changes["enterprises"].Created, a.Changes["enterprises"].Updated...) {
		seen[r["id"].(string)] = true
	}
	all, err := app.FindAllRecords("enterprises")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.Id != at.Enterprise && r.Id != at.EnterpriseSpare && !seen[r.Id] {
			t.Errorf("enterprise %s was written but never pulled", r.Id)
		}
	}
	if len(all) != writes+2 {
		t.Fatalf("%d enterprises, want %d", len(all), writes+2)
	}
}

func TestDeletionsAndLostReachArePulledAsDeleted(t *testing.T) {
	app, coordinator := newDevice(t, at.CoordinatorA)
	first := coordinator.pull()
	if !has(ids(first.Changes["schedules"].Created), at.ScheduleA) || !has(ids(first.Changes["engineers"].Created), at.EngineerRecA) {
		t.Fatalf("coordinator A should see engineer A's records: %+v", first.Changes["schedules"])
	}
	officerA := coordinator.as(at.OfficerA, app)
	officerB := coordinator.as(at.OfficerB, app)
	officerA.pull()
	officerB.pull()

	// The engineer leaves the cohort: the coordinator's devices drop the engineer's records.
	member, _ := app.FindRecordById("cohort_members", at.MemberA)
	if err := app.Delete(member); err != nil {
		t.Fatal(err)
	}
	a := coordinator.pull()
	for table, id := range map[string]string{"cohort_members": at.MemberA, "engineers": at.EngineerRecA,
		"schedules": at.ScheduleA, "commute_logs": at.CommuteA} {
		if !has(a.Changes[table].Deleted, id) {
			t.Errorf("%s %s left the coordinator's reach but was not pulled as deleted: %v", table, id, a.Changes[table].Deleted)
		}
	}

	// A survey handed to another officer leaves officer A's devices and reaches officer B's.
	s, _ := app.FindRecordById("surveys", at.SurveyDraftA)
	s.Set("officer", at.OfficerB)
	at.Save(t, app, s)
	if a := officerA.pull(); !has(a.Changes["surveys"].Deleted, at.SurveyDraftA) {
		t.Errorf("handed-over survey not deleted on officer A's device: %+v", a.Changes["surveys"])
	}
	if b := officerB.pull(); !has(ids(b.Changes["surveys"].Created), at.SurveyDraftA) {
		t.Errorf("handed-over survey not created on officer B's device: %+v", b.Changes["surveys"])
	}

	// A deleted record is pulled as deleted by everyone who had it.
	n, _ := app.FindRecordById("needs", at.NeedOpenB)
	if err := app.Delete(n); err != nil {
		t.Fatal(err)
	}
	if b := officerB.pull(); !has(b.Changes["needs"].Deleted, at.NeedOpenB) {
		t.Errorf("deleted need not pulled as deleted: %+v", b.Changes["needs"])
	}
}

func TestADeviceAwayLongerThanTombstonesAreKeptIsReplaced(t *testing.T) {
	app, officer := newDevice(t, at.OfficerB)
	officer.pull()
	away := *officer // a second device of the same officer that then stays offline
	n, _ := app.FindRecordById("needs", at.NeedOpenB)
	if err := app.Delete(n); err != nil {
		t.Fatal(err)
	}
	officer.pull() // marks the need as gone from officer B's reach
	if err := watermelon.Prune(app, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a := away.pull()
	if a.Strategy != "replacement" {
		t.Fatalf("a device older than the tombstones must be replaced, got strategy %q", a.Strategy)
	}
	if !has(ids(a.Changes["surveys"].Updated), at.SurveyDraftB) || len(a.Changes["needs"].Updated) != 0 {
		t.Errorf("replacement must list everything the officer may see, and nothing else: %+v", a.Changes)
	}
	// A timestamp this server never gave out is treated the same way.
	away.last = 1 << 40
	if a := away.pull(); a.Strategy != "replacement" {
		t.Errorf("a timestamp from the future must be replaced, got %q", a.Strategy)
	}
}

func TestPullRefusesBadParameters(t *testing.T) {
	app, d := newDevice(t, at.OfficerA)
	defer watermelon.SetSchemaVersion(2)()
	cases := []struct{ name, query, want string }{
		{"schema newer than the server's", "schema_version=3", "sync_schema_too_new"},
		{"last_pulled_at not a number", "last_pulled_at=yesterday", "sync_bad_last_pulled_at"},
		{"migration that is not JSON", "schema_version=2&migration=%7Bfrom", "sync_bad_migration"},
		{"migration of an unknown table", "schema_version=2&" + query("migration", `{"from":1,"tables":["photos"],"columns":[]}`), "sync_unknown_table"},
		{"migration of an unknown column", "schema_version=2&" + query("migration", `{"from":1,"tables":[],"columns":[{"table":"surveys","column":"mood"}]}`), "sync_unknown_column"},
	}
	for _, c := range cases {
		status, body := d.request(http.MethodGet, "/api/sync/pull?"+c.query, nil)
		if status != 400 || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	// A migration from version 1 to 2 that added surveys.notes gets whole survey rows, even
	// those unchanged since the last pull.
	d.pull()
	status, body := d.request(http.MethodGet, "/api/sync/pull?schema_version=2&last_pulled_at="+itoa(d.last)+"&"+
		query("migration", `{"from":1,"tables":[],"columns":[{"table":"surveys","column":"notes"}]}`), nil)
	var a pullAnswer
	if status != 200 || json.Unmarshal(body, &a) != nil || len(a.Changes["surveys"].Updated) != 3 {
		t.Errorf("migration pull: %d %s", status, body)
	}
	// The same in the shape WatermelonDB's synchronize() sends: the added columns by table.
	d.pull()
	status, body = d.request(http.MethodGet, "/api/sync/pull?schema_version=2&last_pulled_at="+itoa(d.last)+"&"+
		query("migration", `{"from":1,"tables":[],"columns":[{"table":"surveys","columns":["review_note","notes"]}]}`), nil)
	a = pullAnswer{}
	if status != 200 || json.Unmarshal(body, &a) != nil || len(a.Changes["surveys"].Updated) != 3 {
		t.Errorf("migration pull in WatermelonDB's shape: %d %s", status, body)
	}
	status, body = d.request(http.MethodGet, "/api/sync/pull?schema_version=2&last_pulled_at="+itoa(d.last)+"&"+
		query("migration", `{"from":1,"tables":[],"columns":[{"table":"surveys","columns":["review_note","mood"]}]}`), nil)
	if status != 400 || !strings.Contains(string(body), "surveys.mood") {
		t.Errorf("migration naming an unknown column in WatermelonDB's shape: %d %s", status, body)
	}
	// No token, or a token that no longer works.
	anonymous := &device{t: t, base: d.base}
	if status, _ := anonymous.request(http.MethodGet, "/api/sync/pull", nil); status != 401 {
		t.Errorf("anonymous pull: %d", status)
	}
	u, _ := app.FindRecordById("users", at.OfficerA)
	u.RefreshTokenKey() // what a password change does: old tokens stop working
	at.Save(t, app, u)
	if status, _ := d.request(http.MethodGet, "/api/sync/pull", nil); status != 401 {
		t.Errorf("pull with a revoked token: %d", status)
	}
}

var idForm = regexp.MustCompile(`^[0-9A-Za-z]{16}$`)

func TestRESTCreatesDeviceStyleIds(t *testing.T) {
	_, d := newDevice(t, at.OfficerA)
	status, body := d.request(http.MethodPost, "/api/collections/enterprises/records",
		[]byte(`{"name":"大足新企业","industry":"other","uscc":"`+at.ValidUSCC3+`"}`))
	var r struct{ ID string }
	if status != 200 || json.Unmarshal(body, &r) != nil || !idForm.MatchString(r.ID) {
		t.Fatalf("%d %s", status, body)
	}
}

// TestReachFollowsRolesAndRules: a pull with nothing written since the last one skips the rule
// evaluation, so a change of role or of an API rule must count as a write.
func TestReachFollowsRolesAndRules(t *testing.T) {
	app, officerB := newDevice(t, at.OfficerB)
	admin := officerB.as(at.Admin, app)
	if a := admin.pull(); !has(ids(a.Changes["surveys"].Created), at.SurveyDraftB) {
		t.Fatal("an admin sees every survey")
	}
	officerB.pull()
	officerB.pull() // nothing written in between: served from the stored reach

	// Widen the needs rule: officer B now sees published needs of others.
	needs, _ := app.FindCollectionByNameOrId("needs")
	rule := *needs.ListRule + ` || status = "published"`
	needs.ListRule = &rule
	if err := app.Save(needs); err != nil {
		t.Fatal(err)
	}
	if a := officerB.pull(); !has(ids(a.Changes["needs"].Created), at.NeedPublished) {
		t.Errorf("a wider rule did not reach the device: %+v", a.Changes["needs"])
	}

	// The admin steps down to officer: the others' surveys leave their devices.
	admin.pull()
	u, _ := app.FindRecordById("users", at.Admin)
	u.Set("role", "officer")
	at.Save(t, app, u)
	if a := admin.pull(); !has(a.Changes["surveys"].Deleted, at.SurveyDraftB) {
		t.Errorf("a former admin keeps the others' surveys: %+v", a.Changes["surveys"])
	}
}

// TestAPushedRecordIsNewToTheUsersOtherDevices: reach is kept per user, but only the device that
// pushed a record holds it. Its other devices — whether they last pulled before or after the
// pusher's pull — must get it as created; WatermelonDB calls an update of a record it lacks a
// serious bug, and a creation of one it has likewise.
func TestAPushedRecordIsNewToTheUsersOtherDevices(t *testing.T) {
	app, phone := newDevice(t, at.EngineerA)
	tablet := phone.as(at.EngineerA, app)
	laptop := phone.as(at.EngineerA, app)
	tablet.pull()
	phone.pull()
	laptop.pull() // after the phone's pull, before its push
	const id = "PushedByPhone001"
	status, answer := phone.push(map[string]any{"commute_logs": map[string]any{"created": []map[string]any{{
		"id": id, "engineer": at.EngineerRecA, "from_city": "dazu", "to_city": "chengdu", "mode": "hsr",
		"depart_at": 1772704800000, "arrive_at": 1772709000000, "_status": "created", "_changed": ""}}}})
	if status != http.StatusOK || len(answer) != 0 {
		t.Fatalf("push: %d %v", status, answer)
	}
	for name, d := range map[string]*device{"phone": phone, "tablet": tablet, "laptop": laptop} {
		c := d.pull().Changes["commute_logs"]
		created, updated := has(ids(c.Created), id), has(ids(c.Updated), id)
		if want := name != "phone"; created != want || updated == want {
			t.Errorf("%s pulled the pushed record as created=%v updated=%v; want created=%v", name, created, updated, want)
		}
	}
}

// TestAReplacementListsEachRecordOnce: a device that migrated its schema while away longer than
// the tombstones are kept gets one bucket per record; WatermelonDB would create a record listed
// twice twice, and fail the whole batch.
func TestAReplacementListsEachRecordOnce(t *testing.T) {
	defer watermelon.SetSchemaVersion(2)()
	app, officer := newDevice(t, at.OfficerA)
	officer.pull()
	// Prune only moves the horizon when something is pruned: delete a record the officer had.
	n, _ := app.FindRecordById("needs", at.NeedOpenA)
	if err := app.Delete(n); err != nil {
		t.Fatal(err)
	}
	fresh := officer.as(at.OfficerA, app)
	fresh.pull()
	if err := watermelon.Prune(app, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	status, body := officer.request(http.MethodGet, "/api/sync/pull?schema_version=2&last_pulled_at="+itoa(officer.last)+"&"+
		query("migration", `{"from":1,"tables":["needs"],"columns":[{"table":"surveys","column":"notes"}]}`), nil)
	var a pullAnswer
	if status != 200 || json.Unmarshal(body, &a) != nil || a.Strategy != "replacement" {
		t.Fatalf("%d %s", status, body)
	}
	for table, c := range a.Changes {
		seen := map[string]bool{}
		for _, id := range append(ids(c.Created), ids(c.Updated)...) {
			if seen[id] {
				t.Errorf("%s %s is listed twice", table, id)
			}
			seen[id] = true
		}
	}
}

func TestPullIsGzippedForClientsThatAskForIt(t *testing.T) {
	_, d := newDevice(t, at.Admin)
	req, _ := http.NewRequest(http.MethodGet, d.base+"/api/sync/pull", nil)
	req.Header.Set("Authorization", d.token)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	zr, err := gzip.NewReader(res.Body)
	if res.Header.Get("Content-Encoding") != "gzip" || err != nil {
		t.Fatalf("Content-Encoding %q: %v", res.Header.Get("Content-Encoding"), err)
	}
	var a pullAnswer
	if err := json.NewDecoder(zr).Decode(&a); err != nil || a.Timestamp == 0 || len(a.Changes["surveys"].Created) == 0 {
		t.Fatalf("gzipped answer: %v %+v", err, a.Changes["surveys"])
	}
}

// TestIncrementalReachFollowsChangedRecords: between two pulls nothing that the rules read of
// other records changed, so the second pull judges only the rows changed since the first —
// and still sees a survey handed over, a record deleted, a record created. Then a membership
// (which the rules read through relations) brings an engineer's old, unchanged trips.
func TestIncrementalReachFollowsChangedRecords(t *testing.T) {
	app, officerA := newDevice(t, at.OfficerA)
	officerB := officerA.as(at.OfficerB, app)
	officerA.pull()
	officerB.pull()
	var epoch, before int64
	app.DB().NewQuery("SELECT epoch FROM _sync_state").Row(&epoch)

	s, _ := app.FindRecordById("surveys", at.SurveyDraftA)
	s.Set("officer", at.OfficerB)
	at.Save(t, app, s)
	n, _ := app.FindRecordById("needs", at.NeedOpenB)
	if err := app.Delete(n); err != nil {
		t.Fatal(err)
	}
	form, _ := at.PublishedFormID(app)
	c, _ := app.FindCollectionByNameOrId("surveys")
	fresh := core.NewRecord(c)
	fresh.Id = "FreshSurveyOfB01"
	fresh.Load(map[string]any{"enterprise": at.Enterprise, "form": form, "officer": at.OfficerB, "status": "draft"})
	at.Save(t, app, fresh)
	if app.DB().NewQuery("SELECT epoch FROM _sync_state").Row(&before); before != epoch {
		t.Fatal("a survey's own change moved the reach epoch: this test would not take the incremental path")
	}

	if a := officerA.pull(); !has(a.Changes["surveys"].Deleted, at.SurveyDraftA) || len(a.Changes["surveys"].Created) != 0 {
		t.Errorf("officer A after the handover: %+v", a.Changes["surveys"])
	}
	b := officerB.pull()
	if !has(ids(b.Changes["surveys"].Created), at.SurveyDraftA) || !has(ids(b.Changes["surveys"].Created), "FreshSurveyOfB01") {
		t.Errorf("officer B after the handover: %+v", b.Changes["surveys"])
	}
	if !has(b.Changes["needs"].Deleted, at.NeedOpenB) {
		t.Errorf("deleted need not pulled as deleted: %+v", b.Changes["needs"])
	}

	// An approved enrolment: coordinator A now sees engineer B's trip, which did not change.
	coordinator := officerA.as(at.CoordinatorA, app)
	if a := coordinator.pull(); has(ids(a.Changes["commute_logs"].Created), at.CommuteB) {
		t.Fatal("coordinator A sees engineer B before the enrolment")
	}
	enrol(t, app, at.CohortA, at.EngineerRecB)
	if a := coordinator.pull(); !has(ids(a.Changes["commute_logs"].Created), at.CommuteB) {
		t.Errorf("a new member's old trips did not reach the coordinator: %+v", a.Changes["commute_logs"])
	}
	// The member's next trip reaches the coordinator on the incremental path, the rule judged
	// through the back-relation from engineers to cohort_members.
	trips, _ := app.FindCollectionByNameOrId("commute_logs")
	trip := core.NewRecord(trips)
	trip.Id = "NextTripOfEngB01"
	trip.Load(map[string]any{"engineer": at.EngineerRecB, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
		"depart_at": "2026-03-09 10:00:00.000Z", "arrive_at": "2026-03-09 11:15:00.000Z"})
	at.Save(t, app, trip)
	app.DB().NewQuery("SELECT epoch FROM _sync_state").Row(&before)
	var userEpoch int64
	app.DB().NewQuery("SELECT epoch FROM _sync_users WHERE user_id = {:u}").Bind(map[string]any{"u": at.CoordinatorA}).Row(&userEpoch)
	if userEpoch != before {
		t.Fatal("the coordinator's reach is of another epoch: this part would not take the incremental path")
	}
	if a := coordinator.pull(); !has(ids(a.Changes["commute_logs"].Created), "NextTripOfEngB01") {
		t.Errorf("a member's new trip did not reach the coordinator: %+v", a.Changes["commute_logs"])
	}
}
