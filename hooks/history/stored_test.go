package history_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/history"
	at "feidi/hooks/lib/apptest"
)

// TestTheStoredStateOfASave: a record marked as just read gives its own Original; any other —
// unmarked, or another value of the same record — is read again, which is what a record saved
// since needs (PocketBase leaves its Original as it was read).
func TestTheStoredStateOfASave(t *testing.T) {
	app := at.Enclave.App(t)
	r, err := app.FindRecordById("commute_logs", at.CommuteA)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("note", "改签G8596次")
	marked := history.WithStored(context.Background(), r)
	got, err := history.Stored(marked, app, r)
	if err != nil || got.GetString("note") != "" || got.IsNew() || got.Id != at.CommuteA {
		t.Fatalf("a marked record: %v %q new=%v", err, got.GetString("note"), got.IsNew())
	}
	at.Save(t, app, r) // now its Original is stale
	if r.Original().GetString("note") != "" {
		t.Fatal("PocketBase refreshes Original after a save now: Stored could always use it")
	}
	other, err := app.FindRecordById("commute_logs", at.CommuteA)
	if err != nil {
		t.Fatal(err)
	}
	for name, ctx := range map[string]context.Context{"unmarked": context.Background(),
		"another value of the record": history.WithStored(context.Background(), other)} {
		got, err := history.Stored(ctx, app, r)
		if err != nil || got.GetString("note") != "改签G8596次" {
			t.Errorf("%s: %v %q, want the stored note", name, err, got.GetString("note"))
		}
	}
}

// TestAPushKeepsTheStoredStateOfWhatItEditsAndDeletes: one push edits one trip and deletes
// another; each version holds the values stored before the push, taken from the records the
// push read.
func TestAPushKeepsTheStoredStateOfWhatItEditsAndDeletes(t *testing.T) {
	app, as := serve(t)
	engineer := as(at.EngineerA)
	second := at.Save(t, app, func() *core.Record {
		r, err := app.FindRecordById("commute_logs", at.CommuteA)
		if err != nil {
			t.Fatal(err)
		}
		c := core.NewRecord(r.Collection())
		c.Load(r.FieldsData())
		c.Id = "SecondTripOfEngA"
		c.Set("depart_at", r.GetDateTime("depart_at").Time().Add(-48*time.Hour))
		c.Set("arrive_at", r.GetDateTime("arrive_at").Time().Add(-48*time.Hour))
		c.Set("note", "第二次")
		return c
	}())
	answer := pushed(t, engineer, "commute_logs", `{"created":[],"updated":[{"id":"`+at.CommuteA+
		`","note":"改签G8596次","cost_yuan":99,"_status":"updated","_changed":"note,cost_yuan"}],"deleted":["`+second.Id+`"]}`)
	if strings.TrimSpace(answer) != "{}" {
		t.Fatalf("push answer: %s", answer)
	}
	edit := versions(t, app, "commute_logs", at.CommuteA)
	if last := edit[len(edit)-1]; last.Operation != "update" || last.Door != "sync" || len(last.Before) != 2 ||
		last.Before["note"] != "" || last.Before["cost_yuan"] != 96.5 || last.After["note"] != "改签G8596次" || last.After["cost_yuan"] != 99.0 {
		t.Errorf("the pushed edit: %+v", last)
	}
	gone := versions(t, app, "commute_logs", second.Id)
	if last := gone[len(gone)-1]; last.Operation != "delete" || last.Door != "sync" || last.Before["note"] != "第二次" ||
		last.Before["engineer"] != at.EngineerRecA || last.After != nil {
		t.Errorf("the pushed deletion: %+v", last)
	}
}
