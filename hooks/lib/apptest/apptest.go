// Package apptest starts real Feidi apps for tests: PocketBase on a fresh SQLite data dir with
// every migration applied and every hook registered, optionally filled with fixtures. The hooks
// get settings.Defaults() (every integration off) unless a test passes its own: no test reads
// the developer's environment.
package apptest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks"
	"feidi/hooks/lib/sqlcache"
	"feidi/hooks/settings"
	_ "feidi/migrations"
)

// Snapshot is a data dir built once per test binary — migrated, then filled — from which each
// test app starts as a copy. Copying is much faster than migrating and filling again, and
// auth tokens made on one copy are valid on every other.
type Snapshot struct {
	from *Snapshot // nil: start from an empty, migrated data dir
	fill func(app core.App) error
	once sync.Once
	dir  string
	err  error
}

// NewSnapshot returns a snapshot filled by fill (nil for none). fill runs with the hooks on.
func NewSnapshot(fill func(app core.App) error) *Snapshot {
	return &Snapshot{fill: fill}
}

// Then returns a snapshot that starts as a copy of s and is filled further by fill: a large
// fixture built once on top of a small one.
func (s *Snapshot) Then(fill func(app core.App) error) *Snapshot {
	return &Snapshot{from: s, fill: fill}
}

var empty = NewSnapshot(nil)

// New returns a migrated, empty Feidi test app, cleaned up when the test ends.
func New(t testing.TB) *tests.TestApp { return empty.App(t) }

// NewUnmanaged is New for tests.ApiScenario's TestAppFactory, which cleans up itself.
func NewUnmanaged(t testing.TB) *tests.TestApp { return empty.UnmanagedApp(t) }

// NewWith is New with the hooks configured by s instead of the defaults.
func NewWith(t testing.TB, s settings.Settings) *tests.TestApp {
	t.Helper()
	return empty.AppWith(t, s)
}

// AppWith is App with the hooks configured by cfg instead of the defaults.
func (s *Snapshot) AppWith(t testing.TB, cfg settings.Settings) *tests.TestApp {
	t.Helper()
	app := s.unmanagedApp(t, cfg)
	t.Cleanup(app.Cleanup)
	return app
}

// App returns a test app on a copy of the snapshot, cleaned up when the test ends.
func (s *Snapshot) App(t testing.TB) *tests.TestApp {
	t.Helper()
	app := s.UnmanagedApp(t)
	t.Cleanup(app.Cleanup)
	return app
}

// UnmanagedApp returns a test app on a copy of the snapshot that the caller cleans up.
func (s *Snapshot) UnmanagedApp(t testing.TB) *tests.TestApp {
	t.Helper()
	return s.unmanagedApp(t, settings.Defaults())
}

func (s *Snapshot) unmanagedApp(t testing.TB, cfg settings.Settings) *tests.TestApp {
	t.Helper()
	s.once.Do(s.build)
	if s.err != nil {
		t.Fatalf("test data dir: %v", s.err)
	}
	app, err := newTestApp(s.dir)
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	hooks.Register(app, cfg)
	return app
}

func (s *Snapshot) build() {
	root, err := os.MkdirTemp("", "feidi-snapshot-*")
	if err != nil {
		s.err = err
		return
	}
	start := root // an empty root: NewTestApp migrates a copy of it
	if s.from != nil {
		if s.from.once.Do(s.from.build); s.from.err != nil {
			s.err = s.from.err
			return
		}
		start = s.from.dir
	}
	app, err := newTestApp(start)
	if err != nil {
		s.err = err
		return
	}
	defer app.Cleanup()
	hooks.Register(app, settings.Defaults())
	if s.fill != nil {
		if err := s.fill(app); err != nil {
			s.err = err
			return
		}
	}
	// Closing the databases checkpoints their WAL into the files we copy.
	if s.err = app.ResetBootstrapState(); s.err != nil {
		return
	}
	s.dir = filepath.Join(root, "snapshot")
	s.err = os.CopyFS(s.dir, os.DirFS(app.DataDir()))
}

// newTestApp is tests.NewTestApp on a copy of dir, on the database driver main.go uses.
func newTestApp(dir string) (*tests.TestApp, error) {
	return tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env",
		DBConnect: sqlcache.Connect})
}

// Save saves r or fails the test.
func Save(t testing.TB, app core.App, r *core.Record) *core.Record {
	t.Helper()
	if err := app.Save(r); err != nil {
		t.Fatalf("save %s: %v", r.Collection().Name, err)
	}
	return r
}

// Token returns an auth token of the user with the given id, for the Authorization header.
func Token(t testing.TB, app core.App, userID string) string {
	t.Helper()
	u, err := app.FindRecordById("users", userID)
	if err != nil {
		t.Fatalf("user %s: %v", userID, err)
	}
	tok, err := u.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Must fails the test on err; for setting up fixtures in one line.
func Must[T any](t testing.TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return v
}
