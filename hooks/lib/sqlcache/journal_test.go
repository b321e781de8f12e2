package sqlcache

import (
	"fmt"
	"path/filepath"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// The process keeps JournalPages pages of journal-sized chunks, each by one chunk of its own;
// and the chunks the journal asks for next come from such kept pages while they have room.
func TestJournalPagesAreKept(t *testing.T) {
	if len(pinned) != JournalPages {
		t.Fatalf("%d pages kept, want %d", len(pinned), JournalPages)
	}
	tls := libc.NewTLS()
	defer tls.Close()
	more := keepJournalPages(2) // kept just now: the free chunks first in line are theirs
	defer func() {
		for _, p := range more {
			sqlite3.Xsqlite3_free(tls, p)
		}
	}()
	kept := map[uintptr]bool{}
	for _, p := range pinned {
		page := p &^ (heapPage - 1)
		if kept[page] {
			t.Fatalf("two kept chunks in the page at %#x", page)
		}
		kept[page] = true
	}
	for _, p := range more {
		kept[p&^(heapPage-1)] = true
	}
	var taken []uintptr
	defer func() {
		for _, p := range taken {
			sqlite3.Xsqlite3_free(tls, p)
		}
	}()
	for range 8 {
		p := sqlite3.Xsqlite3_malloc(tls, journalChunk)
		taken = append(taken, p)
		if !kept[p&^(heapPage-1)] {
			t.Fatalf("a journal chunk at %#x is outside the kept pages", p)
		}
	}
}

// Savepoints that journal many pages, rolled back and released in turn, leave exactly what
// was released: the journal's chunks, taken from and given back to the kept pages, hold what
// SQLite wrote in them.
func TestSavepointsJournalThroughTheKeptPages(t *testing.T) {
	db, err := Connect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.DB().SetMaxOpenConns(1)
	for _, q := range []string{
		"CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT)",
		"CREATE INDEX t_v ON t (v)",
		"CREATE INDEX t_w ON t (w)",
		"CREATE TABLE seq (n INTEGER)",
		"INSERT INTO seq VALUES (0)",
		"CREATE TRIGGER t_count AFTER INSERT ON t BEGIN UPDATE seq SET n = n + 1; END",
	} {
		if _, err := db.NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		if _, err := tx.NewQuery("SAVEPOINT s").Execute(); err != nil {
			t.Fatal(err)
		}
		// 40 rows of ~1 KB in three B-trees: many pages journaled under the savepoint
		for j := range 40 {
			v := fmt.Sprintf("%04d-%02d-%01000d", i, j, i*j)
			if _, err := tx.NewQuery("INSERT INTO t (v, w) VALUES ({:v}, {:w})").
				Bind(map[string]any{"v": v, "w": "w" + v}).Execute(); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 1 {
			if _, err := tx.NewQuery("ROLLBACK TO s").Execute(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.NewQuery("RELEASE s").Execute(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var rows, n, odd int
	var check string
	if err := db.NewQuery("SELECT COUNT(*) FROM t").Row(&rows); err != nil {
		t.Fatal(err)
	}
	if err := db.NewQuery("SELECT n FROM seq").Row(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.NewQuery("SELECT COUNT(*) FROM t WHERE CAST(substr(v, 1, 4) AS INTEGER) % 2 = 1").Row(&odd); err != nil {
		t.Fatal(err)
	}
	if err := db.NewQuery("PRAGMA integrity_check").Row(&check); err != nil {
		t.Fatal(err)
	}
	if rows != 150*40 || n != 150*40 || odd != 0 || check != "ok" {
		t.Fatalf("rows %d, trigger count %d, rolled-back rows left %d, integrity %q; want 6000, 6000, 0, ok", rows, n, odd, check)
	}
}
