// Package webapp_test holds the tests of the Feidi web app, whose source is the JavaScript
// beside this file and whose build is committed under pb_public/: the data rules the app checks
// before sync agree with the server's (src/rules.json), the committed build is what the source
// builds, and the app works in headless Chromium against a real Feidi.
package webapp_test

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/validate"
)

type appRules struct {
	USCC struct {
		Alphabet string `json:"alphabet"`
		Weights  []int  `json:"weights"`
	} `json:"uscc"`
	Phone struct {
		Mobile   string `json:"mobile"`
		Landline string `json:"landline"`
	} `json:"phone"`
	Trip struct {
		MinMinutes          int `json:"minMinutes"`
		MaxHours            int `json:"maxHours"`
		MaxClockSkewMinutes int `json:"maxClockSkewMinutes"`
	} `json:"trip"`
	Messages map[string]string `json:"messages"`
}

func readRules(t *testing.T) appRules {
	t.Helper()
	raw, err := os.ReadFile("src/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	var r appRules
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// fill expands a rules.json template the way src/rules.js does.
func fill(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "{"+k+"}", v)
	}
	return tmpl
}

// errText is the message of a validation error, or of the one field error it holds.
func errText(t *testing.T, err error, field string) string {
	t.Helper()
	var fe validation.Errors
	if errors.As(err, &fe) {
		err = fe[field]
	}
	if err == nil {
		t.Fatalf("no error for %s", field)
	}
	return err.Error()
}

// TestAppRulesAreTheServers checks that the credit-code alphabet and weights, the trip limits and
// every message the app shows before sync are hooks/validate's, byte for byte.
func TestAppRulesAreTheServers(t *testing.T) {
	r := readRules(t)

	// A check character computed with the app's alphabet and weights is the server's.
	for _, first17 := range []string{"91500111MA5U7XKX", "91350100M000100Y4", "12500111450123456", "9151010077777777Y"} {
		if len(first17) != 17 {
			first17 = (first17 + "00000000000000000")[:17]
		}
		sum := 0
		for i := 0; i < 17; i++ {
			sum += strings.IndexByte(r.USCC.Alphabet, first17[i]) * r.USCC.Weights[i]
		}
		if got, want := r.USCC.Alphabet[(31-sum%31)%31], validate.USCCCheckChar(first17); got != want {
			t.Errorf("check character of %s: app computes %c, server %c", first17, got, want)
		}
	}

	msgs := map[string]string{}
	_, err := validate.NormalizeUSCC("91500111")
	msgs["validation_uscc_length"] = err.Error()
	_, err = validate.NormalizeUSCC("91500111MA5U7XKXIL")
	msgs["validation_uscc_character"] = err.Error()
	if want := fill(r.Messages["validation_uscc_character"], map[string]string{"char": "I"}); err.Error() != want {
		t.Errorf("uscc character: server says %q, app %q", err.Error(), want)
	}
	_, err = validate.NormalizeUSCC("91500111MA5U7XKX1M")
	msgs["validation_uscc_check"] = err.Error()
	_, err = validate.NormalizePhone("12345")
	msgs["validation_invalid_phone"] = err.Error()
	for code, server := range msgs {
		if app := r.Messages[code]; !strings.Contains(code, "character") && app != server {
			t.Errorf("%s: server says %q, app %q", code, server, app)
		}
	}

	if got := time.Duration(r.Trip.MinMinutes) * time.Minute; got != validate.MinTrip {
		t.Errorf("trip minimum: app %v, server %v", got, validate.MinTrip)
	}
	if got := time.Duration(r.Trip.MaxHours) * time.Hour; got != validate.MaxTrip {
		t.Errorf("trip maximum: app %v, server %v", got, validate.MaxTrip)
	}
	if got := time.Duration(r.Trip.MaxClockSkewMinutes) * time.Minute; got != validate.MaxClockSkew {
		t.Errorf("clock skew: app %v, server %v", got, validate.MaxClockSkew)
	}
}

// TestAppPhoneRuleAgreesWithServer checks the app's phone patterns against the server's parser
// (nyaruka/phonenumbers) on numbers as people write them: the app accepts what the server accepts.
func TestAppPhoneRuleAgreesWithServer(t *testing.T) {
	r := readRules(t)
	mobile, landline := regexp.MustCompile(r.Phone.Mobile), regexp.MustCompile(r.Phone.Landline)
	digits := func(raw string) string { // what src/rules.js phoneDigits does
		d := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(raw)
		switch {
		case strings.HasPrefix(d, "+86"):
			d = d[3:]
		case strings.HasPrefix(d, "0086"):
			d = d[4:]
		}
		if d != "" && d[0] >= '2' && d[0] <= '9' {
			d = "0" + d
		}
		return d
	}
	for _, raw := range []string{
		"13800138000", "138 0013 8000", "+86 138 0013 8000", "15928001234", "19912345678", "18628123456",
		"023-43721234", "023 4372 1234", "028-88888888", "+86 28 8888 8888", "010-62751234", "0871-65123456",
		"12345", "1380013800", "138001380001", "02343721", "11800138000", "8888", "abc", "+1 415 555 0100",
	} {
		_, err := validate.NormalizePhone(raw)
		server := err == nil
		d := digits(raw)
		app := mobile.MatchString(d) || landline.MatchString(d)
		if app != server {
			t.Errorf("%q: server accepts %v, app accepts %v", raw, server, app)
		}
	}
}

