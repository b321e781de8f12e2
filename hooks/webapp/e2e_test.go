package webapp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	at "feidi/hooks/lib/apptest"
)

// serveWithApp runs a Feidi test app on 127.0.0.1 that also serves the committed web app at /,
// as main.go does with the embedded pb_public/.
func serveWithApp(t *testing.T, app core.App) string {
	t.Helper()
	public, err := filepath.Abs(filepath.Join("..", "..", "pb_public"))
	if err != nil {
		t.Fatal(err)
	}
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			e.Router.GET("/{path...}", apis.Static(os.DirFS(public), true)).Bind(apis.Gzip())
			return e.Next()
		},
		Priority: 999,
	})
	return at.Serve(t, app)
}

// TestWebAppInChromium drives the web app in headless Chromium (e2e/app_e2e.js, playwright-core)
// against a real Feidi: an officer signs in, goes offline, finds an enterprise, adds one (the
// credit code and phone refused first with the server's wording), fills and submits a survey with
// a location and a photo, reloads offline, comes back online and syncs; a returned survey is
// resubmitted. An administrator returns the new survey, first without a reason (refused), then
// with one; an officer's phone still on schema version 3 learns of version 4, reopens, migrates
// its database in place and pulls the surveys whole, and shows the reason. An engineer's impossible trip and a planned day over a work day are refused before
// sync and fixed; two browser contexts of one engineer converge, one waiting out a 503
// Retry-After, one getting a 409 and syncing again; a trip the server refuses shows the reason
// next to it and syncs once fixed; signing out with an unsynced trip warns and clears the device.
// A coordinator downloads an export, signs in again after a refused token, switches to English.
// What the browser made is then read back from the server's database here.
func TestWebAppInChromium(t *testing.T) {
	nodePath, browser := node(t), chromium(t)
	app := at.Enclave.App(t)
	base := serveWithApp(t, app)

	users, _ := json.Marshal(map[string]map[string]string{
		"officer":     {"email": "officer.a@feidi.test", "password": at.Password},
		"engineer":    {"email": "engineer.a@feidi.test", "password": at.Password},
		"coordinator": {"email": "coordinator.a@feidi.test", "password": at.Password},
		"admin":       {"email": "admin@feidi.test", "password": at.Password},
	})
	ids, _ := json.Marshal(map[string]string{"uscc": at.ValidUSCC, "newUSCC": at.ValidUSCC3, "fixtureTrip": at.CommuteA,
		"returnedSurvey": at.SurveyReturnedA, "fixtureEntry": at.ScheduleA})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodePath, filepath.Join("e2e", "app_e2e.js"))
	cmd.Env = append(os.Environ(), "FEIDI_E2E_URL="+base, "FEIDI_E2E_USERS="+string(users), "FEIDI_E2E_IDS="+string(ids),
		"FEIDI_E2E_CHROMIUM="+browser)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("node e2e/app_e2e.js:\n%s%s", out, stderr.String())
	if err != nil {
		t.Fatalf("node e2e/app_e2e.js: %v", err)
	}

	// The script's last RESULT line names what it made in the browser.
	var made struct {
		Enterprise, Survey, Trip, RefusedTrip, Entry string
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			if err := json.Unmarshal([]byte(line), &made); err != nil {
				t.Fatal(err)
			}
		}
	}
	if made.Enterprise == "" {
		t.Fatal("the script printed no RESULT line")
	}

	e, err := app.FindRecordById("enterprises", made.Enterprise)
	if err != nil {
		t.Fatalf("the enterprise made offline is not on the server: %v", err)
	}
	if e.GetString("uscc") != at.ValidUSCC3 || e.GetString("contact_phone") != "+862343721234" {
		t.Errorf("enterprise on the server: uscc %q phone %q", e.GetString("uscc"), e.GetString("contact_phone"))
	}
	s, err := app.FindRecordById("surveys", made.Survey)
	if err != nil {
		t.Fatalf("the survey made offline is not on the server: %v", err)
	}
	if s.GetString("status") != "returned" || s.GetString("review_note") != "请补充热处理设备的型号和台数" || s.GetString("officer") != at.OfficerA || s.GetString("enterprise") != made.Enterprise {
		t.Errorf("survey on the server: status %q note %q officer %q enterprise %q", s.GetString("status"), s.GetString("review_note"), s.GetString("officer"), s.GetString("enterprise"))
	}
	if got := s.GetStringSlice("photos"); len(got) != 1 {
		t.Errorf("survey photos on the server: %v, want one", got)
	}
	if loc := s.GetGeoPoint("location"); loc.Lat != 29.7 || loc.Lon != 105.72 {
		t.Errorf("survey location on the server: %+v", loc)
	}
	var answers map[string]any
	if err := s.UnmarshalJSONField("answers", &answers); err != nil || answers["rd"] == nil {
		t.Errorf("survey answers on the server: %v %v", answers, err)
	}
	if r, err := app.FindRecordById("surveys", at.SurveyReturnedA); err != nil || r.GetString("status") != "submitted" ||
		r.GetString("notes") != "已按要求补充研发人员数" {
		t.Errorf("the returned survey after resubmission: %v %v", r, err)
	}
	for _, id := range []string{made.Trip, made.RefusedTrip} {
		trip, err := app.FindRecordById("commute_logs", id)
		if err != nil {
			t.Errorf("trip %s is not on the server: %v", id, err)
			continue
		}
		if trip.GetString("engineer") != at.EngineerRecA {
			t.Errorf("trip %s belongs to %q", id, trip.GetString("engineer"))
		}
	}
	if e, err := app.FindRecordById("schedules", made.Entry); err != nil || e.GetString("kind") != "training" || e.GetString("city") != "chengdu" {
		t.Errorf("the planned day on the server: %v %v", e, err)
	}
	if n, err := app.CountRecords("sync_rejects"); err != nil || n != 0 {
		t.Errorf("sync_rejects left after the fix: %d %v", n, err)
	}
}
