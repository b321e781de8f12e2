package sqlcache_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"feidi/hooks/lib/sqlcache"
)

func open(t *testing.T) *dbx.DB {
	t.Helper()
	db, err := sqlcache.Connect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.DB().SetMaxOpenConns(1) // one connection: every statement below runs on the one cache
	if _, err := db.NewQuery("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").Execute(); err != nil {
		t.Fatal(err)
	}
	return db
}

func count(t *testing.T, db dbx.Builder, where string) int {
	t.Helper()
	var n int
	if err := db.NewQuery("SELECT COUNT(*) FROM t WHERE " + where).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A statement run many times in one transaction, with other values each time, writes and reads
// what a fresh one would; a rolled-back transaction leaves nothing, and the next one starts anew.
func TestStatementsRunAgainInATransactionSeeTheirNewValues(t *testing.T) {
	db := open(t)
	for _, commit := range []bool{false, true} {
		err := db.Transactional(func(tx *dbx.Tx) error {
			for i := range 300 {
				if _, err := tx.NewQuery("INSERT INTO t (id, v) VALUES ({:id}, {:v})").
					Bind(dbx.Params{"id": i, "v": fmt.Sprint("v", i)}).Execute(); err != nil {
					return err
				}
				var v string
				if err := tx.NewQuery("SELECT v FROM t WHERE id = {:id}").Bind(dbx.Params{"id": i}).Row(&v); err != nil {
					return err
				}
				if v != fmt.Sprint("v", i) {
					return fmt.Errorf("row %d reads %q", i, v)
				}
			}
			// A failing run of a kept statement leaves it usable.
			if _, err := tx.NewQuery("INSERT INTO t (id, v) VALUES ({:id}, {:v})").
				Bind(dbx.Params{"id": 0, "v": "again"}).Execute(); err == nil {
				return fmt.Errorf("a duplicate id was inserted")
			}
			if _, err := tx.NewQuery("INSERT INTO t (id, v) VALUES ({:id}, {:v})").
				Bind(dbx.Params{"id": 300, "v": "v300"}).Execute(); err != nil {
				return err
			}
			if !commit {
				return fmt.Errorf("roll back")
			}
			return nil
		})
		if want := map[bool]int{false: 0, true: 301}[commit]; count(t, db, "1") != want {
			t.Fatalf("commit %v (%v): %d rows, want %d", commit, err, count(t, db, "1"), want)
		}
	}
}

// A query run again while its own rows are still being read gets a statement of its own.
func TestAQueryRunInsideItsOwnLoop(t *testing.T) {
	db := open(t)
	err := db.Transactional(func(tx *dbx.Tx) error {
		for i := range 5 {
			if _, err := tx.NewQuery("INSERT INTO t (id, v) VALUES ({:id}, 'x')").Bind(dbx.Params{"id": i}).Execute(); err != nil {
				return err
			}
		}
		const q = "SELECT id FROM t WHERE id >= {:from} ORDER BY id"
		outer, err := tx.NewQuery(q).Bind(dbx.Params{"from": 0}).Rows()
		if err != nil {
			return err
		}
		defer outer.Close()
		pairs := 0
		for outer.Next() {
			var id int
			if err := outer.Scan(&id); err != nil {
				return err
			}
			var inner []int
			if err := tx.NewQuery(q).Bind(dbx.Params{"from": id}).Column(&inner); err != nil {
				return err
			}
			if len(inner) != 5-id {
				return fmt.Errorf("from %d: %v", id, inner)
			}
			pairs += len(inner)
		}
		if pairs != 15 {
			return fmt.Errorf("%d pairs, want 15", pairs)
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// More distinct statements than a connection keeps, and a schema change under a kept one.
func TestManyStatementsAndASchemaChange(t *testing.T) {
	db := open(t)
	err := db.Transactional(func(tx *dbx.Tx) error {
		for round := range 2 {
			for i := range sqlcache.MaxStatements + 20 {
				q := fmt.Sprintf("INSERT INTO t (id, v) VALUES ({:id}, '%d')", i)
				if _, err := tx.NewQuery(q).Bind(dbx.Params{"id": round*1000 + i}).Execute(); err != nil {
					return err
				}
			}
		}
		if _, err := tx.NewQuery("ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'w'").Execute(); err != nil {
			return err
		}
		var cols []string
		rows, err := tx.NewQuery("SELECT * FROM t WHERE id = 0").Rows()
		if err != nil {
			return err
		}
		cols, err = rows.Columns()
		rows.Close()
		if err != nil || len(cols) != 3 {
			return fmt.Errorf("columns after the change: %v %v", cols, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "w = 'w'"); n != 2*(sqlcache.MaxStatements+20) {
		t.Fatalf("%d rows", n)
	}
}

// A transaction's context cancelled while it runs: the statement fails, the transaction rolls
// back, and the connection serves the next one.
func TestACancelledTransaction(t *testing.T) {
	db := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inner, stop := context.WithCancel(ctx)
	err := db.TransactionalContext(inner, nil, func(tx *dbx.Tx) error {
		if _, err := tx.NewQuery("INSERT INTO t (id, v) VALUES (1, 'x')").WithContext(inner).Execute(); err != nil {
			return err
		}
		stop()
		_, err := tx.NewQuery("INSERT INTO t (id, v) VALUES (2, 'x')").WithContext(inner).Execute()
		return err
	})
	if err == nil {
		t.Fatal("the cancelled transaction committed")
	}
	if _, err := db.NewQuery("INSERT INTO t (id, v) VALUES (3, 'x')").WithContext(ctx).Execute(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "1"); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// A statement a connection keeps between transactions reads what other connections wrote since
// (a kept statement holds no snapshot), and a write on one connection while another keeps a
// read of the same table compiled is not blocked by it.
func TestAKeptStatementSeesOtherConnectionsWrites(t *testing.T) {
	db := open(t)
	db.DB().SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reader, err := db.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := db.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	for i := range 3 {
		var n int
		if err := reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE v = ?", "x").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != i {
			t.Fatalf("round %d: the reader counts %d rows", i, n)
		}
		if _, err := writer.ExecContext(ctx, "INSERT INTO t (v) VALUES (?)", "x"); err != nil {
			t.Fatal(err)
		}
	}
}
