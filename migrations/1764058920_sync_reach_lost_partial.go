package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// idx_sync_reach_lost (in_reach, changed_at) is read by the pruning of lost-reach marks alone
// (in_reach = 0 AND changed_at < cutoff, hooks/watermelon Prune), yet every row of the reach
// was written into it: a first pull of a million records paid a million B-tree inserts into an
// index that never reads them (issue 10). It now holds the lost marks only.
func init() {
	m.Register(func(app core.App) error {
		for _, q := range []string{
			`DROP INDEX IF EXISTS idx_sync_reach_lost`,
			`CREATE INDEX idx_sync_reach_lost ON _sync_reach (changed_at) WHERE in_reach = 0`,
		} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, q := range []string{
			`DROP INDEX IF EXISTS idx_sync_reach_lost`,
			`CREATE INDEX idx_sync_reach_lost ON _sync_reach (in_reach, changed_at)`,
		} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
