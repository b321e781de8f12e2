package migrations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	_ "feidi/migrations"
)

// schema is what a data dir's structure is made of, in a form two data dirs can be compared by:
// every sqlite_master entry (its SQL with white space folded) and every collection's fields,
// rules and indexes. Data, ids of applied migrations and timestamps are left out.
func schema(t *testing.T, app core.App) map[string]string {
	t.Helper()
	out := map[string]string{}
	var objects []struct {
		Type string `db:"type"`
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := app.DB().NewQuery(`SELECT type, name, COALESCE(sql, '') AS sql FROM sqlite_master`).All(&objects); err != nil {
		t.Fatal(err)
	}
	space := regexp.MustCompile(`\s+`)
	for _, o := range objects {
		out["sqlite_master "+o.Type+" "+o.Name] = space.ReplaceAllString(strings.TrimSpace(o.SQL), " ")
	}
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range collections {
		rules := map[string]*string{"list": c.ListRule, "view": c.ViewRule, "create": c.CreateRule,
			"update": c.UpdateRule, "delete": c.DeleteRule}
		for _, part := range []struct {
			name  string
			value any
		}{{"type", c.Type}, {"system", c.System}, {"fields", c.Fields}, {"rules", rules}, {"indexes", c.Indexes}} {
			b, err := json.Marshal(part.value)
			if err != nil {
				t.Fatal(err)
			}
			out["collection "+c.Name+" "+part.name] = string(b)
		}
	}
	return out
}

// migrated opens the data dir dir with the current code and applies every migration it lacks.
func migrated(t *testing.T, dir string) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	if err := app.RunAllMigrations(); err != nil {
		t.Fatalf("migrating %s: %v", dir, err)
	}
	return app
}

// diff lists the keys on which want and got differ, each with both values.
func diff(want, got map[string]string) []string {
	var d []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			d = append(d, fmt.Sprintf("missing %s\n\twant %s", k, w))
		} else if g != w {
			d = append(d, fmt.Sprintf("differs %s\n\twant %s\n\tgot  %s", k, w, g))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			d = append(d, fmt.Sprintf("extra %s\n\tgot  %s", k, g))
		}
	}
	sort.Strings(d)
	return d
}

// TestMigratedAtEveryCommitEndsAsFresh builds Feidi at every commit that changed migrations/,
// makes a data dir with that binary (`feidi migrate up`), migrates it with the current code,
// and compares its schema with a fresh data dir's. Builds are cached under the user cache dir,
// keyed by commit; the first run builds each commit (minutes), later runs take seconds. It runs
// only with FEIDI_MIGRATION_HISTORY=1, and skips without git history.
func TestMigratedAtEveryCommitEndsAsFresh(t *testing.T) {
	if os.Getenv("FEIDI_MIGRATION_HISTORY") != "1" {
		t.Skip("builds Feidi at every commit that changed migrations/; set FEIDI_MIGRATION_HISTORY=1 to run it")
	}
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("no git history here (%v): cannot build the landed commits", err)
	}
	repo := strings.TrimSpace(string(root))
	log, err := exec.Command("git", "-C", repo, "log", "--format=%H", "--", "migrations").Output()
	commits := strings.Fields(string(log))
	if err != nil || len(commits) == 0 {
		t.Skipf("no history of migrations/ (%v): a shallow clone?", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	cache = filepath.Join(cache, "feidi-migration-history")

	want := schema(t, migrated(t, t.TempDir()))
	for _, commit := range commits {
		t.Run(commit[:7], func(t *testing.T) {
			bin := build(t, repo, commit, cache)
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "migrate", "up", "--dir", dir)
			cmd.Env = withoutFeidi()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s migrate up: %v\n%s", commit[:7], err, out)
			}
			if d := diff(want, schema(t, migrated(t, dir))); len(d) > 0 {
				t.Errorf("a data dir made at %s and migrated now differs from a fresh one:\n%s", commit[:7], strings.Join(d, "\n"))
			}
		})
	}
}

// build returns the binary of Feidi at commit, building it from `git archive` once per commit.
func build(t *testing.T, repo, commit, cache string) string {
	t.Helper()
	bin := filepath.Join(cache, commit)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src := t.TempDir()
	archive := exec.Command("git", "-C", repo, "archive", "--format=tar", commit)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	untar.Stdin = pipe
	if err := untar.Start(); err != nil {
		t.Fatal(err)
	}
	if err := archive.Run(); err != nil {
		t.Fatalf("git archive %s: %v", commit, err)
	}
	if err := untar.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(withoutFeidi(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build at %s: %v\n%s", commit[:7], err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// withoutFeidi is the process environment without the developer's FEIDI_* settings.
func withoutFeidi() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FEIDI_") {
			env = append(env, kv)
		}
	}
	return env
}
