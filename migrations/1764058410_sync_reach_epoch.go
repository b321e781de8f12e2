package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The reach epoch lets a pull bring a user's reach up to date from what changed since their
// last refresh instead of evaluating every list rule over every row. A record's own change
// moves its sync_seq, and the pull re-judges just those rows; what the rules read of OTHER
// records — who an engineer record belongs to, who coordinates a cohort, who is in it, a
// user's role, the rules themselves — moves _sync_state.epoch, and a user whose last refresh
// is of an older epoch gets a full one.
//
// The tables whose rows other tables' list rules read through relations are named here, as
// they stand at this migration: engineers (engineer.user), cohorts (cohort.coordinator) and
// cohort_members (the back-relations). A later rule that reads another table through a
// relation needs a migration adding that table's triggers.
func init() {
	m.Register(func(app core.App) error {
		stmts := []string{
			`ALTER TABLE _sync_state ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE _sync_users ADD COLUMN epoch INTEGER NOT NULL DEFAULT -1`,
			`ALTER TABLE _sync_users ADD COLUMN refreshed_seq INTEGER NOT NULL DEFAULT 0`,
			`CREATE TRIGGER sync_epoch_collections AFTER UPDATE ON _collections BEGIN
				UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`,
			`CREATE TRIGGER sync_epoch_users_role AFTER UPDATE OF role ON users WHEN OLD.role IS NOT NEW.role BEGIN
				UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`,
			`CREATE TRIGGER sync_epoch_users_delete AFTER DELETE ON users BEGIN
				UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`,
		}
		for _, name := range []string{"engineers", "cohorts", "cohort_members"} {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER sync_epoch_%[1]s_%[2]s AFTER %[2]s ON %[1]s BEGIN
					UPDATE _sync_state SET epoch = epoch + 1 WHERE id = 1; END`, name, op))
			}
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("%w: %s", err, s)
			}
		}
		return nil
	}, func(app core.App) error {
		stmts := []string{`DROP TRIGGER IF EXISTS sync_epoch_collections`, `DROP TRIGGER IF EXISTS sync_epoch_users_role`,
			`DROP TRIGGER IF EXISTS sync_epoch_users_delete`}
		for _, name := range []string{"engineers", "cohorts", "cohort_members"} {
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				stmts = append(stmts, fmt.Sprintf(`DROP TRIGGER IF EXISTS sync_epoch_%s_%s`, name, op))
			}
		}
		stmts = append(stmts, `ALTER TABLE _sync_users DROP COLUMN refreshed_seq`, `ALTER TABLE _sync_users DROP COLUMN epoch`,
			`ALTER TABLE _sync_state DROP COLUMN epoch`)
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
