package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The change sequence of the sync protocol. Every synced table gets a hidden sync_seq column that
// SQLite triggers set, inside the writing transaction, from one counter that only goes up: so
// every write path (REST, sync push, admin UI, hooks, seed, raw SQL) advances it, and a pull that
// reads the counter and the rows in one snapshot never misses a change committed later.
//
//	_sync_state      the counter (seq) and how far tombstones have been pruned (horizon)
//	_sync_tombstones one row per deleted synced record: its table, id and the seq of the delete
//	_sync_reach      per user and record: whether the user could list it at their last pull, and
//	                 the seq at which that last changed — how a device learns that a record left
//	                 its reach, and which pulled records are new to it
func init() {
	// syncedTables are the collections that mobile devices sync with WatermelonDB, in the order in
	// which a push applies them (a record's relations come before it).
	syncedTables := []string{"enterprises", "survey_forms", "surveys", "needs", "engineers",
		"schedules", "commute_logs", "cohorts", "cohort_members"}
	m.Register(func(app core.App) error {
		stmts := []string{
			`CREATE TABLE _sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,
				written INTEGER NOT NULL, horizon INTEGER NOT NULL DEFAULT 0)`,
			`INSERT INTO _sync_state (id, seq, written) VALUES (1, 1, 1)`,
			`CREATE TABLE _sync_tombstones (tbl TEXT NOT NULL, record_id TEXT NOT NULL, seq INTEGER NOT NULL,
				deleted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')), PRIMARY KEY (tbl, record_id))`,
			`CREATE INDEX idx_sync_tombstones_seq ON _sync_tombstones (seq)`,
			`CREATE TABLE _sync_reach (user_id TEXT NOT NULL, tbl TEXT NOT NULL, record_id TEXT NOT NULL,
				in_reach INTEGER NOT NULL, seq INTEGER NOT NULL,
				changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')),
				PRIMARY KEY (user_id, tbl, record_id)) WITHOUT ROWID`,
			`CREATE INDEX idx_sync_reach_lost ON _sync_reach (in_reach, changed_at)`,
			// The seq at which each user's reach was last brought up to date: while nothing has
			// been written since, a pull need not evaluate the rules again.
			`CREATE TABLE _sync_users (user_id TEXT PRIMARY KEY NOT NULL, written INTEGER NOT NULL) WITHOUT ROWID`,
			// Changing an API rule changes what everyone may list.
			`CREATE TRIGGER sync_collections_rules AFTER UPDATE ON _collections BEGIN
				UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1; END`,
			// A role decides what a user may list: changing it must wake the next pull.
			`CREATE TRIGGER sync_users_role AFTER UPDATE OF role ON users WHEN OLD.role IS NOT NEW.role BEGIN
				UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1; END`,
		}
		for _, name := range syncedTables {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.Add(&core.NumberField{Name: "sync_seq", Hidden: true, OnlyInt: true})
			c.AddIndex("idx_"+name+"_sync_seq", false, "sync_seq", "")
			if err := app.Save(c); err != nil {
				return err
			}
			stmts = append(stmts,
				fmt.Sprintf(`UPDATE %[1]s SET sync_seq = 1`, name),
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_insert AFTER INSERT ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid;
					DELETE FROM _sync_tombstones WHERE tbl = '%[1]s' AND record_id = NEW.id; END`, name),
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_update AFTER UPDATE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid; END`, name),
				fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_delete AFTER DELETE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					INSERT OR REPLACE INTO _sync_tombstones (tbl, record_id, seq)
						VALUES ('%[1]s', OLD.id, (SELECT seq FROM _sync_state WHERE id = 1)); END`, name),
			)
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("%w: %s", err, s)
			}
		}

		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		// What a device pushed and the server could not accept: kept, with the reasons, for its
		// author and the administrators to see and fix. Nothing typed is dropped.
		rejects := core.NewBaseCollection("sync_rejects")
		rejects.Fields.Add(
			&core.RelationField{Name: "user", Required: true, MaxSelect: 1, CollectionId: users.Id, CascadeDelete: true},
			&core.TextField{Name: "table", Required: true, Max: 100},
			&core.TextField{Name: "record_id", Required: true, Max: 100},
			&core.SelectField{Name: "operation", Required: true, MaxSelect: 1, Values: []string{"create", "update", "delete"}},
			&core.JSONField{Name: "raw", MaxSize: 16 << 20}, // a whole pushed record, as large as a push may be
			&core.JSONField{Name: "errors", MaxSize: 1 << 20},
			&core.TextField{Name: "message", Max: 2000},
		)
		withTimestamps(rejects)
		// One row per record and author: a device that pushes the same refused record again
		// updates its row rather than piling up copies.
		rejects.AddIndex("idx_sync_rejects_user_record", true, "user, `table`, record_id", "")
		rejects.ListRule = types.Pointer(`user = @request.auth.id || ` + isAdmin)
		rejects.ViewRule = rejects.ListRule
		rejects.DeleteRule = rejects.ListRule // once fixed on the device, its author may clear it
		return app.Save(rejects)
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("sync_rejects"); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		stmts := []string{`DROP TRIGGER IF EXISTS sync_users_role`, `DROP TRIGGER IF EXISTS sync_collections_rules`,
			`DROP TABLE IF EXISTS _sync_users`, `DROP TABLE IF EXISTS _sync_state`,
			`DROP TABLE IF EXISTS _sync_tombstones`, `DROP TABLE IF EXISTS _sync_reach`}
		for _, name := range syncedTables {
			for _, op := range []string{"insert", "update", "delete"} {
				stmts = append(stmts, fmt.Sprintf(`DROP TRIGGER IF EXISTS sync_%s_%s`, name, op))
			}
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.Fields.RemoveByName("sync_seq")
			c.RemoveIndex("idx_" + name + "_sync_seq")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
