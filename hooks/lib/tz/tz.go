// Package tz holds the enclave's one time zone. Instants are stored in UTC; days and months are
// counted in Asia/Shanghai, whatever zone the server or a device runs in.
package tz

import (
	"time"
	_ "time/tzdata" // the zone must not depend on the host's zoneinfo

	"github.com/pocketbase/pocketbase/tools/types"
)

// Shanghai is Asia/Shanghai (UTC+8, no daylight saving).
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Day returns the calendar day of t in Shanghai as a date at 00:00 UTC, the form in which
// date-only fields (schedules.day, needs.deadline, cohorts.starts_on) are stored.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayStart returns the instant at which the given calendar day (as returned by Day) begins in
// Shanghai.
func DayStart(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// Format writes t as Shanghai wall-clock time for messages people read.
func Format(t time.Time) string {
	return t.In(Shanghai).Format("2006-01-02 15:04")
}

// AsDay reads a date-only value: a date at 00:00 UTC is taken as that calendar day, any other
// instant as the Shanghai day it falls on (a device may send local midnight as an instant).
func AsDay(t time.Time) time.Time {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t
	}
	return Day(t)
}

// Stored writes t the way PocketBase stores a date (UTC, "2006-01-02 15:04:05.000Z"), so that
// SQL can compare it with stored dates as text.
func Stored(t time.Time) string {
	return t.UTC().Format(types.DefaultDateLayout)
}

// Month names the Shanghai month t falls in as "2026-09", the way month sign-offs name it.
func Month(t time.Time) string {
	return t.In(Shanghai).Format("2006-01")
}
