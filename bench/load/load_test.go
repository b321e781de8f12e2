package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
)

// TestSmoke plays three devices for two seconds against a Feidi app served in this process and
// expects every sync to go through and every account to verify.
func TestSmoke(t *testing.T) {
	app := apptest.New(t)
	su, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(su)
	r.SetEmail(superuserEmail)
	r.SetPassword(superuserPassword)
	apptest.Save(t, app, r)
	cfg := config{devices: 3, pause: 200 * time.Millisecond, duration: 2 * time.Second, records: 20, edits: 5,
		maxRequests: 1000, timeout: 30 * time.Second, setupConns: 2}
	rep, err := run(context.Background(), cfg, target{url: apptest.Serve(t, app), pid: os.Getpid(),
		email: superuserEmail, password: superuserPassword})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log(out.String())
	if !rep.ok() || rep.stats.syncs == 0 || rep.verified.acked == 0 || rep.verified.queued != 0 {
		t.Errorf("the run did not go through cleanly:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "0 lost") {
		t.Errorf("report without its verification line:\n%s", out.String())
	}
}
