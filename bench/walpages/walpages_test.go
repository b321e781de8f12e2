package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCountsTheFramesOfEachBtree writes known transactions to a database whose log is never
// checkpointed and reads the log back while the writer still holds it open.
func TestCountsTheFramesOfEachBtree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TABLE trips (id TEXT PRIMARY KEY NOT NULL, engineer TEXT NOT NULL, note TEXT NOT NULL)")
	exec("CREATE INDEX idx_trips_engineer ON trips (engineer)")
	exec("PRAGMA wal_checkpoint(TRUNCATE)")

	census := func() string {
		t.Helper()
		var out strings.Builder
		if err := run(&out, path); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := census(); got != "frames 0, distinct pages 0, commits 0\n" {
		t.Fatalf("an empty log: %q", got)
	}

	// 2,000 rows under random ids in one transaction: the id index takes pages all over, the
	// engineer index (one engineer) and the table (rowids in order) grow at one edge.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for range 2000 {
		if _, err := tx.Exec("INSERT INTO trips VALUES (?, 'e1', ?)", fmt.Sprintf("%016x", rand.Uint64()), strings.Repeat("x", 40)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	got := census()
	t.Log("\n" + got)
	for _, want := range []string{"commits 1\n", "  leaf      trips\n", "  internal  trips\n", "  leaf      sqlite_autoindex_trips_1\n", "  leaf      idx_trips_engineer\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the census lacks %q", want)
		}
	}
	first := frames(t, path)

	exec("UPDATE trips SET note = 'edited' WHERE rowid = 7")
	got = census()
	if !strings.Contains(got, "commits 2\n") {
		t.Errorf("after a second transaction: %q", got)
	}
	if n := frames(t, path); n <= first {
		t.Errorf("the second transaction added no frames: %d, then %d", first, n)
	}

	// After a checkpoint that resets the log, the next transaction's frames overwrite the old ones
	// from the start: only they count.
	exec("PRAGMA wal_checkpoint(RESTART)")
	exec("UPDATE trips SET note = 'again' WHERE rowid = 8")
	if got := census(); !strings.HasPrefix(got, "frames 1,") && !strings.HasPrefix(got, "frames 2,") {
		t.Errorf("after a reset, one small write: %q", got)
	}
}

func frames(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	f, err := readFrames(b)
	if err != nil {
		t.Fatal(err)
	}
	return len(f)
}

func TestRefusesWhatIsNotALog(t *testing.T) {
	if _, err := readFrames(make([]byte, 4096)); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("zeros: %v", err)
	}
	if _, err := readFrames([]byte("short")); err == nil {
		t.Error("5 bytes: no error")
	}
}
