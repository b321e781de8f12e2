package outbox

import (
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
)

// Register binds the events of the enabled integrations among clients, and on serve starts the
// worker, the daily trips job and the admin retry route.
func Register(app core.App, clients Clients) {
	bindEvents(app, clients)
	bindChallenges(app, clients)
	bindRequeue(app)

	var running atomic.Pointer[Worker] // set on serve, read by request goroutines
	app.OnRecordAfterCreateSuccess(Collection).BindFunc(func(e *core.RecordEvent) error {
		if w := running.Load(); w != nil {
			w.Nudge(e.Record.GetString("target"))
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		bindRetryApi(e)
		if len(clients.targets()) == 0 {
			return e.Next()
		}
		worker := NewWorker(e.App, clients)
		if err := worker.Start(); err != nil {
			return err
		}
		running.Store(worker)
		if clients.Sharing != nil {
			// Catch up the days the process was down for; the day's fixed key makes a second
			// enqueue a no-op.
			catchUpDailyTrips(e.App, time.Now())
			e.App.Cron().MustAdd("feidiTripsDaily", TripsCron, func() { enqueueYesterday(e.App) })
			enqueueLastMonth(e.App, time.Now())
			e.App.Cron().MustAdd("feidiIndicatorsMonthly", IndicatorsCron, func() { enqueueLastMonth(e.App, time.Now()) })
		}
		return e.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		if w := running.Swap(nil); w != nil {
			w.Stop()
		}
		return e.Next()
	})
}

// CatchUpDays is how many days back the start-up catch-up of trips.daily looks.
const CatchUpDays = 7

// catchUpDailyTrips enqueues the aggregates of the last CatchUpDays days that have none. Before
// 00:30 Shanghai time yesterday is left to the cron job, so that it counts the logs synced late
// in the evening, as every other day does.
func catchUpDailyTrips(app core.App, now time.Time) {
	last := tz.Day(now).AddDate(0, 0, -1)
	if local := now.In(tz.Shanghai); local.Hour() == 0 && local.Minute() < 30 {
		last = last.AddDate(0, 0, -1)
	}
	for day := last.AddDate(0, 0, -(CatchUpDays - 1)); !day.After(last); day = day.AddDate(0, 0, 1) {
		if err := EnqueueDailyTrips(app, day); err != nil {
			app.Logger().Error("outbox: daily trips", "day", day.Format(time.DateOnly), "error", err)
		}
	}
}

func enqueueYesterday(app core.App) {
	yesterday := tz.Day(time.Now()).AddDate(0, 0, -1)
	if err := EnqueueDailyTrips(app, yesterday); err != nil {
		app.Logger().Error("outbox: daily trips", "day", yesterday.Format(time.DateOnly), "error", err)
	}
}

// bindRequeue gives a dead row sent back to pending — by the retry route or an admin's edit —
// a fresh round of attempts, due now.
func bindRequeue(app core.App) {
	app.OnRecordUpdate(Collection).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.Original().GetString("status") == StatusDead && e.Record.GetString("status") == StatusPending {
			e.Record.Set("attempts", 0)
			e.Record.Set("next_attempt_at", time.Now())
		}
		return e.Next()
	})
}
