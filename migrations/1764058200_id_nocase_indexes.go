package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Device-made ids are mixed-case, so PocketBase checks a new id for a case-insensitive duplicate
// (`id = ? COLLATE NOCASE`), which the primary key cannot serve: without this index every record
// created scans its table (BENCHMARKS.md, Sync: 3.7 s → 0.8 s per 1,000-record push into 50,000).
func init() {
	syncedTables := []string{"enterprises", "survey_forms", "surveys", "needs", "engineers",
		"schedules", "commute_logs", "cohorts", "cohort_members"}
	m.Register(func(app core.App) error {
		for _, name := range syncedTables {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.AddIndex("idx_"+name+"_id_nocase", false, "id COLLATE NOCASE", "")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, name := range syncedTables {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.RemoveIndex("idx_" + name + "_id_nocase")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
