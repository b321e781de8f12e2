package migrations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Three migrations were edited after they had landed, so a data dir migrated before an edit
// never got it (git log -p on each):
//
//	1764057600_initial_schema, fields.go (506d1cc): a guest no longer matches the empty user of an
//	    engineer without a login (rules of engineers, schedules, commute_logs, cohorts and
//	    cohort_members); ids of the synced collections may be upper-case UUIDs.
//	1764058000_sync_sequence (e0d6167, the merge 4b9cfae, 0a11911): _sync_users, the trigger
//	    sync_collections_rules, _sync_state.written and the triggers that set it;
//	    sync_rejects.raw up to 16 MiB.
//	1764057800_exports (ebf6ac4): one live job per request (idx_exports_one_live); a running
//	    job cannot be deleted.
//
// This migration brings a data dir made at any earlier commit to what those migrations make now.
// Each value is spelled out here, as it was and as it is; a value is changed only where it still
// is what it was (an administrator's own edit stays), so a fresh data dir passes it untouched.
func init() {
	m.Register(func(app core.App) error {
		if err := reconcileSyncTables(app); err != nil {
			return err
		}
		return reconcileCollections(app)
	}, nil) // nothing to undo: going back would bring the old faults back
}

// reconciledSyncedTables are the tables 1764058000 gave change triggers.
var reconciledSyncedTables = []string{"enterprises", "survey_forms", "surveys", "needs", "engineers",
	"schedules", "commute_logs", "cohorts", "cohort_members"}

