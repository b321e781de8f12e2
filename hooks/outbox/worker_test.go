package outbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"feidi/hooks/outbox"
	"feidi/integrations/delivery/deliverytest"
	"feidi/integrations/sharing"
)

// tick runs one pass of the worker over target.
func tick(t *testing.T, w *outbox.Worker, target string) int {
	t.Helper()
	n, err := w.Tick(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertDeliveredOnce checks what the receiver saw: every key applied exactly once, every
// signature valid.
func assertDeliveredOnce(t *testing.T, rcv *deliverytest.Receiver, keys ...string) {
	t.Helper()
	applied := rcv.Applied()
	if len(applied) != len(keys) {
		t.Fatalf("receiver applied %d events, want %d", len(applied), len(keys))
	}
	seen := map[string]bool{}
	for _, a := range applied {
		seen[a.Key] = true
	}
	for _, k := range keys {
		if !seen[k] {
			t.Fatalf("key %s was never applied", k)
		}
	}
	if n := rcv.BadSignatures(); n != 0 {
		t.Fatalf("%d requests failed signature verification", n)
	}
}

func TestDeliverySuccess(t *testing.T) {
	app, rcv := newApp(t)
	s := survey(t, app, "submitted")
	w, _ := newWorker(t, app, rcv)

	if n := tick(t, w, outbox.TargetSharing); n != 1 {
		t.Fatalf("%d attempts", n)
	}
	row := fresh(t, app, onlyRow(t, app))
	if row.GetString("status") != outbox.StatusDelivered || row.GetInt("attempts") != 1 ||
		row.GetInt("last_status") != 200 || row.GetDateTime("delivered_at").IsZero() || row.GetString("response") == "" {
		t.Fatalf("row %v", row.FieldsData())
	}
	assertDeliveredOnce(t, rcv.sharing, row.GetString("idempotency_key"))
	var env sharing.Envelope
	if err := json.Unmarshal(rcv.sharing.Applied()[0].Body, &env); err != nil || env.Type != sharing.SurveySubmitted ||
		env.ID != row.GetString("idempotency_key") || !strings.Contains(string(env.Data), s.Id) {
		t.Fatalf("envelope %+v: %v", env, err)
	}
	if n := tick(t, w, outbox.TargetSharing); n != 0 {
		t.Fatalf("a delivered row was attempted again (%d)", n)
	}
}

func TestDelivery503TwiceThenSuccess(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	w, clk := newWorker(t, app, rcv)
	rcv.sharing.FailNext(503, 503)

	tick(t, w, outbox.TargetSharing)
	row := fresh(t, app, onlyRow(t, app))
	if row.GetString("status") != outbox.StatusPending || row.GetInt("last_status") != 503 ||
		!row.GetDateTime("next_attempt_at").Time().After(clk.Now()) {
		t.Fatalf("after the first 503: %v", row.FieldsData())
	}
	if n := tick(t, w, outbox.TargetSharing); n != 0 {
		t.Fatal("retried before its backoff was over")
	}
	for range 2 {
		clk.Advance(testPolicy.MaxDelay)
		tick(t, w, outbox.TargetSharing)
	}
	row = fresh(t, app, row)
	if row.GetString("status") != outbox.StatusDelivered || row.GetInt("attempts") != 3 || row.GetString("last_error") != "" {
		t.Fatalf("after two 503s and a 200: %v", row.FieldsData())
	}
	key := row.GetString("idempotency_key")
	if hits := rcv.sharing.Hits(key); hits != 3 {
		t.Fatalf("receiver saw the key %d times, want 3 (same key each attempt)", hits)
	}
	assertDeliveredOnce(t, rcv.sharing, key)
}

func TestDeliveryTimeoutIsRetried(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	w, clk := newWorker(t, app, rcv)
	rcv.sharing.SetMode(deliverytest.Hang) // takes the event, never answers within the timeout

	tick(t, w, outbox.TargetSharing)
	row := fresh(t, app, onlyRow(t, app))
	if row.GetString("status") != outbox.StatusPending || row.GetInt("last_status") != 0 ||
		!strings.Contains(row.GetString("last_error"), "no answer within") {
		t.Fatalf("after the timeout: %v", row.FieldsData())
	}
	rcv.sharing.SetMode(deliverytest.Up)
	clk.Advance(testPolicy.MaxDelay)
	tick(t, w, outbox.TargetSharing)
	row = fresh(t, app, row)
	if row.GetString("status") != outbox.StatusDelivered {
		t.Fatalf("after the retry: %v", row.FieldsData())
	}
	// The receiver had applied the first request; the retry carried the same key and was
	// recognised as a duplicate.
	key := row.GetString("idempotency_key")
	if rcv.sharing.Hits(key) != 2 || !strings.Contains(row.GetString("response"), "duplicate") {
		t.Fatalf("hits %d, response %q", rcv.sharing.Hits(key), row.GetString("response"))
	}
	assertDeliveredOnce(t, rcv.sharing, key)
}

func TestPermanentRefusalIsDeadLettered(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	w, clk := newWorker(t, app, rcv)
	rcv.sharing.FailNext(http.StatusBadRequest)

	tick(t, w, outbox.TargetSharing)
	row := fresh(t, app, onlyRow(t, app))
	if row.GetString("status") != outbox.StatusDead || row.GetInt("last_status") != 400 || row.GetInt("attempts") != 1 ||
		!strings.Contains(row.GetString("response"), "scripted failure") || row.GetString("last_error") == "" {
		t.Fatalf("after a 400: %v", row.FieldsData())
	}
	clk.Advance(24 * time.Hour)
	if n := tick(t, w, outbox.TargetSharing); n != 0 {
		t.Fatal("a dead row was attempted again")
	}
}

func TestRetriesEndInDeadLetter(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	w, clk := newWorker(t, app, rcv)
	rcv.sharing.SetMode(deliverytest.Down)

	for range testPolicy.MaxAttempts + 2 {
		tick(t, w, outbox.TargetSharing)
		clk.Advance(testPolicy.MaxDelay)
	}
	row := fresh(t, app, onlyRow(t, app))
	if row.GetString("status") != outbox.StatusDead || row.GetInt("attempts") != testPolicy.MaxAttempts ||
		!strings.Contains(row.GetString("last_error"), "gave up after 5 attempts") {
		t.Fatalf("row %v", row.FieldsData())
	}
	if len(rcv.sharing.Applied()) != 0 {
		t.Fatal("a down receiver applied something")
	}
}

// The receiver is down while Feidi restarts, with one delivery in flight when the old worker
// stops; once it is up, each event arrives exactly once.
func TestRestartWhileReceiverDown(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	newRecord(t, app, "needs", map[string]any{"enterprise": enterprise2(t, app).Id,
		"created_by": user(t, app, "officer2@example.com", "officer").Id, "category": "talent",
		"title": "招聘热处理工程师", "status": "published"})
	keys := []string{}
	for _, r := range rows(t, app) {
		keys = append(keys, r.GetString("idempotency_key"))
	}

	// Down: the first worker retries in the background and fails.
	rcv.sharing.SetMode(deliverytest.Down)
	w1, clk1 := newWorker(t, app, rcv)
	if err := w1.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failed attempts while down", func() bool {
		for _, r := range rows(t, app) {
			if r.GetInt("attempts") < 2 {
				clk1.Advance(testPolicy.MaxDelay)
				return false
			}
		}
		return true
	})

	// The receiver takes the next request but never answers; the worker stops while it waits,
	// as a process stopped or killed mid-request would.
	rcv.sharing.SetMode(deliverytest.Hang)
	clk1.Advance(testPolicy.MaxDelay)
	inFlight := <-rcv.sharing.Hung()
	w1.Stop()
	rcv.sharing.SetMode(deliverytest.Down)
	row, err := app.FindFirstRecordByData(outbox.Collection, "idempotency_key", inFlight)
	if err != nil || row.GetString("status") != outbox.StatusDelivering {
		t.Fatalf("the in-flight row should be left delivering: %v %v", row, err)
	}

	// "Restart": a new worker on the same data, the receiver still down.
	hitsBefore := rcv.sharing.Hits(inFlight)
	w2, clk2 := newWorker(t, app, rcv)
	if err := w2.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the in-flight row to be retried after the restart", func() bool {
		clk2.Advance(testPolicy.MaxDelay)
		return rcv.sharing.Hits(inFlight) > hitsBefore
	})

	// Up: everything arrives, once.
	rcv.sharing.SetMode(deliverytest.Up)
	waitFor(t, "every row delivered", func() bool {
		clk2.Advance(testPolicy.MaxDelay)
		for _, r := range rows(t, app) {
			if r.GetString("status") != outbox.StatusDelivered {
				return false
			}
		}
		return true
	})
	w2.Stop()
	assertDeliveredOnce(t, rcv.sharing, keys...)
}

