package outbox_test

import (
	"strings"
	"testing"
	"time"

	"feidi/hooks/lib/tz"
	"feidi/hooks/outbox"
	"feidi/integrations/sharing"
)

func TestDailyTripsPerDazuEnterprise(t *testing.T) {
	app, _ := newApp(t)
	a, b := enterprise(t, app), enterprise2(t, app)
	li := newRecord(t, app, "engineers", map[string]any{"name": "李工", "dazu_employer": a.Id})
	wang := newRecord(t, app, "engineers", map[string]any{"name": "王工", "dazu_employer": b.Id})
	zhao := newRecord(t, app, "engineers", map[string]any{"name": "赵工"}) // no Dazu employer
	trip := func(eng string, from, to, depart, arrive string) {
		newRecord(t, app, "commute_logs", map[string]any{"engineer": eng, "from_city": from, "to_city": to,
			"depart_at": depart, "arrive_at": arrive, "mode": "hsr"})
	}
	// 2026-11-24 in Shanghai runs from 2026-11-23 16:00 to 2026-11-24 16:00 UTC.
	trip(li.Id, "chengdu", "dazu", "2026-11-23 23:00:00.000Z", "2026-11-24 00:15:00.000Z")   // 07:00 Shanghai, 1.25 h
	trip(li.Id, "dazu", "chengdu", "2026-11-24 10:00:00.000Z", "2026-11-24 11:30:00.000Z")   // 18:00 Shanghai, 1.5 h
	trip(wang.Id, "chengdu", "dazu", "2026-11-23 16:10:00.000Z", "2026-11-23 19:10:00.000Z") // 00:10 Shanghai, 3 h
	trip(wang.Id, "dazu", "chengdu", "2026-11-24 16:05:00.000Z", "2026-11-24 17:20:00.000Z") // the next Shanghai day
	trip(zhao.Id, "chengdu", "dazu", "2026-11-24 01:00:00.000Z", "2026-11-24 02:10:00.000Z") // nobody's Dazu firm

	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if err := outbox.EnqueueDailyTrips(app, day); err != nil {
		t.Fatal(err)
	}
	if err := outbox.EnqueueDailyTrips(app, day); err != nil { // the cron and the catch-up both ran
		t.Fatal(err)
	}
	var tripsRows int
	for _, r := range rows(t, app) {
		if r.GetString("event") == sharing.TripsDaily {
			tripsRows++
		}
	}
	if tripsRows != 1 {
		t.Fatalf("%d trips.daily rows for one day", tripsRows)
	}
	row, err := app.FindFirstRecordByData(outbox.Collection, "idempotency_key", "sharing-trips-daily-2026-11-24")
	if err != nil {
		t.Fatal(err)
	}
	got := payload[sharing.Trips](t, row)
	if got.Day != "2026-11-24" || len(got.Enterprises) != 2 {
		t.Fatalf("payload %+v", got)
	}
	per := map[string]sharing.EnterpriseTrip{}
	for _, e := range got.Enterprises {
		per[e.Enterprise.ID] = e
	}
	if e := per[a.Id]; e.Trips != 2 || e.ToDazu != 1 || e.ToChengdu != 1 || e.Hours != 2.75 || e.Enterprise.USCC != a.GetString("uscc") {
		t.Errorf("enterprise a: %+v", e)
	}
	if e := per[b.Id]; e.Trips != 1 || e.ToDazu != 1 || e.Hours != 3 {
		t.Errorf("enterprise b: %+v", e)
	}
	if raw := row.GetString("payload"); containsAny(raw, "李工", "王工", "赵工", li.Id, wang.Id) {
		t.Errorf("the aggregate names a person: %s", raw)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestCatchUpFillsTheDaysMissed: after an outage the start-up enqueues each missed day once,
// leaving yesterday to the 00:30 cron when it starts before then.
func TestCatchUpFillsTheDaysMissed(t *testing.T) {
	app, _ := newApp(t)
	days := func() []string {
		var out []string
		for _, r := range rows(t, app) {
			if r.GetString("event") == sharing.TripsDaily {
				out = append(out, strings.TrimPrefix(r.GetString("idempotency_key"), "sharing-trips-daily-"))
			}
		}
		return out
	}
	early := time.Date(2026, 11, 25, 0, 10, 0, 0, tz.Shanghai) // before the cron's 00:30
	outbox.CatchUpDailyTrips(app, early)
	got := days()
	if len(got) != outbox.CatchUpDays || got[0] != "2026-11-17" || got[len(got)-1] != "2026-11-23" {
		t.Fatalf("catch-up at 00:10 enqueued %v", got)
	}
	outbox.CatchUpDailyTrips(app, early.Add(time.Hour)) // 01:10: yesterday too, nothing twice
	got = days()
	if len(got) != outbox.CatchUpDays+1 || got[len(got)-1] != "2026-11-24" {
		t.Fatalf("catch-up at 01:10 enqueued %v", got)
	}
}
