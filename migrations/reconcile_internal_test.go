package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/tests"
)

// On a data dir that ran the migrations as they are now, the reconciliation writes nothing:
// not a row of _collections (the rules trigger would have moved the sync counter) nor a trigger.
func TestReconcileIsANoOpOnAFreshDataDir(t *testing.T) {
	app, err := tests.NewTestApp(t.TempDir()) // migrates a copy of an empty data dir
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	state := func() (seq int64, schema string) {
		t.Helper()
		if err := app.DB().NewQuery(`SELECT seq FROM _sync_state WHERE id = 1`).Row(&seq); err != nil {
			t.Fatal(err)
		}
		if err := app.DB().NewQuery(`SELECT group_concat(name || ':' || COALESCE(sql, ''), char(10)) FROM
			(SELECT name, sql FROM sqlite_master ORDER BY name)`).Row(&schema); err != nil {
			t.Fatal(err)
		}
		var collections string
		if err := app.DB().NewQuery(`SELECT group_concat(name || updated, ',') FROM _collections`).Row(&collections); err != nil {
			t.Fatal(err)
		}
		return seq, schema + collections
	}
	seq, schema := state()
	if err := reconcileSyncTables(app); err != nil {
		t.Fatal(err)
	}
	if err := reconcileCollections(app); err != nil {
		t.Fatal(err)
	}
	if seq2, schema2 := state(); seq2 != seq || schema2 != schema {
		t.Fatalf("the reconciliation changed a fresh data dir (seq %d -> %d)", seq, seq2)
	}
}
