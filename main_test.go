package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A bad setting stops `feidi serve` with a message naming its variable. The test builds the
// real binary and runs it in an environment without the developer's FEIDI_* variables.
func TestBadSettingStopsServe(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "feidi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var clean []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FEIDI_") {
			clean = append(clean, kv)
		}
	}
	cases := map[string][]string{
		"FEIDI_COLLEGE_URL":         {"FEIDI_COLLEGE_URL=college.example/api", "FEIDI_COLLEGE_SECRET=0123456789abcdef"},
		"FEIDI_SHARING_SECRET":      {"FEIDI_SHARING_URL=https://share.example"},
		"FEIDI_COLLEGE_TIMEOUT":     {"FEIDI_COLLEGE_URL=https://c.example", "FEIDI_COLLEGE_SECRET=0123456789abcdef", "FEIDI_COLLEGE_TIMEOUT=10"},
		"FEIDI_SYNC_TOMBSTONE_DAYS": {"FEIDI_SYNC_TOMBSTONE_DAYS=abc"},
		"FEIDI_REPLICA_ENDPOINT":    {"FEIDI_REPLICA_BUCKET=feidi-replica", "FEIDI_REPLICA_ENDPOINT=s3.example.com"},
		"FEIDI_BACKUP_CRON": {"FEIDI_REPLICA_BUCKET=feidi-replica", "FEIDI_REPLICA_ACCESS_KEY=k", "FEIDI_REPLICA_SECRET=s",
			"FEIDI_BACKUP_BUCKET=feidi-backups", "FEIDI_BACKUP_CRON=hourly"},
	}
	for name, vars := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "serve", "--dir", t.TempDir(), "--http", "127.0.0.1:0")
			cmd.Env = append(append([]string{}, clean...), vars...)
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("serve kept running with %v:\n%s", vars, out)
			}
			// PocketBase prints a serve hook's error and exits 0, as it did before settings moved here.
			if !strings.Contains(string(out), "Error: settings: "+name) {
				t.Fatalf("serve with %v: %v, want an error naming %s:\n%s", vars, err, name, out)
			}
		})
	}
}

// TestEmbeddedWebAppIsWhole checks that the binary carries the web app: the page, and every file
// the service worker caches as the app shell (hooks/webapp builds them into pb_public/).
func TestEmbeddedWebAppIsWhole(t *testing.T) {
	sw, err := fs.ReadFile(publicFS(), "sw.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const SHELL = (\[.*\])`).FindSubmatch(sw)
	if m == nil {
		t.Fatal("sw.js names no shell")
	}
	var shell []string
	if err := json.Unmarshal(m[1], &shell); err != nil {
		t.Fatal(err)
	}
	for _, p := range shell {
		name := strings.TrimPrefix(p, "/")
		if name == "" {
			name = "index.html"
		}
		if _, err := fs.Stat(publicFS(), name); err != nil {
			t.Errorf("the shell names %s, which the binary does not embed: %v", p, err)
		}
	}
	if len(shell) < 5 {
		t.Errorf("shell %v: want the page, bundle, stylesheet, manifest and icons", shell)
	}
}
