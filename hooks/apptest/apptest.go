// Package apptest starts real Feidi apps for tests: PocketBase on a fresh SQLite data dir with
// every migration applied and every hook registered.
package apptest

import (
	"os"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks"
	_ "feidi/migrations"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// template migrates one data dir per test binary; each test app starts from a copy of it,
// which is much faster than running every migration again.
func template() (string, error) {
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "feidi-template-*")
		if templateErr != nil {
			return
		}
		var app *tests.TestApp
		app, templateErr = tests.NewTestApp(templateDir)
		if templateErr != nil {
			return
		}
		// NewTestApp works on a copy: close it (which checkpoints the WAL) and keep its
		// migrated data dir as the template.
		if templateErr = app.ResetBootstrapState(); templateErr == nil {
			templateErr = os.CopyFS(templateDir+"/migrated", os.DirFS(app.DataDir()))
		}
		app.Cleanup()
		templateDir += "/migrated"
	})
	return templateDir, templateErr
}

// New returns a migrated Feidi test app with the hooks registered. It is cleaned up when the
// test ends.
func New(t testing.TB) *tests.TestApp {
	t.Helper()
	app := NewUnmanaged(t)
	t.Cleanup(app.Cleanup)
	return app
}

// NewUnmanaged is New for tests.ApiScenario's TestAppFactory, which cleans up the app itself.
func NewUnmanaged(t testing.TB) *tests.TestApp {
	t.Helper()
	dir, err := template()
	if err != nil {
		t.Fatalf("template data dir: %v", err)
	}
	app, err := tests.NewTestApp(dir)
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	hooks.Register(app)
	return app
}

// Must fails the test on err; for setting up fixtures in one line.
func Must[T any](t testing.TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Save saves r or fails the test.
func Save(t testing.TB, app core.App, r *core.Record) *core.Record {
	t.Helper()
	if err := app.Save(r); err != nil {
		t.Fatalf("save %s: %v", r.Collection().Name, err)
	}
	return r
}
