package seed_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/challenges"
	"feidi/hooks/cmd/seed"
	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/outbox"
	"feidi/hooks/settings"
	"feidi/integrations/delivery"
)

func TestSeedIsRealisticAndIdempotent(t *testing.T) {
	app := apptest.New(t)
	first, err := seed.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, c := range []string{"users", "enterprises", "surveys", "needs", "engineers", "cohorts", "cohort_members", "schedules", "commute_logs"} {
		n, err := app.CountRecords(c)
		if err != nil {
			t.Fatal(err)
		}
		counts[c] = n
	}
	if counts["engineers"] < 30 || counts["commute_logs"] < 500 || counts["schedules"] < 1500 || counts["enterprises"] < 10 {
		t.Fatalf("too little demo data: %v", counts)
	}
	second, err := seed.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	if second != 0 {
		t.Fatalf("second run created %d records (first created %d)", second, first)
	}
	for c, n := range counts {
		if m, _ := app.CountRecords(c); m != n {
			t.Errorf("%s: %d records after the second run, %d after the first", c, m, n)
		}
	}
	// Every seeded record of a synced table is one version in history, by the system door; the
	// second run changed nothing and wrote none.
	for _, c := range []string{"surveys", "engineers", "schedules", "commute_logs"} {
		versions, err := app.CountRecords("record_history", dbx.HashExp{"table": c, "door": "system", "operation": "create"})
		if err != nil || versions != counts[c] {
			t.Errorf("%s: %d versions by the system for %d records (%v)", c, versions, counts[c], err)
		}
	}

	// A trip to Dazu comes before each run of Dazu days: walk each engineer's days in order.
	engineers, err := app.FindAllRecords("engineers")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engineers {
		entries, _ := app.FindRecordsByFilter("schedules", "engineer = {:e}", "starts_at", 0, 0, map[string]any{"e": e.Id})
		trips, _ := app.FindRecordsByFilter("commute_logs", "engineer = {:e}", "depart_at", 0, 0, map[string]any{"e": e.Id})
		city, ti := "chengdu", 0
		for _, s := range entries {
			for ti < len(trips) && trips[ti].GetDateTime("arrive_at").Time().Before(s.GetDateTime("starts_at").Time()) {
				if from := trips[ti].GetString("from_city"); from != city {
					t.Fatalf("%s: trip %s leaves %s but the engineer is in %s", e.Id, trips[ti].Id, from, city)
				}
				city = trips[ti].GetString("to_city")
				ti++
			}
			if s.GetString("kind") != "leave" && s.GetString("city") != city {
				t.Fatalf("%s: entry %s is in %s on %s but the engineer is in %s", e.Id, s.Id, s.GetString("city"),
					tz.Format(s.GetDateTime("starts_at").Time()), city)
			}
		}
	}

	// A newcomer sees a living board: challenges in every stage, their figures in the indicators,
	// and the heat-treatment challenge matched to a heat-treatment engineer first.
	byStatus := map[string]int{}
	board, _ := app.FindAllRecords("challenges")
	for _, c := range board {
		byStatus[c.GetString("status")]++
	}
	if byStatus["open"] < 3 || byStatus["awarded"] != 1 || byStatus["in_progress"] != 1 || byStatus["accepted"] != 1 {
		t.Errorf("the board: %v", byStatus)
	}
	p, _ := workbook.ParsePeriod("2026-08", "2026-10")
	ind, err := workbook.ComputeIndicators(app.DB(), p)
	if err != nil {
		t.Fatal(err)
	}
	value, accepted := 0.0, 0
	for _, g := range ind.Groups {
		value += g.TransactionValueWan
		accepted += g.Accepted
	}
	if value != 180+140+90 || accepted != 1 {
		t.Errorf("indicators of the demo: transaction value %v, accepted %d", value, accepted)
	}
	heat, err := app.FindRecordById("challenges", "SeedChallenge001")
	if err != nil {
		t.Fatal(err)
	}
	fits, teams, err := challenges.MatchChallenge(app, heat, 3)
	if err != nil || len(fits) == 0 || len(teams) == 0 || teams[0].Name != "先进热处理课题组（四川大学）" {
		t.Fatalf("matches of %s: %+v %+v %v", heat.GetString("title"), fits, teams, err)
	}
	if e, _ := app.FindRecordById("engineers", fits[0].ID); !strings.HasPrefix(e.GetString("specialty"), "热处理") {
		t.Errorf("best engineer for %s: %s (%s)", heat.GetString("title"), e.GetString("name"), e.GetString("specialty"))
	}

	// Every printed login works.
	var out bytes.Buffer
	seed.PrintLogins(&out)
	for _, line := range strings.Split(out.String(), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.Contains(f[1], "@") {
			continue
		}
		collection := "users"
		if f[0] == "superuser" {
			collection = "_superusers"
		}
		s := tests.ApiScenario{
			Name: "login " + f[0], Method: http.MethodPost, URL: "/api/collections/" + collection + "/auth-with-password",
			Body:            strings.NewReader(`{"identity":"` + f[1] + `","password":"` + f[2] + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"token":`},
			TestAppFactory:  func(testing.TB) *tests.TestApp { return app },
			// the app is shared by the scenarios of this test, which cleans it up itself
			DisableTestAppCleanup: true,
		}
		s.Test(t)
	}
}

// `feidi seed` with the integrations configured sends no demo people outside: it queues nothing.
func TestSeedQueuesNoDeliveries(t *testing.T) {
	on := settings.Defaults()
	on.College = &delivery.Target{URL: "http://127.0.0.1:1", Secret: "college-shared-secret", Timeout: time.Second}
	on.Sharing = &delivery.Target{URL: "http://127.0.0.1:1", Secret: "sharing-shared-secret", Timeout: time.Second}
	app := apptest.NewWith(t, on)
	if _, err := seed.Run(app); err != nil {
		t.Fatal(err)
	}
	if n, err := app.CountRecords(outbox.Collection); err != nil || n != 0 {
		t.Fatalf("seed queued %d deliveries (%v)", n, err)
	}
	// The integrations are on: a change made after seeding is queued as usual.
	r, err := app.FindFirstRecordByData("needs", "status", "open")
	r = apptest.Must(t, r, err)
	r.Set("status", "published")
	apptest.Save(t, app, r)
	if n, err := app.CountRecords(outbox.Collection); err != nil || n != 1 {
		t.Fatalf("after publishing a need: %d rows (%v), want 1", n, err)
	}
}
