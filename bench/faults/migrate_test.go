package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"feidi/bench/fleet"
)

// TestKillDuringFirstStart kills `feidi serve` at several points of its first start on a fresh
// data dir, while it creates the databases and runs the migrations, then starts it again: it
// must serve, and its data dir must hold the full schema, the same as a start never killed.
func TestKillDuringFirstStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := feidiBinary(t)

	// A start never killed: how long it takes to answer, and the schema it leaves.
	ref, err := fleet.NewServer(bin, filepath.Join(t.TempDir(), "pb_data"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := ref.Start(ctx); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)
	ref.Stop()
	want := schema(t, ref.Data)
	t.Logf("a first start answers after %s; its schema: %d migrations, %d tables and indexes", whole.Round(time.Millisecond),
		len(want.migrations), len(want.objects))

	for _, frac := range []float64{0.1, 0.3, 0.5, 0.7, 0.9} {
		srv, err := fleet.NewServer(bin, filepath.Join(t.TempDir(), "pb_data"))
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Launch(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(frac * float64(whole)))
		srv.Kill()
		applied := "no data.db yet"
		if got, ok := schemaIfAny(t, srv.Data); ok {
			applied = fmt.Sprintf("%d migrations applied", len(got.migrations))
		}
		if err := srv.Start(ctx); err != nil {
			t.Fatalf("killed %.0f%% into the first start (%s), it does not start again: %v", frac*100, applied, err)
		}
		srv.Stop()
		got := schema(t, srv.Data)
		t.Logf("killed %.0f%% into the first start (%s): started again, %d migrations", frac*100, applied, len(got.migrations))
		if !slices.Equal(got.migrations, want.migrations) {
			t.Errorf("killed %.0f%% in: migrations %v, want %v", frac*100, got.migrations, want.migrations)
		}
		if !slices.Equal(got.objects, want.objects) {
			t.Errorf("killed %.0f%% in: the schema differs from a clean first start's", frac*100)
		}
	}
}

type dbSchema struct {
	migrations []string // applied, by file name, in both databases
	objects    []string // every table, index and trigger with its SQL, in both databases
}

// schema reads what the migrations made of the data dir.
func schema(t *testing.T, data string) dbSchema {
	t.Helper()
	s, ok := schemaIfAny(t, data)
	if !ok {
		t.Fatalf("%s has no data.db", data)
	}
	return s
}

func schemaIfAny(t *testing.T, data string) (dbSchema, bool) {
	t.Helper()
	var s dbSchema
	if _, err := os.Stat(filepath.Join(data, "data.db")); err != nil {
		return s, false
	}
	copied := copyData(t, data)
	for _, file := range []string{"data.db", "auxiliary.db"} {
		if _, err := os.Stat(filepath.Join(copied, file)); err != nil {
			continue
		}
		db := openData(t, copied, file)
		var objects []struct {
			Name string `db:"name"`
			SQL  string `db:"sql"`
		}
		if err := db.NewQuery("SELECT name, IFNULL(sql, '') AS sql FROM sqlite_master ORDER BY type, name").All(&objects); err != nil {
			db.Close()
			t.Fatalf("%s: %v", file, err)
		}
		hasMigrations := false
		for _, o := range objects {
			s.objects = append(s.objects, file+": "+o.Name+": "+o.SQL)
			hasMigrations = hasMigrations || o.Name == "_migrations"
		}
		if hasMigrations {
			var names []string
			if err := db.Select("file").From("_migrations").OrderBy("file").Column(&names); err != nil {
				db.Close()
				t.Fatalf("%s: %v", file, err)
			}
			for _, n := range names {
				s.migrations = append(s.migrations, file+": "+n)
			}
		}
		db.Close()
	}
	return s, true
}
