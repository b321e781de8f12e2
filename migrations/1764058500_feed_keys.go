package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Feed keys: read-only keys with which Excel's and Power BI's "From Web" import fetch a
// cohort's tables (or, for admins, the needs) as CSV and refresh them (hooks/feed). Only the
// key's SHA-256 is stored; the key itself is shown once, when it is made. Each use is a row
// of feed_uses.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		cohorts, err := app.FindCollectionByNameOrId("cohorts")
		if err != nil {
			return err
		}
		keys := core.NewBaseCollection("feed_keys")
		keys.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 100},
			// Empty for a needs feed, which only admins make.
			&core.RelationField{Name: "cohort", MaxSelect: 1, CollectionId: cohorts.Id, CascadeDelete: true},
			&core.RelationField{Name: "created_by", Required: true, MaxSelect: 1, CollectionId: users.Id, CascadeDelete: true},
			&core.TextField{Name: "key_hash", Required: true, Hidden: true, Min: 64, Max: 64, Pattern: `^[0-9a-f]{64}$`},
			&core.DateField{Name: "revoked_at"},
			&core.DateField{Name: "last_used_at"},
			&core.NumberField{Name: "uses", Min: float(0), OnlyInt: true},
		)
		withTimestamps(keys)
		keys.AddIndex("idx_feed_keys_key_hash", true, "key_hash", "")
		keys.AddIndex("idx_feed_keys_created_by", false, "created_by", "")
		// Listed by their makers and admins. Made and revoked through /api/feeds, which can say
		// why it refuses; never edited otherwise (superusers aside).
		keys.ListRule = rule(`created_by = @request.auth.id || ` + isAdmin)
		keys.ViewRule = keys.ListRule
		keys.CreateRule = nil
		keys.UpdateRule = nil
		keys.DeleteRule = nil
		if err := app.Save(keys); err != nil {
			return err
		}

		uses := core.NewBaseCollection("feed_uses")
		uses.Fields.Add(
			&core.RelationField{Name: "key", Required: true, MaxSelect: 1, CollectionId: keys.Id, CascadeDelete: true},
			&core.TextField{Name: "table", Max: 100},
			&core.NumberField{Name: "status", OnlyInt: true},
			&core.NumberField{Name: "rows", Min: float(0), OnlyInt: true},
			&core.TextField{Name: "ip", Max: 100},
			&core.TextField{Name: "user_agent", Max: 500},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		uses.AddIndex("idx_feed_uses_key_created", false, "key, created", "")
		uses.ListRule = rule(`key.created_by = @request.auth.id || ` + isAdmin)
		uses.ViewRule = uses.ListRule
		uses.CreateRule = nil
		uses.UpdateRule = nil
		uses.DeleteRule = nil
		return app.Save(uses)
	}, func(app core.App) error {
		for _, name := range []string{"feed_uses", "feed_keys"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		return nil
	})
}
