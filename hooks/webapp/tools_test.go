package webapp_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// required says whether a missing tool fails the test (CI) instead of skipping it.
func required() bool { return os.Getenv("FEIDI_REQUIRE_E2E") == "1" }

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if required() {
		t.Fatal(msg + " (FEIDI_REQUIRE_E2E=1)")
	}
	t.Skip(msg + "; set FEIDI_REQUIRE_E2E=1 to make its absence a failure")
}

var npmOnce sync.Once
var npmErr error
var npmOut []byte

// node returns the path of node after installing the pinned packages (npm ci) when they are
// missing; without node and npm the test is skipped, or fails under FEIDI_REQUIRE_E2E=1.
func node(t *testing.T) string {
	t.Helper()
	nodePath, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		skipOrFail(t, "the web app's tests need node and npm on PATH")
	}
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join("node_modules", "esbuild", "package.json")); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		npmOut, npmErr = cmd.CombinedOutput()
	})
	if npmErr != nil {
		t.Fatalf("npm ci in hooks/webapp: %v\n%s", npmErr, npmOut)
	}
	return nodePath
}

// chromium finds Debian's Chromium; without it the test is skipped, or fails under
// FEIDI_REQUIRE_E2E=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	skipOrFail(t, "the web app's end-to-end test needs Chromium (apt-get install chromium)")
	return ""
}
