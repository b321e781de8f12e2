package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The exports collection: a request for a cohort workbook or a needs summary, generated in the
// background by the exports worker (hooks/exportjob) into a protected file.
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
		exports := core.NewBaseCollection("exports")
		exports.Fields.Add(
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"cohort", "needs"}},
			&core.RelationField{Name: "cohort", MaxSelect: 1, CollectionId: cohorts.Id, CascadeDelete: true},
			&core.TextField{Name: "period_from", Required: true, Pattern: `^\d{4}-\d{2}$`},
			&core.TextField{Name: "period_to", Required: true, Pattern: `^\d{4}-\d{2}$`},
			&core.SelectField{Name: "format", Required: true, MaxSelect: 1, Values: []string{"xlsx", "csv"}},
			&core.RelationField{Name: "requested_by", Required: true, MaxSelect: 1, CollectionId: users.Id, CascadeDelete: true},
			// Written by the worker only; the create rule keeps clients off them.
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"queued", "running", "done", "failed"}},
			&core.TextField{Name: "error", Max: 2000},
			&core.JSONField{Name: "rows", MaxSize: 4096},
			&core.NumberField{Name: "total_rows", Min: float(0), OnlyInt: true},
			&core.DateField{Name: "started_at"},
			&core.DateField{Name: "finished_at"},
			&core.FileField{Name: "file", MaxSelect: 1, MaxSize: 1 << 30, Protected: true},
		)
		withTimestamps(exports)
		exports.AddIndex("idx_exports_status", false, "status", "")
		exports.AddIndex("idx_exports_requested_by", false, "requested_by", "")
		// One live job per request: the create hook answers a second one with 409; this index holds
		// when two arrive at the same moment.
		exports.AddIndex("idx_exports_one_live", true, "requested_by, kind, cohort, period_from, period_to, format",
			"status = 'queued' OR status = 'running'")

		own := `requested_by = @request.auth.id`
		exports.ListRule = rule(own + ` || ` + isAdmin)
		exports.ViewRule = exports.ListRule
		// Coordinators export cohorts, admins anything. That the cohort is the coordinator's own
		// is checked by the create-request hook of hooks/exportjob, which can say why it refuses
		// (a failed rule answers only "Failed to create record").
		exports.CreateRule = rule(`@request.auth.id != "" && ` + own +
			` && @request.body.status:isset = false && @request.body.error:isset = false` +
			` && @request.body.rows:isset = false && @request.body.total_rows:isset = false` +
			` && @request.body.started_at:isset = false && @request.body.finished_at:isset = false` +
			` && @request.body.file:isset = false` +
			` && ((` + isCoordinator + ` && kind = "cohort") || ` + isAdmin + `)`)
		exports.UpdateRule = nil // the worker's alone
		// A running job is the worker's until it ends; its file would have no record to land in.
		exports.DeleteRule = rule(`(` + own + ` || ` + isAdmin + `) && status != "running"`)
		return app.Save(exports)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("exports")
		if err != nil {
			return err
		}
		return app.Delete(c)
	})
}
