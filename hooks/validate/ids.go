package validate

import (
	"regexp"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// DeviceID is what the id of a record a device may make is: WatermelonDB's default 16
// characters of 0-9a-zA-Z, or a UUID. Records made on the server get the 16-character form.
var DeviceID = regexp.MustCompile(`^(?:[0-9A-Za-z]{16}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)

// DeviceIDCharacters is the id field's Pattern in the schema of every synced collection
// (migration 1764058910): the characters of DeviceID only, a pattern PocketBase compiles cheaply
// for every record it validates (it compiles a field's Pattern anew each time; DeviceID's took
// ~9 % of a 1,000-record push). The id's exact form is checked here, once compiled, through
// every door: a collection whose id field has this Pattern is held to DeviceID.
const DeviceIDCharacters = `^[0-9A-Za-z-]+$`

// checkDeviceID adds to PocketBase's own field errors the one its id field gave when its
// Pattern was DeviceID: "validation_invalid_format" where the Pattern check came in PocketBase's
// order (after the duplicate, required and length checks, before the forbidden characters).
func checkDeviceID(e *core.RecordEvent) error {
	theirs := e.Next()
	id, ok := e.Record.Collection().Fields.GetByName(core.FieldNameId).(*core.TextField)
	if !ok || id.Pattern != DeviceIDCharacters {
		return theirs
	}
	// As PocketBase's TextField: a stored record's id is not validated again (it cannot change).
	if !e.Record.IsNew() && e.Record.LastSavedPK() != "" {
		return theirs
	}
	value := e.Record.Id
	if value == "" || DeviceID.MatchString(value) {
		return theirs
	}
	errs, isFieldErrs := theirs.(validation.Errors)
	if theirs != nil && !isFieldErrs {
		return theirs
	}
	if earlier, taken := errs[core.FieldNameId].(validation.Error); taken {
		switch earlier.Code() {
		case "validation_forbidden_pk_character", "validation_reserved_pk":
			// PocketBase checks these after the Pattern, which an id with them never matches.
		default:
			return theirs
		}
	}
	if errs == nil {
		errs = validation.Errors{}
	}
	errs[core.FieldNameId] = validation.NewError("validation_invalid_format", "Invalid value format.")
	return errs
}
