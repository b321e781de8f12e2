package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// device_id_characters: the id field of every synced collection keeps, as its Pattern, only the
// characters a device-made id is written in; its exact form (16 characters of 0-9a-zA-Z, or a
// UUID: clientIDPattern) is checked by hooks/validate with a regexp compiled once, for every
// collection whose id has this Pattern. PocketBase compiles a field's Pattern anew for every
// record it validates, and the full form cost ~9 % of a 1,000-record push (issue 10). A bad id
// gets the same answer as before: "validation_invalid_format" on the id.
func init() {
	const deviceIDCharacters = `^[0-9A-Za-z-]+$`
	setPattern := func(app core.App, from, to string) error {
		collections, err := app.FindAllCollections()
		if err != nil {
			return err
		}
		for _, c := range collections {
			id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
			if !ok || id.Pattern != from {
				continue
			}
			id.Pattern = to
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}
	m.Register(func(app core.App) error {
		return setPattern(app, clientIDPattern, deviceIDCharacters)
	}, func(app core.App) error {
		return setPattern(app, deviceIDCharacters, clientIDPattern)
	})
}
