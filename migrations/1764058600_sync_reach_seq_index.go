package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// An index on _sync_reach by user, table and seq: an incremental pull asks for the rows of a
// user's reach that changed after last_pulled_at (the created bucket, and the deleted ids). By
// the primary key alone SQLite reads every row of the user's reach for each table, 50,000 for
// an engineer with 50,000 records; by this index only those that changed (BENCHMARKS.md, Sync).
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery(`CREATE INDEX idx_sync_reach_user_seq ON _sync_reach (user_id, tbl, seq)`).Execute()
		return err
	}, func(app core.App) error {
		_, err := app.DB().NewQuery(`DROP INDEX IF EXISTS idx_sync_reach_user_seq`).Execute()
		return err
	})
}
