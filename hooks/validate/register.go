// Package validate holds the enclave's data rules as plain functions over records, and binds
// them to PocketBase's record validation so that every door — REST, sync push, the admin UI,
// the seed — passes through the same checks. A failed check is a field-level validation error,
// which the API answers with 400 and writes nothing.
package validate

import (
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// Register binds the checks to every save of the enclave's records.
func Register(app core.App) {
	// A device-made id's form, on every collection whose schema says so (see DeviceIDCharacters).
	app.OnRecordValidate().BindFunc(checkDeviceID)
	app.OnRecordValidate("users", "engineers").BindFunc(func(e *core.RecordEvent) error {
		return next(e, normalize(e.Record, map[string]func(string) (string, error){"phone": NormalizePhone}))
	})
	app.OnRecordValidate("enterprises").BindFunc(func(e *core.RecordEvent) error {
		return next(e, normalize(e.Record, map[string]func(string) (string, error){
			"uscc": NormalizeUSCC, "contact_phone": NormalizePhone}))
	})
	app.OnRecordValidate("survey_forms").BindFunc(func(e *core.RecordEvent) error {
		return next(e, CheckForm(e.App, e.Record))
	})
	app.OnRecordValidate("surveys").BindFunc(func(e *core.RecordEvent) error {
		return next(e, CheckSurvey(e.App, e.Record))
	})
	app.OnRecordValidate("commute_logs").BindFunc(func(e *core.RecordEvent) error {
		return next(e, CheckCommute(e.App, e.Record, time.Now()))
	})
	app.OnRecordValidate("schedules").BindFunc(func(e *core.RecordEvent) error {
		return next(e, CheckSchedule(e.App, e.Record))
	})
	// A signed-off month's logs are locked through every door; the delete is refused too.
	app.OnRecordValidate("schedules", "commute_logs").BindFunc(func(e *core.RecordEvent) error {
		stored, err := storedVersionOf(e)
		if err != nil {
			return err
		}
		return next(e, CheckUnlocked(e.App, e.Record, stored))
	})
	app.OnRecordDelete("schedules", "commute_logs").BindFunc(func(e *core.RecordEvent) error {
		if err := CheckUnlocked(e.App, nil, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordValidate("month_signoffs").BindFunc(func(e *core.RecordEvent) error {
		return next(e, CheckSignoff(e.App, e.Record))
	})
	app.OnRecordDelete("month_signoffs").BindFunc(func(e *core.RecordEvent) error {
		if err := CheckSignoffDelete(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
}

// next runs the field checks PocketBase makes (required, min, max, unique) and merges their
// messages with ours, so the caller sees every problem of the record at once.
func next(e *core.RecordEvent, ours error) error {
	theirs := e.Next()
	if ours == nil {
		return theirs
	}
	merged, isFieldErrs := ours.(validation.Errors)
	if !isFieldErrs {
		return ours
	}
	if more, ok := theirs.(validation.Errors); ok {
		for field, err := range more {
			if _, taken := merged[field]; !taken {
				merged[field] = err
			}
		}
	}
	return merged
}

// normalize rewrites each non-empty field into its canonical form, or reports why it cannot.
func normalize(r *core.Record, fields map[string]func(string) (string, error)) error {
	errs := validation.Errors{}
	for field, canonical := range fields {
		raw := r.GetString(field)
		if raw == "" {
			continue
		}
		v, err := canonical(raw)
		if err != nil {
			errs[field] = err
			continue
		}
		r.Set(field, v)
	}
	return nilIfEmpty(errs)
}

// Next is how another package's record check joins PocketBase's own field checks: it runs
// them and answers ours and theirs together, ours first for a field both name.
func Next(e *core.RecordEvent, ours error) error { return next(e, ours) }
