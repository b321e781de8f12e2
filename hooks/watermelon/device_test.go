package watermelon_test

import (
	"encoding/json"
	"feidi/hooks/validate"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
)

// device plays a phone app speaking the WatermelonDB sync protocol over real HTTP.
type device struct {
	t     testing.TB
	base  string
	token string
	last  int64 // 0 before the first pull
}

type tableChanges struct {
	Created []map[string]any `json:"created"`
	Updated []map[string]any `json:"updated"`
	Deleted []string         `json:"deleted"`
}

type pullAnswer struct {
	Changes   map[string]tableChanges `json:"changes"`
	Timestamp int64                   `json:"timestamp"`
	Strategy  string                  `json:"experimentalStrategy"`
}

func (d *device) request(method, path string, body []byte) (int, []byte) {
	d.t.Helper()
	return at.Client{T: d.t, Base: d.base, Token: d.token}.Do(method, path, body)
}

// pull pulls since the device's last pull and remembers the new timestamp.
func (d *device) pull() pullAnswer {
	d.t.Helper()
	path := "/api/sync/pull?schema_version=1"
	if d.last > 0 {
		path += fmt.Sprintf("&last_pulled_at=%d", d.last)
	}
	status, body := d.request(http.MethodGet, path, nil)
	if status != http.StatusOK {
		d.t.Fatalf("pull: %d %s", status, body)
	}
	var a pullAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		d.t.Fatalf("pull answer is not JSON: %v\n%s", err, body)
	}
	if a.Timestamp < d.last && a.Strategy == "" {
		d.t.Fatalf("pull timestamp went from %d to %d", d.last, a.Timestamp)
	}
	d.last = a.Timestamp
	return a
}

// push pushes changes as of the device's last pull.
func (d *device) push(changes map[string]any) (int, map[string]any) {
	d.t.Helper()
	body, _ := json.Marshal(map[string]any{"changes": changes})
	status, out := d.request(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", d.last), body)
	var answer map[string]any
	if err := json.Unmarshal(out, &answer); err != nil {
		d.t.Fatalf("push answer is not JSON: %v\n%s", err, out)
	}
	return status, answer
}

func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// ids lists the ids of raws.
func ids(raws []map[string]any) []string {
	var out []string
	for _, r := range raws {
		out = append(out, r["id"].(string))
	}
	return out
}

func has(list []string, id string) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return fmt.Sprint(n) }

// usccFor makes the i-th valid Dazu credit code for test enterprises.
func usccFor(i int) string {
	first := fmt.Sprintf("91500111MA7%06d", i)
	return first + string(validate.USCCCheckChar(first))
}

// enrol makes engineer (an engineers record) a member of cohort, as an approved enrolment does.
func enrol(t testing.TB, app core.App, cohort, engineer string) {
	t.Helper()
	members, err := app.FindCollectionByNameOrId("cohort_members")
	if err != nil {
		t.Fatal(err)
	}
	m := core.NewRecord(members)
	m.Load(map[string]any{"cohort": cohort, "engineer": engineer})
	at.Save(t, app, m)
}
