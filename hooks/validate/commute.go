package validate

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/sqlcache"
	"feidi/hooks/lib/tz"
)

// Limits of a cross-city trip. Chengdu East to Dazu South by high-speed rail takes a little over
// an hour; by road about three: anything outside 20 minutes to 12 hours is a typing mistake.
const (
	MinTrip      = 20 * time.Minute
	MaxTrip      = 12 * time.Hour
	MaxClockSkew = 10 * time.Minute // how far in the future a departure may be logged
	// MaxEntry is the longest a schedule entry can be: one Shanghai day (no DST), midnight to midnight.
	MaxEntry = 24 * time.Hour
)

const (
	fieldDepartAt = "depart_at"
	fieldArriveAt = "arrive_at"
	fieldStartsAt = "starts_at"
	fieldEndsAt   = "ends_at"

	// A stored trip lasts at most MaxTrip and an entry at most MaxEntry, so one that ends after
	// {:start} began after {:start} minus that: the lower bound keeps the (engineer, start) index
	// range to the neighbouring rows instead of every earlier trip or entry of the engineer.
	// The trips' query names its index: the export's covering index (engineer, depart_at, …,
	// note) would serve it too, but it reads a row or two, and the narrow index is cheaper.
	tripsOverlapping = `SELECT id, from_city AS what, to_city AS [[where]], depart_at AS start, arrive_at AS [[end]]
		FROM commute_logs INDEXED BY idx_commute_logs_engineer_depart_at WHERE engineer = {:engineer} AND id != {:id}
		AND depart_at > {:tripsFrom} AND depart_at < {:end} AND arrive_at > {:start}
		ORDER BY depart_at LIMIT 1`
	entriesOverlapping = `SELECT id, kind AS what, city AS [[where]], starts_at AS start, ends_at AS [[end]]
		FROM schedules WHERE engineer = {:engineer} AND id != {:id}
		AND starts_at > {:entriesFrom} AND starts_at < {:end} AND ends_at > {:start}`
	workOverlapping = entriesOverlapping + ` AND kind != 'leave'`
	firstEntry      = ` ORDER BY starts_at LIMIT 1`
)

// CheckCommute validates a commute log against the trip rules and the engineer's other trips and
// schedule entries. now is the server's clock.
func CheckCommute(app core.App, r *core.Record, now time.Time) error {
	errs := validation.Errors{}
	depart, arrive := r.GetDateTime(fieldDepartAt).Time(), r.GetDateTime(fieldArriveAt).Time()
	if from, to := r.GetString("from_city"), r.GetString("to_city"); from != "" && from == to {
		errs["to_city"] = validation.NewError("validation_same_city", "A trip goes between the two cities: to_city must differ from from_city.")
	}
	if depart.IsZero() || arrive.IsZero() {
		return nilIfEmpty(errs) // the required-field checks name the missing one
	}
	switch d := arrive.Sub(depart); {
	case d <= 0:
		errs[fieldArriveAt] = validation.NewError("validation_arrive_before_depart", "Arrival must be after departure.")
	case d < MinTrip:
		errs[fieldArriveAt] = validation.NewError("validation_trip_too_short",
			fmt.Sprintf("A trip between Chengdu and Dazu takes at least %d minutes; this one takes %d.", int(MinTrip.Minutes()), int(d.Minutes())))
	case d > MaxTrip:
		errs[fieldArriveAt] = validation.NewError("validation_trip_too_long",
			fmt.Sprintf("A trip between Chengdu and Dazu takes at most %d hours; this one takes %.1f.", int(MaxTrip.Hours()), d.Hours()))
	}
	if depart.After(now.Add(MaxClockSkew)) {
		errs[fieldDepartAt] = validation.NewError("validation_depart_in_future",
			fmt.Sprintf("Departure %s is in the future: log a trip once it has started.", tz.Format(depart)))
	}
	if err := checkOverlap(app, r, depart, arrive, fieldDepartAt, errs); err != nil {
		return err
	}
	return nilIfEmpty(errs)
}

