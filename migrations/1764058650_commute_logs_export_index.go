package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The cohort export reads every trip of each engineer of a cohort in (depart_at, id) order.
// Through idx_commute_logs_engineer_depart_at each row was a second lookup in the table, whose
// pages hold the trips of many engineers (they are written as they happen), plus a sort of each
// page by id. This index holds every column the export reads, in its order, so the export reads
// the index alone, front to back (BENCHMARKS.md, Exports). The overlap checks of a trip keep
// the narrow index (hooks/validate names it).
func init() {
	const name = "idx_commute_logs_export"
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("commute_logs")
		if err != nil {
			return err
		}
		c.AddIndex(name, false,
			"engineer, depart_at, id, from_city, to_city, arrive_at, mode, distance_km, cost_yuan, note", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("commute_logs")
		if err != nil {
			return err
		}
		c.RemoveIndex(name)
		return app.Save(c)
	})
}
