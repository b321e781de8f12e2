// Package migrations holds Feidi's schema as PocketBase Go migrations, one file per change.
// Migrations know PocketBase and nothing of ours: the schema is data. A migration that has
// landed is never edited; a new one is added instead. The helpers in this file are frozen with
// the migrations that call them (landed.sha256 lists both); a new helper goes in a new file.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// clientIDPattern accepts the ids mobile devices make: WatermelonDB's default 16 characters of
// 0-9a-zA-Z, or a UUID. Records made on the server get the 16-character form.
const clientIDPattern = `^(?:[0-9A-Za-z]{16}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`

// newSyncedCollection returns a base collection whose ids may be made on a device.
func newSyncedCollection(name string) *core.Collection {
	c := core.NewBaseCollection(name)
	id := c.Fields.GetByName("id").(*core.TextField)
	id.Min = 16
	id.Max = 36
	id.Pattern = clientIDPattern
	id.AutogeneratePattern = "[0-9A-Za-z]{16}"
	return c
}

func withTimestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

func rule(expr string) *string { return types.Pointer(expr) }

func float(v float64) *float64 { return &v }
