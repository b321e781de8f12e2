package narrowupdate_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/narrowupdate"
)

// things is a collection with a field of each kind a row stores differently, and an index.
func things(t *testing.T, app core.App) *core.Collection {
	t.Helper()
	c := core.NewBaseCollection("things")
	c.Fields.Add(&core.TextField{Name: "title"}, &core.NumberField{Name: "n"}, &core.BoolField{Name: "flag"},
		&core.JSONField{Name: "meta"}, &core.DateField{Name: "at"},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true})
	c.AddIndex("idx_things_title", false, "title", "")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	return c
}

// updates records the UPDATE statements app's writer runs on table.
func updates(app *tests.TestApp, table string) func() []string {
	var mu sync.Mutex
	var seen []string
	app.NonconcurrentDB().(*dbx.DB).ExecLogFunc = func(_ context.Context, _ time.Duration, q string, _ sql.Result, _ error) {
		if strings.HasPrefix(q, "UPDATE `"+table+"`") {
			mu.Lock()
			seen = append(seen, q)
			mu.Unlock()
		}
	}
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
}

// setList is the SET list of an UPDATE statement.
func setList(q string) string {
	from, to := strings.Index(q, " SET "), strings.Index(q, " WHERE ")
	if from < 0 || to < from {
		return ""
	}
	return q[from+len(" SET ") : to]
}

func row(t *testing.T, app core.App, table, id string) dbx.NullStringMap {
	t.Helper()
	m := dbx.NullStringMap{}
	if err := app.DB().Select("*").From(table).Where(dbx.HashExp{"id": id}).One(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAnUpdateSetsEveryColumnButTheID(t *testing.T) {
	app := apptest.New(t)
	c := things(t, app)
	r := core.NewRecord(c)
	r.Set("title", "before")
	apptest.Save(t, app, r)

	seen := updates(app, "things")
	r.Set("title", "after")
	r.Set("n", 2.5)
	r.Set("flag", true)
	r.Set("meta", map[string]any{"k": []int{1, 2}})
	r.Set("at", "2026-03-05 01:00:00.000Z")
	apptest.Save(t, app, r)

	got := seen()
	if len(got) != 1 {
		t.Fatalf("UPDATE statements: %q", got)
	}
	set := setList(got[0])
	for _, col := range []string{"title", "n", "flag", "meta", "at", "updated"} {
		if !strings.Contains(set, "`"+col+"`=") {
			t.Errorf("the SET list lacks %s: %s", col, got[0])
		}
	}
	if strings.Contains(set, "`id`=") {
		t.Errorf("the id is set: %s", got[0])
	}
	stored := row(t, app, "things", r.Id)
	for col, want := range map[string]string{"title": "after", "n": "2.5", "flag": "1", "meta": `{"k":[1,2]}`, "at": "2026-03-05 01:00:00.000Z"} {
		if stored[col].String != want {
			t.Errorf("%s stored %q, want %q", col, stored[col].String, want)
		}
	}
}

// TestTheRowIsPocketBasesOwn makes the same edits through PocketBase's write and through this
// one, on two records of one collection: every column but the id comes out the same.
func TestTheRowIsPocketBasesOwn(t *testing.T) {
	app := apptest.New(t)
	c := things(t, app)
	edit := func(r *core.Record) {
		r.Set("title", "an edited title")
		r.Set("n", 0)
		r.Set("flag", false)
		r.Set("meta", nil)
		r.Set("at", "")
		apptest.Save(t, app, r)
	}
	a, b := core.NewRecord(c), core.NewRecord(c)
	for _, r := range []*core.Record{a, b} {
		r.Set("title", "t")
		r.Set("n", 7)
		r.Set("flag", true)
		r.Set("meta", []string{"x"})
		r.Set("at", "2026-01-01 00:00:00.000Z")
		apptest.Save(t, app, r)
	}
	edit(a)
	app.OnModelUpdateExecute().Unbind(narrowupdate.HookID)
	seen := updates(app, "things")
	edit(b)
	if got := seen(); len(got) != 1 || !strings.Contains(setList(got[0]), "`id`=") {
		t.Fatalf("with the handler unbound, PocketBase's own write was expected: %q", got)
	}
	ra, rb := row(t, app, "things", a.Id), row(t, app, "things", b.Id)
	for col, v := range ra {
		if col == "id" || col == "updated" || col == "created" {
			continue
		}
		if v != rb[col] {
			t.Errorf("%s: %v through this write, %v through PocketBase's", col, v, rb[col])
		}
	}
}

func TestAnIDChangeIsStillRefused(t *testing.T) {
	app := apptest.New(t)
	c := things(t, app)
	r := core.NewRecord(c)
	r.Set("title", "kept")
	apptest.Save(t, app, r)
	id := r.Id

	r.Id = "changedid000000"
	r.Set("title", "lost")
	err := app.SaveNoValidate(r) // past the validators' own refusal, to the write
	if err == nil || !strings.Contains(err.Error(), "primary key change is not allowed") {
		t.Fatalf("an id change: %v", err)
	}
	if got := row(t, app, "things", id)["title"].String; got != "kept" {
		t.Errorf("the row was written: title %q", got)
	}
}

// TestAnUpdateOfNothingButTheID is PocketBase's own write: a record of a collection with no
// autodate field, saved again with IgnoreUnchangedFields and nothing changed, exports only its id.
func TestAnUpdateOfNothingButTheID(t *testing.T) {
	app := apptest.New(t)
	c := core.NewBaseCollection("bare")
	c.Fields.Add(&core.TextField{Name: "title"})
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Set("title", "same")
	apptest.Save(t, app, r)

	again, err := app.FindRecordById("bare", r.Id)
	if err != nil {
		t.Fatal(err)
	}
	again.IgnoreUnchangedFields(true)
	seen := updates(app, "bare")
	if err := app.Save(again); err != nil {
		t.Fatalf("a save of nothing changed: %v", err)
	}
	if got := seen(); len(got) != 1 || setList(got[0]) != "`id`='"+r.Id+"'" {
		t.Errorf("PocketBase's own write was expected: %q", got)
	}
	if got := row(t, app, "bare", r.Id)["title"].String; got != "same" {
		t.Errorf("title %q", got)
	}
}