// TestAStrandedDeliveryIsTakenAgainAfterTheLease: an attempt whose outcome could not be written
// leaves its row delivering; once the lease has run out a loop takes it again, same key, and
// not before.
func TestAStrandedDeliveryIsTakenAgainAfterTheLease(t *testing.T) {
	app, rcv := newApp(t)
	survey(t, app, "submitted")
	w, c := newWorker(t, app, rcv)
	row := onlyRow(t, app)
	stranded := dbTime(c.Now().Add(-time.Minute))
	if _, err := app.DB().NewQuery("UPDATE outbox SET status = 'delivering', attempts = 1, updated = {:u} WHERE id = {:id}").
		Bind(map[string]any{"u": stranded, "id": row.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if n := tick(t, w, outbox.TargetSharing); n != 0 {
		t.Fatalf("a row within its lease was taken (%d)", n)
	}
	c.Advance(w.Lease)
	if n := tick(t, w, outbox.TargetSharing); n != 1 {
		t.Fatalf("a stranded row was not taken again after the lease (%d)", n)
	}
	row = fresh(t, app, row)
	if row.GetString("status") != outbox.StatusDelivered || row.GetInt("attempts") != 2 {
		t.Fatalf("row %v", row.FieldsData())
	}
	assertDeliveredOnce(t, rcv.sharing, row.GetString("idempotency_key"))
}

func dbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }
