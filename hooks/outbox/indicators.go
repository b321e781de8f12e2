package outbox

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
	"feidi/integrations/sharing"
)

// IndicatorsCron is when the previous month's indicators are enqueued, unless they are already:
// 01:00 every day in Asia/Shanghai (17:00 UTC), so that the 1st sends them and a day the process
// was down is made up the next.
const IndicatorsCron = "0 17 * * *"

// EnqueueMonthlyIndicators enqueues the indicators.monthly event of the Shanghai month that
// contains day (a date at 00:00 UTC): its figures per park and industry, computed now. Its
// idempotency key is fixed by the month, so a month is sent once.
func EnqueueMonthlyIndicators(app core.App, day time.Time) error {
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	key := "sharing-indicators-monthly-" + month
	if _, err := app.FindFirstRecordByData(Collection, "idempotency_key", key); err == nil {
		return nil // computing them again is the expensive part
	}
	p, err := workbook.ParsePeriod(month, month)
	if err != nil {
		return err
	}
	ind, err := workbook.ComputeIndicators(app.DB(), p)
	if err != nil {
		return err
	}
	data := sharing.Indicators{Month: month, Groups: []sharing.IndicatorGroup{}}
	for _, g := range ind.Groups {
		s := sharing.IndicatorGroup{Park: g.Park, Industry: g.Industry, RDSpendWan: g.RDSpendWan, RevenueWan: g.RevenueWan,
			RDIntensityPct: g.RDIntensityPct, TransactionValueWan: g.TransactionValueWan, Published: g.Published,
			Awarded: g.Awarded, Accepted: g.Accepted, DazuDays: g.DazuDays, Trips: g.Trips, ChainMultiplier: g.ChainMultiplier,
			SurveyedEnterprises: []string{}, AwardedChallenges: []string{}}
		for _, r := range g.Rows.RD {
			s.SurveyedEnterprises = append(s.SurveyedEnterprises, r.Enterprise)
		}
		for _, r := range g.Rows.Awarded {
			s.AwardedChallenges = append(s.AwardedChallenges, r.Challenge)
		}
		data.Groups = append(data.Groups, s)
	}
	return Enqueue(app, Message{Target: TargetSharing, Event: sharing.Monthly, Source: "indicators/" + month,
		Payload: data, Key: key})
}

// enqueueLastMonth enqueues the indicators of the Shanghai month before now's.
func enqueueLastMonth(app core.App, now time.Time) {
	last := tz.Day(now).AddDate(0, 0, -tz.Day(now).Day()) // the last day of the previous month
	if err := EnqueueMonthlyIndicators(app, last); err != nil {
		app.Logger().Error("outbox: monthly indicators", "month", last.Format("2006-01"), "error", err)
	}
}
