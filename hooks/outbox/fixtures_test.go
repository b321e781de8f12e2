package outbox_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
	"feidi/hooks/settings"
	"feidi/hooks/validate"
	"feidi/integrations/delivery"
	"feidi/integrations/delivery/deliverytest"
)

const (
	collegeSecret = "college-shared-secret"
	sharingSecret = "sharing-shared-secret"
	// attemptTimeout is the per-attempt timeout of the tests' clients: short, since the Hang
	// receiver never answers.
	attemptTimeout = 300 * time.Millisecond
)

// receivers plays both outside systems; settings points Feidi at them.
type receivers struct {
	college, sharing *deliverytest.Receiver
	settings         settings.Settings
}

func newReceivers(t *testing.T) receivers {
	r := receivers{college: deliverytest.NewReceiver(t, collegeSecret), sharing: deliverytest.NewReceiver(t, sharingSecret)}
	r.settings = settings.Defaults()
	r.settings.College = &delivery.Target{URL: r.college.URL, Secret: collegeSecret, Timeout: attemptTimeout}
	r.settings.Sharing = &delivery.Target{URL: r.sharing.URL, Secret: sharingSecret, Timeout: attemptTimeout}
	return r
}

// newApp starts a Feidi test app with both integrations pointed at fresh receivers.
func newApp(t *testing.T) (*tests.TestApp, receivers) {
	r := newReceivers(t)
	return apptest.NewWith(t, r.settings), r
}

// clock is the worker's time in tests: it moves only when told, so backoff needs no sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testPolicy retries after 1 to 10 minutes of the test clock; advancing it by 10 minutes makes
// every pending row due.
var testPolicy = outbox.Policy{MaxAttempts: 5, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute}

func newWorker(t *testing.T, app core.App, r receivers) (*outbox.Worker, *clock) {
	t.Helper()
	clients := outbox.NewClients(r.settings.College, r.settings.Sharing)
	// Rows are enqueued at the real time; the test clock starts after it.
	c := &clock{now: time.Now().Add(time.Minute)}
	w := outbox.NewWorker(app, clients)
	w.Now, w.Policy, w.Poll = c.Now, testPolicy, 10*time.Millisecond
	t.Cleanup(w.Stop)
	return w, c
}

// rows returns the outbox rows, oldest first.
func rows(t *testing.T, app core.App) []*core.Record {
	t.Helper()
	rs := []*core.Record{}
	// rowid: the order of writing (created is only to the millisecond)
	if err := app.RecordQuery(outbox.Collection).OrderBy("rowid").All(&rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func onlyRow(t *testing.T, app core.App) *core.Record {
	t.Helper()
	rs := rows(t, app)
	if len(rs) != 1 {
		t.Fatalf("want 1 outbox row, got %d", len(rs))
	}
	return rs[0]
}

func fresh(t *testing.T, app core.App, r *core.Record) *core.Record {
	t.Helper()
	f, err := app.FindRecordById(r.Collection().Name, r.Id)
	return apptest.Must(t, f, err)
}

// waitFor polls cond until it holds, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newRecord(t *testing.T, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	r := core.NewRecord(apptest.Must(t, c, err))
	r.Load(fields)
	return apptest.Save(t, app, r)
}

func user(t *testing.T, app core.App, email, role string) *core.Record {
	t.Helper()
	return newRecord(t, app, "users", map[string]any{"email": email, "password": "password-123",
		"passwordConfirm": "password-123", "role": role})
}

func enterprise(t *testing.T, app core.App) *core.Record {
	t.Helper()
	return newRecord(t, app, "enterprises", map[string]any{"name": "大足某五金制品有限公司",
		"uscc": "91350100M000100Y43", "industry": "hardware", "park": "shuangqiao_edz"})
}

// enterprise2 is a second firm, in Dazu (division 500111).
func enterprise2(t *testing.T, app core.App) *core.Record {
	t.Helper()
	const first17 = "91500111MA5U0000X"
	return newRecord(t, app, "enterprises", map[string]any{"name": "大足某汽摩配件有限公司",
		"uscc": first17 + string(validate.USCCCheckChar(first17)), "industry": "auto_moto"})
}

func needsForm(t *testing.T, app core.App) *core.Record {
	t.Helper()
	f, err := app.FindFirstRecordByData("survey_forms", "code", "enterprise_needs")
	return apptest.Must(t, f, err)
}

var validAnswers = map[string]any{"rd": map[string]any{"spend_wan": 120, "staff": 8},
	"technology_problems": []any{map[string]any{"title": "热处理工艺优化"}}, "talent_needs": []any{}}

func survey(t *testing.T, app core.App, status string) *core.Record {
	t.Helper()
	return newRecord(t, app, "surveys", map[string]any{"enterprise": enterprise(t, app).Id,
		"form": needsForm(t, app).Id, "officer": user(t, app, "officer@example.com", "officer").Id,
		"status": status, "answers": validAnswers, "visited_at": "2026-11-20 02:00:00.000Z"})
}

// payload decodes an outbox row's payload.
func payload[T any](t *testing.T, row *core.Record) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(row.GetString("payload")), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
