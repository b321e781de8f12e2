package watermelon_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/validate"
	"feidi/hooks/watermelon"
)

// Every synced collection's id is held to the form devices make, by hooks/validate, through
// every door: its schema names the characters that hold it to it.
func TestEverySyncedIdIsHeldToTheDeviceForm(t *testing.T) {
	app := at.New(t)
	for _, name := range watermelon.Tables {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
		if id == nil || id.Pattern != validate.DeviceIDCharacters {
			t.Errorf("%s: the id's Pattern is %q, want %q (checked as validate.DeviceID)", name, id.Pattern, validate.DeviceIDCharacters)
		}
	}
}
