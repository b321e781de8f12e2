package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Device enrolments: an admin makes a one-time, short-lived token for an officer or an engineer
// and shows it as a QR code; the phone's web app scans it and exchanges it for a login, with no
// password typed on a phone (ODK Central's App Users). Only the token's SHA-256 is stored; it
// is shown once, when made (hooks/devices). Listed for their user and the admins; made, revoked
// and used only through /api/devices, which can say why it refuses.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("device_enrolments")
		c.Fields.Add(
			&core.RelationField{Name: "user", Required: true, MaxSelect: 1, CollectionId: users.Id, CascadeDelete: true},
			&core.RelationField{Name: "created_by", MaxSelect: 1, CollectionId: users.Id}, // empty: a superuser
			&core.TextField{Name: "label", Max: 100},
			&core.TextField{Name: "token_hash", Required: true, Hidden: true, Min: 64, Max: 64, Pattern: `^[0-9a-f]{64}$`},
			&core.DateField{Name: "expires_at", Required: true},
			&core.DateField{Name: "used_at"},
			&core.TextField{Name: "used_by_agent", Max: 500},
			&core.DateField{Name: "revoked_at"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_device_enrolments_token_hash", true, "token_hash", "")
		c.AddIndex("idx_device_enrolments_user", false, "user", "")
		c.ListRule = types.Pointer(`(@request.auth.id != "" && user = @request.auth.id) || @request.auth.role = "admin"`)
		c.ViewRule = c.ListRule
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("device_enrolments")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}
