package feed_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"feidi/hooks/lib/apptest"
)

// client is a user of the API over real HTTP on loopback.
type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

type key struct {
	ID   string            `json:"id"`
	Key  string            `json:"key"`
	URLs map[string]string `json:"urls"`
}

func (c client) newKey(body map[string]any) key {
	c.t.Helper()
	status, b := c.do("POST", "/api/feeds", body)
	if status != http.StatusCreated {
		c.t.Fatalf("make key %v: %d %s", body, status, b)
	}
	var k key
	if err := json.Unmarshal(b, &k); err != nil {
		c.t.Fatal(err)
	}
	return k
}

// fetch GETs a feed URL as Excel's "From Web" does: no header, the key in the URL. It returns
// the status and, for a 200, the CSV read back.
func fetch(t *testing.T, url string) (int, [][]string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) || !bytes.Contains(b, []byte("\r\n")) {
		t.Errorf("not CSV with a BOM and CRLF: %q", b[:min(len(b), 40)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, rows
}

func column(rows [][]string, i int) string {
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return strings.Join(out, ",")
}

// TestFeedAsItsUsersUseIt: a coordinator makes a key of their cohort, Excel reads the trips
// and the monthly table; a trip that syncs shows at the next refresh; the key never reaches
// the other cohort; revoked, it answers 401 at once; each use is logged.
func TestFeedAsItsUsersUseIt(t *testing.T) {
	app := apptest.Enclave.App(t)
	base := apptest.Serve(t, app)
	coord := client{t, base, apptest.Token(t, app, apptest.CoordinatorA)}
	engineer := client{t, base, apptest.Token(t, app, apptest.EngineerA)}

	k := coord.newKey(map[string]any{"name": "一班通勤看板", "cohort": apptest.CohortA})
	if !strings.HasPrefix(k.Key, "fdk_") || !strings.HasSuffix(k.URLs["commute_logs"], "/api/feeds/"+k.Key+"/commute_logs.csv") {
		t.Fatalf("key %+v", k)
	}
	trips := k.URLs["commute_logs"] + "?from=2026-03&to=2026-03"
	status, rows := fetch(t, trips)
	if status != http.StatusOK || column(rows, 0) != apptest.CommuteA {
		t.Fatalf("trips: %d %v, want only %s (cohort B's %s and %s stay out)", status, rows, apptest.CommuteA, apptest.CommuteB, apptest.CommuteNoLogin)
	}
	status, rows = fetch(t, k.URLs["engineer_months"]+"?from=2026-03&to=2026-04")
	if status != http.StatusOK || column(rows, 0) != apptest.EngineerRecA+","+apptest.EngineerRecA || rows[1][6] != "1" {
		t.Fatalf("engineer months: %d %v", status, rows)
	}

	// A trip syncs; the next refresh shows it.
	code, b := engineer.do("POST", "/api/collections/commute_logs/records", map[string]any{
		"engineer": apptest.EngineerRecA, "from_city": "dazu", "to_city": "chengdu", "mode": "hsr",
		"depart_at": "2026-03-04 10:00:00.000Z", "arrive_at": "2026-03-04 11:15:00.000Z", "distance_km": 230, "cost_yuan": 96.5})
	if code != http.StatusOK {
		t.Fatalf("new trip: %d %s", code, b)
	}
	var trip struct{ ID string }
	json.Unmarshal(b, &trip)
	if _, rows = fetch(t, trips); column(rows, 0) != apptest.CommuteA+","+trip.ID {
		t.Errorf("after the sync: %v", rows)
	}

	// Never another cohort's rows, never the needs.
	if status, _ := fetch(t, base+"/api/feeds/"+k.Key+"/needs.csv?from=2026-01&to=2026-12"); status != http.StatusNotFound {
		t.Errorf("needs through a cohort key: %d", status)
	}
	if code, b := coord.do("POST", "/api/feeds", map[string]any{"name": "二班", "cohort": apptest.CohortB}); code != http.StatusForbidden {
		t.Errorf("key of cohort B by coordinator A: %d %s", code, b)
	}

	// Revoked: 401 at once.
	if code, b := coord.do("POST", "/api/feeds/"+k.ID+"/revoke", nil); code != http.StatusOK || !strings.Contains(string(b), `"revoked_at":"2`) {
		t.Fatalf("revoke: %d %s", code, b)
	}
	if status, _ := fetch(t, trips); status != http.StatusUnauthorized {
		t.Errorf("revoked key: %d, want 401", status)
	}
	if status, _ := fetch(t, base+"/api/feeds/fdk_nosuchkey/commute_logs.csv"); status != http.StatusUnauthorized {
		t.Errorf("unknown key: %d, want 401", status)
	}

	// Each use is logged; the maker lists their keys, without the key's hash.
	uses, err := app.FindAllRecords("feed_uses")
	if err != nil || len(uses) != 5 {
		t.Fatalf("%d uses logged, want 5: %v", len(uses), err)
	}
	if last := uses[len(uses)-1]; last.GetInt("status") != http.StatusUnauthorized || last.GetString("table") != "commute_logs.csv" {
		t.Errorf("last use %v", last)
	}
	code, b = coord.do("GET", "/api/collections/feed_keys/records", nil)
	if code != http.StatusOK || !strings.Contains(string(b), `"uses":5`) || strings.Contains(string(b), "key_hash") || strings.Contains(string(b), k.Key) {
		t.Errorf("list: %d %s", code, b)
	}
	other := client{t, base, apptest.Token(t, app, apptest.CoordinatorB)}
	if code, b := other.do("GET", "/api/collections/feed_keys/records", nil); code != http.StatusOK || !strings.Contains(string(b), `"totalItems":0`) {
		t.Errorf("coordinator B lists: %d %s", code, b)
	}
	if code, _ := other.do("POST", "/api/feeds/"+k.ID+"/revoke", nil); code != http.StatusNotFound {
		t.Errorf("coordinator B revokes A's key: %d", code)
	}
}

// TestFeedOfNeedsIsForAdmins: an admin's key without a cohort feeds the needs; a coordinator
// cannot make one.
func TestFeedOfNeedsIsForAdmins(t *testing.T) {
	app := apptest.Enclave.App(t)
	base := apptest.Serve(t, app)
	admin := client{t, base, apptest.Token(t, app, apptest.Admin)}
	k := admin.newKey(map[string]any{"name": "需求看板"})
	need, err := app.FindRecordById("needs", apptest.NeedOpenA)
	if err != nil {
		t.Fatal(err)
	}
	m := need.GetDateTime("created").Time().Format("2006-01")
	status, rows := fetch(t, k.URLs["needs"]+"?from="+m+"&to="+m)
	if status != http.StatusOK || !strings.Contains(column(rows, 0), apptest.NeedOpenA) {
		t.Fatalf("needs: %d %v", status, rows)
	}
	coord := client{t, base, apptest.Token(t, app, apptest.CoordinatorA)}
	code, b := coord.do("POST", "/api/feeds", map[string]any{"name": "需求"})
	if code != http.StatusBadRequest || !strings.Contains(string(b), `"cohort":{"code":"validation_required"`) {
		t.Errorf("coordinator's needs key: %d %s", code, b)
	}
}

// TestFeedBadInput: refusals name the field, and are 4xx.
func TestFeedBadInput(t *testing.T) {
	app := apptest.Enclave.App(t)
	base := apptest.Serve(t, app)
	coord := client{t, base, apptest.Token(t, app, apptest.CoordinatorA)}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"cohort": apptest.CohortA}, "name"},
		{map[string]any{"name": "x", "cohort": "nosuchcohort0000"}, "cohort"},
		{map[string]any{"name": strings.Repeat("长", 101), "cohort": apptest.CohortA}, "name"},
	} {
		if code, b := coord.do("POST", "/api/feeds", c.body); code != http.StatusBadRequest || !strings.Contains(string(b), `"`+c.field+`":{"code"`) {
			t.Errorf("%v: %d %s", c.body, code, b)
		}
	}
	if code, _ := (client{t, base, ""}).do("POST", "/api/feeds", map[string]any{"name": "x", "cohort": apptest.CohortA}); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", code)
	}
	k := coord.newKey(map[string]any{"name": "一班", "cohort": apptest.CohortA})
	for url, field := range map[string]string{
		k.URLs["commute_logs"]:                                                "from", // the cohort has no dates: the period is needed
		k.URLs["commute_logs"] + "?from=2026-13&to=2026-01":                   "to",
		k.URLs["commute_logs"] + "?from=2024-01&to=2026-12":                   "to",
		base + "/api/feeds/" + k.Key + "/secrets.csv?from=2026-01&to=2026-01": "table",
	} {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode/100 != 4 || !strings.Contains(string(b), `"`+field+`":{"code"`) {
			t.Errorf("%s: %d %s", url, res.StatusCode, b)
		}
	}
}

// TestFeedKeyFollowsTheCoordinator: when the cohort passes to another coordinator, the old
// coordinator's key stops at once.
func TestFeedKeyFollowsTheCoordinator(t *testing.T) {
	app := apptest.Enclave.App(t)
	base := apptest.Serve(t, app)
	coord := client{t, base, apptest.Token(t, app, apptest.CoordinatorA)}
	k := coord.newKey(map[string]any{"name": "一班", "cohort": apptest.CohortA})
	url := k.URLs["engineer_months"] + "?from=2026-03&to=2026-03"
	if status, _ := fetch(t, url); status != http.StatusOK {
		t.Fatalf("before: %d", status)
	}
	cohort, err := app.FindRecordById("cohorts", apptest.CohortA)
	if err != nil {
		t.Fatal(err)
	}
	cohort.Set("coordinator", apptest.CoordinatorB)
	apptest.Save(t, app, cohort)
	if status, _ := fetch(t, url); status != http.StatusUnauthorized {
		t.Errorf("after the cohort passed to another coordinator: %d, want 401", status)
	}
}
