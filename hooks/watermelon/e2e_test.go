package watermelon_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	at "feidi/hooks/lib/apptest"
)

// TestWatermelonDBEndToEnd runs the real mobile client against a running Feidi: e2e/sync_e2e.js
// syncs two WatermelonDB databases (LokiJS adapter, under Node) of one engineer through the
// HTTP API — offline edits converge, a conflict resolves, a deletion travels, a refused
// record stays on its device and lands in sync_rejects, the value that lost a conflict is in
// the record's history, a push into a signed-off month is refused and kept. Without Node the
// test is skipped, unless FEIDI_REQUIRE_E2E=1 (as in CI).
func TestWatermelonDBEndToEnd(t *testing.T) {
	node, npm := lookNodeAndNpm(t)
	dir, err := filepath.Abs("e2e")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@nozbe", "watermelondb")); err != nil {
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}

	app := at.Enclave.App(t)
	base := at.Serve(t, app)
	tokens, _ := json.Marshal(map[string]string{"engineer": at.Token(t, app, at.EngineerA),
		"coordinator": at.Token(t, app, at.CoordinatorA), "admin": at.Token(t, app, at.Admin)})
	ids, _ := json.Marshal(map[string]string{
		"engineerUser":   at.EngineerA,
		"engineerRecord": at.EngineerRecA,
		"schedule":       at.ScheduleA,
		"commute":        at.CommuteA,
	})
	cmd := exec.CommandContext(ctx, node, "sync_e2e.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FEIDI_E2E_URL="+base, "FEIDI_E2E_TOKENS="+string(tokens), "FEIDI_E2E_IDS="+string(ids))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node sync_e2e.js: %v\n%s", err, out)
	}
	t.Logf("node sync_e2e.js:\n%s", out)
}

// lookNodeAndNpm finds node and npm, or skips the test when they are missing and not required.
func lookNodeAndNpm(t *testing.T) (node, npm string) {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode == nil && errNpm == nil {
		return node, npm
	}
	msg := "the WatermelonDB end-to-end test needs node and npm on PATH"
	if os.Getenv("FEIDI_REQUIRE_E2E") == "1" {
		t.Fatal(msg + " (FEIDI_REQUIRE_E2E=1)")
	}
	t.Skip(msg + "; set FEIDI_REQUIRE_E2E=1 to make their absence a failure")
	return "", ""
}
