package presence_test

import (
	"testing"
	"time"

	"feidi/hooks/lib/presence"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTheDayRule: the README's examples, in Beijing time: a night trip puts the engineer in Dazu
// on the day it leaves and in Chengdu on the next; leave puts them nowhere.
func TestTheDayRule(t *testing.T) {
	m := presence.OfTrip("dazu", "chengdu", at("2026-01-10T23:30:00+08:00"), at("2026-01-11T02:00:00+08:00"))
	if m[0].City != "dazu" || m[0].Day.Format(time.DateOnly) != "2026-01-10" ||
		m[1].City != "chengdu" || m[1].Day.Format(time.DateOnly) != "2026-01-11" {
		t.Errorf("night trip: %+v", m)
	}
	if e, ok := presence.OfEntry("dazu", "work", at("2026-01-05T00:30:00+08:00")); !ok || e.Day.Format(time.DateOnly) != "2026-01-05" || e.City != "dazu" {
		t.Errorf("work entry at 00:30 Beijing time: %+v %v", e, ok)
	}
	if _, ok := presence.OfEntry("dazu", "leave", at("2026-01-05T09:00:00+08:00")); ok {
		t.Error("leave put the engineer in a city")
	}
}
