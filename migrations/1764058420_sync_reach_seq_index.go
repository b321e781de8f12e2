package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// An incremental pull asks of a user's reach what changed since the device's last pull (records
// newly in reach, records that left it): this index answers with a range instead of reading the
// user's whole reach.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery(`CREATE INDEX idx_sync_reach_user_seq ON _sync_reach (user_id, tbl, seq)`).Execute()
		return err
	}, func(app core.App) error {
		_, err := app.DB().NewQuery(`DROP INDEX IF EXISTS idx_sync_reach_user_seq`).Execute()
		return err
	})
}
