package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// record_history holds one row per write to a synced record (hooks/history writes it in the
// write's own transaction): the record, its version, who wrote it through which door, and the
// fields it changed — before and after, whole for a create or a delete. Only the server writes
// it. Enclave administrators may list it here (superusers browse it in the admin UI); everybody
// else reads a record's history through GET /api/history/{table}/{id}, under that record's own
// view rule.
func init() {
	m.Register(func(app core.App) error {
		h := core.NewBaseCollection("record_history")
		h.Fields.Add(
			&core.TextField{Name: "table", Required: true, Max: 100},
			&core.TextField{Name: "record_id", Required: true, Max: 100},
			&core.NumberField{Name: "version", Required: true, OnlyInt: true, Min: float(1)},
			&core.SelectField{Name: "operation", Required: true, MaxSelect: 1, Values: []string{"create", "update", "delete"}},
			&core.SelectField{Name: "door", Required: true, MaxSelect: 1, Values: []string{"rest", "sync", "admin", "system"}},
			&core.TextField{Name: "actor", Max: 100}, // the users or _superusers id; empty for the system
			&core.JSONField{Name: "before", MaxSize: 16 << 20},
			&core.JSONField{Name: "after", MaxSize: 16 << 20},
			&core.TextField{Name: "note", Max: 2000}, // why: a restore's source version, an unlock's reason
		)
		withTimestamps(h)
		h.AddIndex("idx_record_history_record_version", true, "`table`, record_id, version", "")
		h.AddIndex("idx_record_history_created", false, "created", "")
		h.ListRule = rule(isAdmin)
		h.ViewRule = rule(isAdmin)
		return app.Save(h)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("record_history")
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
