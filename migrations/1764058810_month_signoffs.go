package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// month_signoffs: an engineer submits an Asia/Shanghai month of their schedules and commute
// logs; a coordinator of one of their cohorts, or an admin, approves it or returns it with a
// reason; an approved month is locked (hooks/validate refuses every write to its logs) until an
// admin unlocks it (back to open) with a reason. The moves are checked by hooks/validate; who
// may make which move is written here. Synced: the engineer's and the coordinators' devices pull
// it, so it gets the change triggers every synced table has (1764058000, 1764058200).
func init() {
	const name = "month_signoffs"
	m.Register(func(app core.App) error {
		engineers, err := app.FindCollectionByNameOrId("engineers")
		if err != nil {
			return err
		}
		s := newSyncedCollection(name)
		s.Fields.Add(
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
			&core.TextField{Name: "month", Required: true, Pattern: `^\d{4}-(0[1-9]|1[0-2])$`},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"open", "submitted", "approved", "returned"}},
			&core.TextField{Name: "reason", Max: 1000},
			&core.NumberField{Name: "sync_seq", Hidden: true, OnlyInt: true},
		)
		withTimestamps(s)
		s.AddIndex("idx_month_signoffs_engineer_month", true, "engineer, month", "")
		s.AddIndex("idx_"+name+"_sync_seq", false, "sync_seq", "")
		s.AddIndex("idx_"+name+"_id_nocase", false, "id COLLATE NOCASE", "")
		fixed := `@request.body.engineer:isset = false && @request.body.month:isset = false`
		s.ListRule = rule(ownEngineerRecord + ` || (` + coordinatesEngineer + `) || ` + isAdmin)
		s.ViewRule = s.ListRule
		s.CreateRule = rule(`(` + ownEngineerRecord + ` && status = "submitted") || ` + isAdmin)
		s.UpdateRule = rule(`(` + ownEngineerRecord + ` && ` + fixed + ` && (status = "open" || status = "returned") && @request.body.status = "submitted") || (` +
			coordinatesEngineer + ` && ` + fixed + ` && status = "submitted" && (@request.body.status = "approved" || @request.body.status = "returned")) || ` + isAdmin)
		s.DeleteRule = rule(`(` + ownEngineerRecord + ` && status != "approved") || ` + isAdmin)
		if err := app.Save(s); err != nil {
			return err
		}
		for _, q := range []string{
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
		} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return fmt.Errorf("%w: %s", err, q)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, op := range []string{"insert", "update", "delete"} {
			if _, err := app.DB().NewQuery(fmt.Sprintf(`DROP TRIGGER IF EXISTS sync_%s_%s`, name, op)).Execute(); err != nil {
				return err
			}
		}
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
