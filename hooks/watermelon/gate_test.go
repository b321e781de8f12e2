package watermelon_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/settings"
	"feidi/hooks/watermelon"
)

// TestABusyServerSaysWhenToComeBack: with every slot taken, a sync that cannot start within
// the queue wait is answered 503 with a Retry-After, and nothing of it is written; once the
// slot is free the same push goes through.
func TestABusyServerSaysWhenToComeBack(t *testing.T) {
	cfg := settings.Defaults()
	cfg.SyncConcurrency, cfg.SyncQueueWait = 1, 50*time.Millisecond
	app := at.Enclave.AppWith(t, cfg)
	base := at.Serve(t, app)
	officer := &device{t: t, base: base, token: at.Token(t, app, at.OfficerA)}
	engineer := &device{t: t, base: base, token: at.Token(t, app, at.EngineerA)}
	engineer.pull()

	holding, release := make(chan struct{}), make(chan struct{})
	defer watermelon.BetweenRefreshSteps(func(core.App) { close(holding); <-release })()
	done := make(chan pullAnswer)
	go func() { done <- officer.pull() }()
	<-holding // the officer's pull holds the only slot

	push := map[string]any{"commute_logs": map[string]any{"created": []any{map[string]any{
		"id": "BusyServerTrip01", "engineer": at.EngineerRecA, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
		"depart_at": int64(1772960400000), "arrive_at": int64(1772964900000)}}, "updated": []any{}, "deleted": []any{}}}
	raw, _ := json.Marshal(map[string]any{"changes": push})
	status, _ := engineer.request(http.MethodPost, "/api/sync/push?last_pulled_at="+itoa(engineer.last), raw)
	if status != http.StatusServiceUnavailable {
		t.Fatalf("push while the server is busy: %d, want 503", status)
	}
	if _, err := app.FindRecordById("commute_logs", "BusyServerTrip01"); err == nil {
		t.Fatal("a push answered 503 was written")
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/sync/pull?last_pulled_at="+itoa(engineer.last), nil)
	req.Header.Set("Authorization", engineer.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusServiceUnavailable || err != nil || s < 1 {
		t.Fatalf("pull while busy: %d, Retry-After %q; want 503 with whole seconds", res.StatusCode, res.Header.Get("Retry-After"))
	}

	close(release)
	<-done
	if status, answer := engineer.push(push); status != http.StatusOK || len(answer) != 0 {
		t.Fatalf("the same push once the slot is free: %d %v", status, answer)
	}
	if _, err := app.FindRecordById("commute_logs", "BusyServerTrip01"); err != nil {
		t.Fatalf("the push that went through is not stored: %v", err)
	}
}
