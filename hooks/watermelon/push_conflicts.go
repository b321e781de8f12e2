package watermelon

import (
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// A push conflicts when one of its records changed or was deleted on the server after the
// device's last pull — but only a record the pusher may see: of any other record a push learns
// nothing, whatever it pushes (it is refused by the rules, as a REST write of it would be).

// idChunk is how many ids one IN list carries; SQLite takes some 32,000 parameters a query.
const idChunk = 500

// loadStored reads which of the pushed records exist, and their change numbers: one query per
// table and chunk of ids, so a push of ids that do not exist costs next to nothing.
func (p *pushRun) loadStored() error {
	p.stored = map[string]map[string]int64{}
	for table, ids := range p.idsByTable(func(change) bool { return true }) {
		found := map[string]int64{}
		for chunk := range slices.Chunk(ids, idChunk) {
			rows := []struct {
				ID  string `db:"id"`
				Seq int64  `db:"sync_seq"`
			}{}
			err := p.tx.DB().Select("id", seqColumn).From(table).Where(dbx.In("id", chunk...)).All(&rows)
			if err != nil {
				return err
			}
			for _, r := range rows {
				found[r.ID] = r.Seq
			}
		}
		p.stored[table] = found
	}
	return nil
}

// idsByTable groups the ids of the changes that keep returns true for by table.
func (p *pushRun) idsByTable(keep func(change) bool) map[string][]any {
	out := map[string][]any{}
	for _, c := range p.changes {
		if keep(c) {
			out[c.table.Name] = append(out[c.table.Name], c.id)
		}
	}
	return out
}

// findConflicts fails the push if any record it touches, that the pusher may see, was changed
// or deleted on the server after the device's last pull. A created or updated record that
// already holds exactly the pushed values is not a conflict: it is the same push, retried after
// its answer was lost.
func (p *pushRun) findConflicts() error {
	if err := p.loadStored(); err != nil {
		return err
	}
	st, err := readSyncState(p.tx.DB())
	if err != nil {
		return err
	}
	conflicts := conflictError{}
	p.unchanged = map[string]map[string]bool{}
	if !st.knows(p.last) {
		// too old to tell, or a timestamp this server never gave out: pull first
		for _, c := range p.changes {
			conflicts[c.table.Name] = append(conflicts[c.table.Name], c.id)
		}
		return conflicts
	}
	changedSince := p.idsByTable(func(c change) bool {
		seq, ok := p.stored[c.table.Name][c.id]
		return ok && seq > p.last
	})
	deletedSince, err := p.deletedSince()
	if err != nil {
		return err
	}
	visible := map[string]map[string]bool{}
	for table, ids := range changedSince {
		if visible[table], err = p.viewable(table, ids); err != nil {
			return err
		}
	}
	for _, c := range p.changes {
		switch {
		case visible[c.table.Name][c.id]:
			if !c.delete {
				same, err := p.holdsValues(c)
				if err != nil {
					return err
				}
				if same { // the same push again, its answer lost: nothing to write
					if p.unchanged[c.table.Name] == nil {
						p.unchanged[c.table.Name] = map[string]bool{}
					}
					p.unchanged[c.table.Name][c.id] = true
					continue
				}
			}
		case deletedSince[c.table.Name][c.id]:
		default:
			continue
		}
		conflicts[c.table.Name] = append(conflicts[c.table.Name], c.id)
	}
	if len(conflicts) > 0 {
		return conflicts
	}
	return nil
}

// deletedSince finds the pushed upserts of records deleted after the device's last pull that
// the pusher once had in reach; of others' deleted records a push learns nothing.
func (p *pushRun) deletedSince() (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	missing := p.idsByTable(func(c change) bool {
		_, ok := p.stored[c.table.Name][c.id]
		return !c.delete && !ok
	})
	for table, ids := range missing {
		for chunk := range slices.Chunk(ids, idChunk) {
			var found []string
			err := p.tx.DB().Select("t.record_id").From("_sync_tombstones t").
				InnerJoin("_sync_reach r", dbx.NewExp("r.user_id = {:user} AND r.tbl = t.tbl AND r.record_id = t.record_id",
					dbx.Params{"user": reachKey(p.auth)})).
				Where(dbx.HashExp{"t.tbl": table}).AndWhere(dbx.In("t.record_id", chunk...)).
				AndWhere(dbx.NewExp("t.seq > {:last}", dbx.Params{"last": p.last})).Column(&found)
			if err != nil {
				return nil, err
			}
			for _, id := range found {
				if out[table] == nil {
					out[table] = map[string]bool{}
				}
				out[table][id] = true
			}
		}
	}
	return out, nil
}

// viewable returns which of the ids of table the pusher may view, by the view rule.
func (p *pushRun) viewable(table string, ids []any) (map[string]bool, error) {
	c, err := p.tx.FindCachedCollectionByNameOrId(table)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	info := requestInfo(p.auth, http.MethodGet, nil)
	for chunk := range slices.Chunk(ids, idChunk) {
		found, err := accessibleAmong(p.tx, info, c, c.ViewRule, chunk)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// holdsValues reports whether the stored record already has every pushed value.
func (p *pushRun) holdsValues(c change) (bool, error) {
	stored, err := p.tx.FindRecordById(c.table.collection, c.id)
	if err != nil {
		return false, err
	}
	return len(changedValues(stored, c.values)) == 0, nil
}

// changedValues returns the pushed values that differ from the stored record's, compared after
// each field has normalised them.
func changedValues(stored *core.Record, values map[string]any) map[string]any {
	pushed := stored.Clone()
	pushed.Load(values)
	out := map[string]any{}
	for name := range values {
		if !sameValue(stored.Get(name), pushed.Get(name)) {
			out[name] = bodyValue(pushed.Get(name))
		}
	}
	return out
}
