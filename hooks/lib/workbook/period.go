package workbook

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"

	"feidi/hooks/lib/tz"
)

// MaxMonths is the longest period one export may cover: two years, the longest directed-training
// programme of the Engineer College, which keeps an export a file people can still open.
const MaxMonths = 24

// monthLayout is how a month is written in requests and on the command line: 2026-01.
const monthLayout = "2006-01"

// Period is a run of whole months, counted in Asia/Shanghai.
type Period struct {
	From, To time.Time // first days of the first and the last month, 00:00 UTC
}

// ParsePeriod reads a period given as two months, "2026-01" to "2026-06", both included. Its
// errors are sentences fit to show to the person who asked.
func ParsePeriod(from, to string) (Period, error) {
	f, err := time.Parse(monthLayout, from)
	if err != nil {
		return Period{}, fmt.Errorf("from %q is not a month like 2026-01", from)
	}
	t, err := time.Parse(monthLayout, to)
	if err != nil {
		return Period{}, fmt.Errorf("to %q is not a month like 2026-06", to)
	}
	p := Period{From: f, To: t}
	switch n := p.Months(); {
	case n < 1:
		return Period{}, fmt.Errorf("from %s is after to %s", from, to)
	case n > MaxMonths:
		return Period{}, fmt.Errorf("the period covers %d months; an export covers at most %d", n, MaxMonths)
	}
	return p, nil
}

// Months is the number of months in the period.
func (p Period) Months() int {
	return (p.To.Year()-p.From.Year())*12 + int(p.To.Month()-p.From.Month()) + 1
}

// Start and End are the instants at which the period begins and ends in Shanghai.
func (p Period) Start() time.Time { return tz.DayStart(p.From) }

// End is the first instant after the period.
func (p Period) End() time.Time { return tz.DayStart(p.To.AddDate(0, 1, 0)) }

// monthIndex is the position in the period of the month of day (a date at 00:00 UTC), or -1.
func (p Period) monthIndex(day time.Time) int {
	i := (day.Year()-p.From.Year())*12 + int(day.Month()-p.From.Month())
	if i < 0 || i >= p.Months() {
		return -1
	}
	return i
}

// month is the first day of the i-th month of the period.
func (p Period) month(i int) time.Time { return p.From.AddDate(0, i, 0) }

// bind sets the query parameters start and end to the period's bounds as PocketBase stores
// instants.
func (p Period) bind(params dbx.Params) {
	params["start"] = tz.Stored(p.Start())
	params["end"] = tz.Stored(p.End())
}

func (p Period) String() string {
	return p.From.Format(monthLayout) + "_" + p.To.Format(monthLayout)
}