// CheckSchedule validates a schedule entry: it ends after it starts, within one Shanghai day,
// the day field names that day, and it does not overlap the engineer's other entries or trips.
func CheckSchedule(app core.App, r *core.Record) error {
	errs := validation.Errors{}
	start, end := r.GetDateTime(fieldStartsAt).Time(), r.GetDateTime(fieldEndsAt).Time()
	if start.IsZero() || end.IsZero() {
		return nil
	}
	day := tz.Day(start)
	switch {
	case !end.After(start):
		errs[fieldEndsAt] = validation.NewError("validation_ends_before_starts", "The entry must end after it starts.")
	case tz.Day(end) != day && !end.Equal(tz.DayStart(day).AddDate(0, 0, 1)):
		errs[fieldEndsAt] = validation.NewError("validation_not_same_day",
			fmt.Sprintf("An entry lies within one day (Asia/Shanghai): it starts %s and ends %s.", tz.Format(start), tz.Format(end)))
	}
	if given := r.GetDateTime("day"); given.IsZero() || tz.AsDay(given.Time()) == day {
		r.Set("day", day)
	} else {
		errs["day"] = validation.NewError("validation_day_mismatch",
			fmt.Sprintf("day is %s but the entry starts on %s (Asia/Shanghai).", given.Time().Format(time.DateOnly), day.Format(time.DateOnly)))
	}
	if err := checkOverlap(app, r, start, end, fieldStartsAt, errs); err != nil {
		return err
	}
	return nilIfEmpty(errs)
}

// checkOverlap, when the record has passed every other check (errs is empty), puts in
// errs[field] the first of the engineer's trips and entries that shares time with [start, end).
func checkOverlap(app core.App, r *core.Record, start, end time.Time, field string, errs validation.Errors) error {
	if len(errs) > 0 {
		return nil
	}
	msg, err := findOverlap(app, r, start, end)
	if err != nil || msg == "" {
		return err
	}
	errs[field] = validation.NewError("validation_overlap", msg)
	return nil
}

// findOverlap looks for the engineer's trips and schedule entries that share time with
// [start, end) and describes the first one found. A leave day may contain travel, so leave entries
// and trips never clash; schedule entries of any kind may not overlap each other. Plain SQL on the
// (engineer, start) indexes: this runs for every trip and entry saved, a push of 1,000 included.
func findOverlap(app core.App, r *core.Record, start, end time.Time) (string, error) {
	params := dbx.Params{
		"engineer": r.GetString("engineer"),
		"id":       r.Id,
		"start":    tz.Stored(start),
		"end":      tz.Stored(end),
		// Times as PocketBase stores them, which compare as text.
		"tripsFrom":   tz.Stored(start.Add(-MaxTrip)),
		"entriesFrom": tz.Stored(start.Add(-MaxEntry)),
	}
	isSchedule := r.Collection().Name == "schedules"
	isLeave := isSchedule && r.GetString("kind") == "leave"

	var other struct {
		ID    string `db:"id"`
		What  string `db:"what"`  // trip: from_city; entry: kind
		Where string `db:"where"` // trip: to_city; entry: city
		Start string `db:"start"`
		End   string `db:"end"`
	}
	if !isLeave {
		err := sqlcache.Query(app, tripsOverlapping).Bind(params).One(&other)
		if err == nil {
			return fmt.Sprintf("Overlaps trip %s (%s → %s, %s–%s).", other.ID, other.What, other.Where,
				formatStored(other.Start), formatStored(other.End)), nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	query := workOverlapping + firstEntry
	if isSchedule {
		query = entriesOverlapping + firstEntry
	}
	err := sqlcache.Query(app, query).Bind(params).One(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return fmt.Sprintf("Overlaps the %s entry %s in %s, %s–%s.", other.What, other.ID, other.Where,
		formatStored(other.Start), formatStored(other.End)), nil
}

// formatStored writes a stored UTC datetime as Shanghai wall-clock time.
func formatStored(v string) string {
	t, err := tz.ParseStored(v)
	if err != nil {
		return v
	}
	return tz.Format(t)
}

func nilIfEmpty(errs validation.Errors) error {
	if len(errs) == 0 {
		return nil
	}
	return errs
}
