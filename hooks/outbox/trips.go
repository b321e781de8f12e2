package outbox

import (
	"math"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/tz"
	"feidi/integrations/sharing"
)

// TripsCron is when the daily trips aggregate of the previous day is enqueued: 00:30 in
// Asia/Shanghai, written in UTC because app.Cron() ticks in UTC (Shanghai has no DST).
const TripsCron = "30 16 * * *"

// EnqueueDailyTrips enqueues the trips.daily event of one Shanghai calendar day (a date at 00:00
// UTC, as tz.Day returns): the cross-city commute logs that departed that day, per Dazu
// enterprise of the engineer. Its idempotency key is fixed by the day, so calling it again for a
// day already enqueued does nothing: the cron job and the catch-up at start-up can both run.
func EnqueueDailyTrips(app core.App, day time.Time) error {
	var rows []struct {
		Enterprise string         `db:"enterprise"`
		USCC       string         `db:"uscc"`
		Name       string         `db:"name"`
		ToCity     string         `db:"to_city"`
		DepartAt   types.DateTime `db:"depart_at"`
		ArriveAt   types.DateTime `db:"arrive_at"`
	}
	from, to := tz.DayStart(day), tz.DayStart(day.AddDate(0, 0, 1))
	err := app.DB().NewQuery(`SELECT e.id AS enterprise, e.uscc, e.name, c.to_city, c.depart_at, c.arrive_at
		FROM commute_logs c JOIN engineers g ON g.id = c.engineer JOIN enterprises e ON e.id = g.dazu_employer
		WHERE c.depart_at >= {:from} AND c.depart_at < {:to} AND c.from_city != c.to_city`).
		Bind(dbx.Params{"from": tz.Stored(from), "to": tz.Stored(to)}).All(&rows)
	if err != nil {
		return err
	}
	byEnterprise := map[string]*sharing.EnterpriseTrip{}
	for _, r := range rows {
		t := byEnterprise[r.Enterprise]
		if t == nil {
			t = &sharing.EnterpriseTrip{Enterprise: sharing.Enterprise{ID: r.Enterprise, USCC: r.USCC, Name: r.Name}}
			byEnterprise[r.Enterprise] = t
		}
		t.Trips++
		if r.ToCity == "dazu" {
			t.ToDazu++
		} else {
			t.ToChengdu++
		}
		t.Hours += r.ArriveAt.Time().Sub(r.DepartAt.Time()).Hours()
	}
	data := sharing.Trips{Day: day.Format(time.DateOnly), Enterprises: []sharing.EnterpriseTrip{}}
	for _, t := range byEnterprise {
		t.Hours = math.Round(t.Hours*100) / 100
		data.Enterprises = append(data.Enterprises, *t)
	}
	sort.Slice(data.Enterprises, func(i, j int) bool { return data.Enterprises[i].Enterprise.ID < data.Enterprises[j].Enterprise.ID })
	return Enqueue(app, Message{Target: TargetSharing, Event: sharing.TripsDaily, Source: "commute_logs/" + data.Day,
		Payload: data, Key: "sharing-trips-daily-" + data.Day})
}
