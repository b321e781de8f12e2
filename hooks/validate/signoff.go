package validate

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/history"
	"feidi/hooks/lib/sqlcache"
	"feidi/hooks/lib/tz"
)

// signoffMoves lists, for each status of a month sign-off, the statuses it may move to ("" is a
// new sign-off). Who may make a move is the collection's rules' business (migration 1764058810):
// the engineer submits, a coordinator of their cohort approves or returns, an admin anything.
var signoffMoves = map[string][]string{
	"":          {"submitted", "approved"},
	"open":      {"submitted", "approved"},
	"submitted": {"approved", "returned"},
	"returned":  {"submitted", "approved"},
	"approved":  {"open"}, // an admin's unlock
}

// CheckSignoff validates a month sign-off: its status move, a reason for a return and for an
// unlock, and an engineer and month that never change.
func CheckSignoff(app core.App, r *core.Record) error {
	stored, err := storedVersion(app, r)
	if err != nil {
		return err
	}
	errs := validation.Errors{}
	from, to := "", r.GetString("status")
	if stored != nil {
		from = stored.GetString("status")
		for _, f := range []string{"engineer", "month"} {
			if stored.GetString(f) != r.GetString(f) {
				errs[f] = validation.NewError("validation_signoff_fixed", "A sign-off's engineer and month never change: make a new one.")
			}
		}
	}
	if from != to && !slices.Contains(signoffMoves[from], to) {
		errs["status"] = validation.NewError("validation_status_move", fmt.Sprintf("A sign-off cannot move from %q to %q.", from, to))
	}
	if from != to && r.GetString("reason") == "" && (to == "returned" || from == "approved") {
		errs["reason"] = validation.NewError("validation_reason_required", "Say why: a returned or unlocked month needs a reason.")
	}
	return nilIfEmpty(errs)
}

// CheckSignoffDelete refuses to delete an approved sign-off: that would unlock the month
// without the reason an unlock needs.
func CheckSignoffDelete(r *core.Record) error {
	if r.GetString("status") != "approved" {
		return nil
	}
	return validation.Errors{"status": validation.NewError("validation_signoff_locked",
		"An approved month is unlocked, with a reason, before its sign-off can be deleted.")}
}

// lockField names, per collection of engineers' logs, the field a lock refusal is reported on,
// and the time fields whose Asia/Shanghai months a record is in: a trip that crosses into a
// locked month counts as in it.
var lockField = map[string][]string{
	"schedules":    {fieldStartsAt},
	"commute_logs": {fieldDepartAt, fieldArriveAt},
}

// CheckUnlocked refuses a write to a schedule entry or commute log in a month its engineer has
// had approved: r is the record as it will be stored (nil for a delete), stored as it is (nil
// for a create). A save that changes nothing is let through (a device retrying a push).
func CheckUnlocked(app core.App, r, stored *core.Record) error {
	if r != nil && stored != nil {
		if _, changed := history.Changes(stored, r); len(changed) == 0 {
			return nil
		}
	}
	for _, x := range []*core.Record{r, stored} {
		if x == nil {
			continue
		}
		month, err := lockedMonth(app, x)
		if err != nil || month == "" {
			if err != nil {
				return err
			}
			continue
		}
		return validation.Errors{lockField[x.Collection().Name][0]: validation.NewError("validation_month_locked",
			fmt.Sprintf("%s is signed off and locked for this engineer: its schedules and trips cannot be created, changed or deleted until an admin unlocks it.", month))}
	}
	return nil
}

// lockedMonth returns the first approved month of r's engineer that r is in, or "".
func lockedMonth(app core.App, r *core.Record) (string, error) {
	engineer := r.GetString("engineer")
	var months []string
	for _, f := range lockField[r.Collection().Name] {
		if t := r.GetDateTime(f).Time(); !t.IsZero() {
			months = append(months, tz.Month(t))
		}
	}
	if engineer == "" || len(months) == 0 {
		return "", nil
	}
	// One lookup a month, the earlier first (a trip across midnight at a month's end is in two):
	// this runs for every log saved, and an IN list would have SQLite build a table for it.
	slices.Sort(months)
	for _, month := range slices.Compact(months) {
		var found []string
		err := sqlcache.Query(app, lockedMonthQuery).
			Bind(dbx.Params{"engineer": engineer, "month": month}).Column(&found)
		if err != nil {
			return "", err
		}
		if len(found) > 0 {
			return month, nil
		}
	}
	return "", nil
}

const lockedMonthQuery = `SELECT month FROM month_signoffs
	WHERE engineer = {:engineer} AND month = {:month} AND status = 'approved' LIMIT 1`

// storedVersionOf is storedVersion for the record of a save, taken from the record itself when
// its saver has just read it (history.WithStored).
func storedVersionOf(e *core.RecordEvent) (*core.Record, error) {
	if e.Record.IsNew() {
		return nil, nil
	}
	stored, err := history.Stored(e.Context, e.App, e.Record)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return stored, err
}
