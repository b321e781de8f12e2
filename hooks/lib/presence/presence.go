// Package presence is the enclave's day rule: on which Shanghai calendar days an engineer was
// in Chengdu or in Dazu, as their trips and schedule entries say. The cohort workbook
// (hooks/lib/workbook, whose README states the rule with examples) and the enclave's indicators
// (hooks/lib/indicators) both count days with it.
package presence

import (
	"time"

	"feidi/hooks/lib/tz"
)

// Mark is an engineer in a city on a day.
type Mark struct {
	Day  time.Time // the Shanghai calendar day, as a date at 00:00 UTC (tz.Day)
	City string    // "chengdu" or "dazu"
}

// OfTrip is where a trip puts its engineer: in the city it leaves on the day it departs, and in
// the city it reaches on the day it arrives. The trip itself counts on its departure day, the
// first mark's.
func OfTrip(from, to string, depart, arrive time.Time) [2]Mark {
	return [2]Mark{{Day: tz.Day(depart), City: from}, {Day: tz.Day(arrive), City: to}}
}

// OfEntry is where a schedule entry puts its engineer: work and training in the entry's city on
// the day it starts; a leave entry puts them nowhere (ok false).
func OfEntry(city, kind string, start time.Time) (m Mark, ok bool) {
	return Mark{Day: tz.Day(start), City: city}, kind != "leave"
}