// reconciledRules are the API rules 506d1cc changed: collection, rule, was, now.
var reconciledRules = []struct{ collection, rule, was, now string }{
	{"engineers", "List",
		`user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"engineers", "View",
		`user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"schedules", "List",
		`engineer.user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"schedules", "View",
		`engineer.user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"schedules", "Create",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"schedules", "Update",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id && (@request.body.engineer:isset = false || @request.body.engineer.user = @request.auth.id)) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id) && (@request.body.engineer:isset = false || @request.body.engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"schedules", "Delete",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"commute_logs", "List",
		`engineer.user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"commute_logs", "View",
		`engineer.user = @request.auth.id || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || @request.auth.role = "admin" || (@request.auth.role = "coordinator" && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`},
	{"commute_logs", "Create",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"commute_logs", "Update",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id && (@request.body.engineer:isset = false || @request.body.engineer.user = @request.auth.id)) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id) && (@request.body.engineer:isset = false || @request.body.engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"commute_logs", "Delete",
		`(@request.auth.role = "engineer" && engineer.user = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.role = "engineer" && (@request.auth.id != "" && engineer.user = @request.auth.id)) || @request.auth.role = "admin"`},
	{"cohorts", "List",
		`coordinator = @request.auth.id || cohort_members_via_cohort.engineer.user ?= @request.auth.id || @request.auth.role = "admin"`,
		`coordinator = @request.auth.id || (@request.auth.id != "" && cohort_members_via_cohort.engineer.user ?= @request.auth.id) || @request.auth.role = "admin"`},
	{"cohorts", "View",
		`coordinator = @request.auth.id || cohort_members_via_cohort.engineer.user ?= @request.auth.id || @request.auth.role = "admin"`,
		`coordinator = @request.auth.id || (@request.auth.id != "" && cohort_members_via_cohort.engineer.user ?= @request.auth.id) || @request.auth.role = "admin"`},
	{"cohort_members", "List",
		`engineer.user = @request.auth.id || (@request.auth.role = "coordinator" && cohort.coordinator = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || (@request.auth.role = "coordinator" && cohort.coordinator = @request.auth.id) || @request.auth.role = "admin"`},
	{"cohort_members", "View",
		`engineer.user = @request.auth.id || (@request.auth.role = "coordinator" && cohort.coordinator = @request.auth.id) || @request.auth.role = "admin"`,
		`(@request.auth.id != "" && engineer.user = @request.auth.id) || (@request.auth.role = "coordinator" && cohort.coordinator = @request.auth.id) || @request.auth.role = "admin"`},
	{"exports", "Delete",
		`requested_by = @request.auth.id || @request.auth.role = "admin"`,
		`(requested_by = @request.auth.id || @request.auth.role = "admin") && status != "running"`},
}

const (
	idPatternWas = `^(?:[0-9A-Za-z]{16}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`
	idPatternNow = `^(?:[0-9A-Za-z]{16}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`
)

func reconcileSyncTables(app core.App) error {
	db := app.DB()
	hasColumn := func(table, column string) (bool, error) {
		var n int
		err := db.NewQuery(`SELECT COUNT(*) FROM pragma_table_info({:t}) WHERE name = {:c}`).
			Bind(map[string]any{"t": table, "c": column}).Row(&n)
		return n > 0, err
	}
	exec := func(stmts ...string) error {
		for _, s := range stmts {
			if _, err := db.NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("%w: %s", err, s)
			}
		}
		return nil
	}

	// _sync_state.written: the seq of the last data write. Taken as seq, as if the last change
	// had been one.
	if ok, err := hasColumn("_sync_state", "written"); err != nil || !ok {
		if err != nil {
			return err
		}
		var seq, horizon int64
		if err := db.NewQuery(`SELECT seq, horizon FROM _sync_state WHERE id = 1`).Row(&seq, &horizon); err != nil {
			return err
		}
		if err := exec(`DROP TABLE _sync_state`,
			`CREATE TABLE _sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,
				written INTEGER NOT NULL, horizon INTEGER NOT NULL DEFAULT 0)`,
			fmt.Sprintf(`INSERT INTO _sync_state (id, seq, written, horizon) VALUES (1, %d, %d, %d)`, seq, seq, horizon),
		); err != nil {
			return err
		}
	}
	// _sync_users only spares a pull the rules while nothing was written: emptied, it costs one
	// evaluation per user.
	if ok, err := hasColumn("_sync_users", "written"); err != nil || !ok {
		if err != nil {
			return err
		}
		if err := exec(`DROP TABLE IF EXISTS _sync_users`,
			`CREATE TABLE _sync_users (user_id TEXT PRIMARY KEY NOT NULL, written INTEGER NOT NULL) WITHOUT ROWID`,
		); err != nil {
			return err
		}
	}

	triggers := map[string]string{
		"sync_collections_rules": `CREATE TRIGGER sync_collections_rules AFTER UPDATE ON _collections BEGIN
				UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1; END`,
		"sync_users_role": `CREATE TRIGGER sync_users_role AFTER UPDATE OF role ON users WHEN OLD.role IS NOT NEW.role BEGIN
				UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1; END`,
	}
	for _, name := range reconciledSyncedTables {
		triggers["sync_"+name+"_insert"] = fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_insert AFTER INSERT ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid;
					DELETE FROM _sync_tombstones WHERE tbl = '%[1]s' AND record_id = NEW.id; END`, name)
		triggers["sync_"+name+"_update"] = fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_update AFTER UPDATE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					UPDATE %[1]s SET sync_seq = (SELECT seq FROM _sync_state WHERE id = 1) WHERE rowid = NEW.rowid; END`, name)
		triggers["sync_"+name+"_delete"] = fmt.Sprintf(`CREATE TRIGGER sync_%[1]s_delete AFTER DELETE ON %[1]s BEGIN
					UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1;
					INSERT OR REPLACE INTO _sync_tombstones (tbl, record_id, seq)
						VALUES ('%[1]s', OLD.id, (SELECT seq FROM _sync_state WHERE id = 1)); END`, name)
	}
	space := regexp.MustCompile(`\s+`)
	folded := func(s string) string { return space.ReplaceAllString(strings.TrimSpace(s), " ") }
	for name, want := range triggers {
		var have string
		err := db.NewQuery(`SELECT COALESCE(MAX(sql), '') FROM sqlite_master WHERE type = 'trigger' AND name = {:n}`).
			Bind(map[string]any{"n": name}).Row(&have)
		if err != nil {
			return err
		}
		if folded(have) == folded(want) {
			continue
		}
		if err := exec(`DROP TRIGGER IF EXISTS `+name, want); err != nil {
			return err
		}
	}
	return nil
}

func reconcileCollections(app core.App) error {
	changed := map[string]*core.Collection{}
	find := func(name string) (*core.Collection, error) {
		if c, ok := changed[name]; ok {
			return c, nil
		}
		return app.FindCollectionByNameOrId(name)
	}

	for _, name := range reconciledSyncedTables {
		c, err := find(name)
		if err != nil {
			return err
		}
		if id, ok := c.Fields.GetByName("id").(*core.TextField); ok && id.Pattern == idPatternWas {
			id.Pattern = idPatternNow
			changed[name] = c
		}
	}
	for _, r := range reconciledRules {
		c, err := find(r.collection)
		if err != nil {
			return err
		}
		rule := map[string]**string{"List": &c.ListRule, "View": &c.ViewRule, "Create": &c.CreateRule,
			"Update": &c.UpdateRule, "Delete": &c.DeleteRule}[r.rule]
		if *rule != nil && **rule == r.was {
			now := r.now
			*rule = &now
			changed[r.collection] = c
		}
	}

	rejects, err := find("sync_rejects")
	if err != nil {
		return err
	}
	if raw, ok := rejects.Fields.GetByName("raw").(*core.JSONField); ok && raw.MaxSize == 1<<20 {
		raw.MaxSize = 16 << 20 // a whole pushed record, as large as a push may be
		changed["sync_rejects"] = rejects
	}

	exports, err := find("exports")
	if err != nil {
		return err
	}
	if exports.GetIndex("idx_exports_one_live") == "" {
		// Before the index a second identical live job could be queued: it would break the
		// unique index, so it fails, and the first one runs.
		if _, err := app.DB().NewQuery(`UPDATE exports SET status = 'failed',
				error = 'a duplicate of an earlier job for the same export'
			WHERE (status = 'queued' OR status = 'running') AND rowid NOT IN (
				SELECT MIN(rowid) FROM exports WHERE status = 'queued' OR status = 'running'
				GROUP BY requested_by, kind, cohort, period_from, period_to, format)`).Execute(); err != nil {
			return err
		}
		exports.AddIndex("idx_exports_one_live", true, "requested_by, kind, cohort, period_from, period_to, format",
			"status = 'queued' OR status = 'running'")
		changed["exports"] = exports
	}

	for _, c := range changed {
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