// TestAppTripMessagesAreTheServers checks the trip messages the app shows before sync against
// what validate.CheckCommute answers for the same trips.
func TestAppTripMessagesAreTheServers(t *testing.T) {
	r := readRules(t)
	now := time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)
	cases := []struct {
		name, field, code string
		from, to          string
		depart, arrive    time.Time
		vars              map[string]string
	}{
		{"same city", "to_city", "validation_same_city", "dazu", "dazu", now.Add(-2 * time.Hour), now.Add(-time.Hour), nil},
		{"backwards", "arrive_at", "validation_arrive_before_depart", "dazu", "chengdu", now.Add(-time.Hour), now.Add(-2 * time.Hour), nil},
		{"too short", "arrive_at", "validation_trip_too_short", "dazu", "chengdu", now.Add(-time.Hour), now.Add(-50 * time.Minute),
			map[string]string{"min": "20", "got": "10"}},
		{"too long", "arrive_at", "validation_trip_too_long", "dazu", "chengdu", now.Add(-14 * time.Hour), now.Add(-1 * time.Hour),
			map[string]string{"max": "12", "got": "13.0"}},
		{"future", "depart_at", "validation_depart_in_future", "dazu", "chengdu", now.Add(time.Hour), now.Add(2 * time.Hour),
			map[string]string{"at": "2026-03-10 13:00"}},
	}
	app := newRulesApp(t)
	for _, c := range cases {
		rec := newCommute(t, app, c.from, c.to, c.depart, c.arrive)
		err := validate.CheckCommute(app, rec, now)
		if got, want := errText(t, err, c.field), fill(r.Messages[c.code], c.vars); got != want {
			t.Errorf("%s: server says %q, app would say %q", c.name, got, want)
		}
	}
	// An overlap with a stored trip, worded with the stored trip's id, cities and times.
	rec := newCommute(t, app, "chengdu", "dazu", time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC), time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	err := validate.CheckCommute(app, rec, now)
	want := fill(r.Messages["validation_overlap_trip"], map[string]string{"id": at.CommuteA, "from": "chengdu", "to": "dazu",
		"start": "2026-03-02 18:00", "end": "2026-03-02 19:15"})
	if got := errText(t, err, "depart_at"); got != want {
		t.Errorf("overlap: server says %q, app would say %q", got, want)
	}
}

func newRulesApp(t *testing.T) core.App { return at.Enclave.App(t) }

// newCommute is an unsaved trip of engineer A.
func newCommute(t *testing.T, app core.App, from, to string, depart, arrive time.Time) *core.Record {
	t.Helper()
	c, err := app.FindCachedCollectionByNameOrId("commute_logs")
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(map[string]any{"engineer": at.EngineerRecA, "from_city": from, "to_city": to, "mode": "hsr",
		"depart_at": depart, "arrive_at": arrive})
	return r
}

// TestAppScheduleMessagesAreTheServers checks the schedule messages, and the overlap of a trip
// with a work entry, against what hooks/validate answers.
func TestAppScheduleMessagesAreTheServers(t *testing.T) {
	r := readRules(t)
	app := newRulesApp(t)
	c, err := app.FindCachedCollectionByNameOrId("schedules")
	if err != nil {
		t.Fatal(err)
	}
	entry := func(start, end time.Time) *core.Record {
		rec := core.NewRecord(c)
		rec.Load(map[string]any{"engineer": at.EngineerRecA, "city": "chengdu", "kind": "training", "starts_at": start, "ends_at": end})
		return rec
	}
	day := func(h, m int) time.Time { return time.Date(2026, 3, 3, h-8, m, 0, 0, time.UTC) } // Shanghai wall clock on 3 March
	cases := []struct {
		name, field, code string
		rec               *core.Record
		vars              map[string]string
	}{
		{"backwards", "ends_at", "validation_ends_before_starts", entry(day(20, 0), day(19, 0)), nil},
		{"two days", "ends_at", "validation_not_same_day", entry(day(20, 0), day(26, 0)),
			map[string]string{"start": "2026-03-03 20:00", "end": "2026-03-04 02:00"}},
		{"overlaps the work day", "starts_at", "validation_overlap_entry", entry(day(16, 0), day(18, 0)),
			map[string]string{"kind": "work", "id": at.ScheduleA, "city": "dazu", "start": "2026-03-03 09:00", "end": "2026-03-03 17:00"}},
	}
	for _, c := range cases {
		if got, want := errText(t, validate.CheckSchedule(app, c.rec), c.field), fill(r.Messages[c.code], c.vars); got != want {
			t.Errorf("%s: server says %q, app would say %q", c.name, got, want)
		}
	}
	if err := validate.CheckSchedule(app, entry(day(20, 0), day(24, 0))); err != nil {
		t.Errorf("an entry ending at midnight: %v", err)
	}
	trip := newCommute(t, app, "dazu", "chengdu", day(16, 30), day(18, 0))
	want := fill(r.Messages["validation_overlap_entry"], map[string]string{"kind": "work", "id": at.ScheduleA, "city": "dazu",
		"start": "2026-03-03 09:00", "end": "2026-03-03 17:00"})
	if got := errText(t, validate.CheckCommute(app, trip, day(23, 0)), "depart_at"); got != want {
		t.Errorf("trip over a work entry: server says %q, app would say %q", got, want)
	}
}
