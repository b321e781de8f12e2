package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// _sync_reach.pushed_at: for a record that came into a user's reach by that user's own push,
// the last_pulled_at of the push. Reach is kept per user, but a user may sync from several
// devices; only the device that pushed the record (the one whose last pull has that timestamp)
// already holds it, and every other device must be sent it as created.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery(`ALTER TABLE _sync_reach ADD COLUMN pushed_at INTEGER`).Execute()
		return err
	}, func(app core.App) error {
		_, err := app.DB().NewQuery(`ALTER TABLE _sync_reach DROP COLUMN pushed_at`).Execute()
		return err
	})
}
