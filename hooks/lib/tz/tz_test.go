package tz_test

import (
	"testing"
	"time"

	"feidi/hooks/lib/tz"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A Shanghai day runs from 16:00 UTC the day before to 16:00 UTC.
func TestDay(t *testing.T) {
	cases := []struct{ at, day string }{
		{"2026-10-14 15:59:59.999", "2026-10-14"},
		{"2026-10-14 16:00:00.000", "2026-10-15"},
		{"2026-10-15 00:00:00.000", "2026-10-15"},
		// Month and year ends, and February in common and leap years.
		{"2026-01-31 16:00:00.000", "2026-02-01"},
		{"2026-02-28 15:59:59.999", "2026-02-28"},
		{"2026-02-28 16:00:00.000", "2026-03-01"},
		{"2028-02-28 16:00:00.000", "2028-02-29"},
		{"2028-02-29 16:00:00.000", "2028-03-01"},
		{"2026-04-30 16:00:00.000", "2026-05-01"},
		{"2026-12-31 15:59:59.999", "2026-12-31"},
		{"2026-12-31 16:00:00.000", "2027-01-01"},
		// No daylight saving: the nights Europe and America move their clocks change nothing.
		{"2026-03-08 16:00:00.000", "2026-03-09"},
		{"2026-03-29 16:00:00.000", "2026-03-30"},
		{"2026-10-25 16:00:00.000", "2026-10-26"},
		{"2026-11-01 15:59:59.999", "2026-11-01"},
	}
	for _, c := range cases {
		if got := tz.Day(utc(c.at)); !got.Equal(date(c.day)) || got.Location() != time.UTC {
			t.Errorf("Day(%s UTC) = %v, want %s at 00:00 UTC", c.at, got, c.day)
		}
	}
	// The zone of the instant does not matter, only the instant.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if got := tz.Day(time.Date(2026, 10, 14, 12, 0, 0, 0, ny)); !got.Equal(date("2026-10-15")) {
		t.Errorf("noon in New York on 14 October is %v in Shanghai, want 2026-10-15", got)
	}
}

// Every day of a few years starts at 16:00 UTC the day before, is 24 hours long, and is its own
// Day.
func TestDayStartEveryDay(t *testing.T) {
	for day := date("2025-12-25"); day.Before(date("2029-01-05")); day = day.AddDate(0, 0, 1) {
		start := tz.DayStart(day)
		if want := day.Add(-8 * time.Hour); !start.Equal(want) {
			t.Fatalf("DayStart(%s) = %v, want %v", day.Format(time.DateOnly), start.UTC(), want)
		}
		next := tz.DayStart(day.AddDate(0, 0, 1))
		if next.Sub(start) != 24*time.Hour {
			t.Fatalf("%s lasts %v", day.Format(time.DateOnly), next.Sub(start))
		}
		if !tz.Day(start).Equal(day) || !tz.Day(next.Add(-time.Nanosecond)).Equal(day) {
			t.Fatalf("%s: its first or last instant falls on another day", day.Format(time.DateOnly))
		}
		if _, offset := start.Zone(); offset != 8*3600 {
			t.Fatalf("%s: offset %d s", day.Format(time.DateOnly), offset)
		}
	}
}

func TestAsDay(t *testing.T) {
	cases := []struct{ at, day string }{
		{"2026-10-15 00:00:00.000", "2026-10-15"}, // a stored date-only value is its own day
		{"2026-10-14 16:00:00.000", "2026-10-15"}, // local midnight sent as an instant
		{"2026-10-15 00:00:00.001", "2026-10-15"},
		{"2026-10-15 15:59:59.999", "2026-10-15"},
		{"2026-10-15 16:00:00.000", "2026-10-16"},
		{"2026-12-31 16:00:00.000", "2027-01-01"},
	}
	for _, c := range cases {
		if got := tz.AsDay(utc(c.at)); !got.Equal(date(c.day)) {
			t.Errorf("AsDay(%s UTC) = %v, want %s", c.at, got, c.day)
		}
	}
}

func TestFormat(t *testing.T) {
	for at, want := range map[string]string{
		"2026-10-14 15:59:59.999": "2026-10-14 23:59",
		"2026-10-14 16:00:00.000": "2026-10-15 00:00",
		"2026-12-31 16:30:00.000": "2027-01-01 00:30",
	} {
		if got := tz.Format(utc(at)); got != want {
			t.Errorf("Format(%s UTC) = %q, want %q", at, got, want)
		}
	}
}

func TestStored(t *testing.T) {
	at := time.Date(2026, 10, 15, 0, 30, 0, 123456789, tz.Shanghai)
	if got, want := tz.Stored(at), "2026-10-14 16:30:00.123Z"; got != want {
		t.Errorf("Stored = %q, want %q", got, want)
	}
}

// ParseStored reads what time.Parse reads with PocketBase's layout, the same instant, and
// refuses what it refuses: the canonical form read digit by digit, anything else by time.Parse.
func TestParseStored(t *testing.T) {
	const layout = "2006-01-02 15:04:05.000Z"
	inputs := []string{
		"2026-10-14 15:59:59.999Z", "2026-10-14 16:00:00.000Z", "0001-01-01 00:00:00.000Z",
		"2028-02-29 23:59:59.999Z", "2026-12-31 00:00:00.001Z", "9999-12-31 23:59:59.999Z",
		"2026-02-29 00:00:00.000Z", "2026-04-31 00:00:00.000Z", "2026-13-01 00:00:00.000Z",
		"2026-00-10 00:00:00.000Z", "2026-01-00 00:00:00.000Z", "2026-01-01 24:00:00.000Z",
		"2026-01-01 00:60:00.000Z", "2026-01-01 00:00:60.000Z", "2026-01-01T00:00:00.000Z",
		"2026-01-01 00:00:00.000", "2026-01-01 00:00:00.0000Z", "2026-01-01 00:00:00Z",
		"2026-1-01 00:00:00.000Z ", "2026-01-01 00:00:00.00aZ", "", "2026-01-01",
	}
	// And every one-character change of a valid date.
	for i := range len(layout) {
		for _, c := range "09:-. Zx" {
			b := []byte("2026-10-14 15:59:59.999Z")
			b[i] = byte(c)
			inputs = append(inputs, string(b))
		}
	}
	for _, in := range inputs {
		want, werr := time.Parse(layout, in)
		got, err := tz.ParseStored(in)
		if (err == nil) != (werr == nil) || err == nil && (!got.Equal(want) || got.Location() != want.Location()) {
			t.Errorf("ParseStored(%q) = %v, %v; time.Parse gives %v, %v", in, got, err, want, werr)
		}
	}
}
