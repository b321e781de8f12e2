package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The outbox holds every event owed to an outside system until it is delivered or given up on
// (dead). Rows are written by Feidi in the transaction of the change they report; administrators
// read them and may only send a dead row back to pending; nobody but a superuser deletes one.
func init() {
	m.Register(func(app core.App) error {
		outbox := core.NewBaseCollection("outbox")
		outbox.Fields.Add(
			&core.SelectField{Name: "target", Required: true, MaxSelect: 1, Values: []string{"college", "sharing"}},
			&core.TextField{Name: "event", Required: true, Max: 100},
			&core.JSONField{Name: "payload", MaxSize: 1 << 20},
			&core.TextField{Name: "idempotency_key", Required: true, Max: 100},
			&core.TextField{Name: "source", Max: 100}, // collection/id of the record that caused it
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "delivering", "delivered", "dead"}},
			&core.NumberField{Name: "attempts", Min: float(0), OnlyInt: true},
			&core.DateField{Name: "next_attempt_at"},
			&core.TextField{Name: "last_error", Max: 2000},
			&core.NumberField{Name: "last_status", OnlyInt: true},
			&core.TextField{Name: "response", Max: 5000},
			&core.DateField{Name: "delivered_at"},
		)
		withTimestamps(outbox)
		outbox.AddIndex("idx_outbox_idempotency_key", true, "idempotency_key", "")
		outbox.AddIndex("idx_outbox_due", false, "status, target, next_attempt_at", "")
		outbox.ListRule = rule(isAdmin)
		outbox.ViewRule = rule(isAdmin)
		// An administrator may send a dead row back to pending, and change nothing else.
		requeue := isAdmin + ` && status = "dead" && @request.body.status = "pending"`
		for _, f := range []string{"target", "event", "payload", "idempotency_key", "source", "attempts",
			"next_attempt_at", "last_error", "last_status", "response", "delivered_at"} {
			requeue += ` && @request.body.` + f + `:isset = false`
		}
		outbox.UpdateRule = rule(requeue)
		return app.Save(outbox)
	}, func(app core.App) error {
		outbox, err := app.FindCollectionByNameOrId("outbox")
		if err != nil {
			return err
		}
		return app.Delete(outbox)
	})
}
