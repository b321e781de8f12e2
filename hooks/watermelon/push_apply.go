package watermelon

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/history"
	"feidi/hooks/reference"
)

// apply writes the push through the same rules and validation as the REST API. A record that
// fails them is not written: it is kept in sync_rejects with its raw data and the reasons, and
// returned to the device, which keeps it unsynced. The rules always see the values as they will
// be stored, never the pushed text (a relation naming two ids is stored as the last one, so
// that is the one the rule must judge).
func (p *pushRun) apply() error {
	sp := newSavepoints(p.tx)
	defer sp.close()
	p.savepoints = sp
	p.rejected = map[string][]string{}
	p.seen = map[string]bool{}
	applied := map[string][]string{}
	cleared := map[string][]string{} // records that went through: their old refusals go
	creatable := map[string]map[string]bool{}
	updatable := map[string]map[string]updateVerdict{}
	for _, c := range p.changes {
		name := c.table.Name
		if _, exists := p.stored[name][c.id]; (c.delete && !exists) || p.unchanged[name][c.id] {
			cleared[name] = append(cleared[name], c.id) // already gone, or already so: nothing to write
			continue
		}
		if _, done := creatable[name]; !done && !c.delete {
			allowed, err := p.creatableIDs(c.table)
			if err != nil {
				return err
			}
			creatable[name] = allowed
			if updatable[name], err = p.updatableIDs(c.table); err != nil {
				return err
			}
		}
		reason, err := p.inSavepoint(func() (error, error) { return p.applyOne(c, creatable[name], updatable[name]) })
		if err != nil {
			return err
		}
		if reason == nil {
			if !c.delete {
				applied[name] = append(applied[name], c.id)
			}
			cleared[name] = append(cleared[name], c.id)
			continue
		}
		p.rejected[name] = append(p.rejected[name], c.id)
		failed, err := p.inSavepoint(func() (error, error) { return p.keepReject(c, reason), nil })
		if err != nil {
			return err
		}
		if failed != nil {
			// The device keeps the record unsynced whatever happens here; the push goes on.
			p.tx.Logger().Error("sync: could not keep a refused record in sync_rejects",
				"table", name, "id", c.id, "error", failed)
		}
	}
	for table, ids := range cleared {
		if err := p.clearRejects(table, ids); err != nil {
			return err
		}
	}
	for table, ids := range applied {
		if err := markPushed(p.tx, p.auth, table, ids, p.last); err != nil {
			return err
		}
	}
	return nil
}

// inSavepoint runs fn in a savepoint of the push's transaction and rolls back to it when fn
// refuses the record (reason) or fails (err): a record is applied whole or not at all, even when
// a hook fails after its row was written.
func (p *pushRun) inSavepoint(fn func() (reason error, err error)) (error, error) {
	if _, err := p.savepoints.begin.Execute(); err != nil {
		return nil, err
	}
	reason, err := fn()
	if reason != nil || err != nil {
		if _, rerr := p.savepoints.rollback.Execute(); rerr != nil && err == nil {
			err = rerr
		}
	}
	if _, rerr := p.savepoints.release.Execute(); rerr != nil && err == nil {
		err = rerr
	}
	return reason, err
}

// savepoints are the three statements of a record's savepoint, prepared once for a push: a
// push of a thousand records would otherwise compile them a thousand times.
type savepoints struct{ begin, rollback, release *dbx.Query }

func newSavepoints(tx core.App) *savepoints {
	return &savepoints{
		begin:    tx.DB().NewQuery("SAVEPOINT sync_record").Prepare(),
		rollback: tx.DB().NewQuery("ROLLBACK TO sync_record").Prepare(),
		release:  tx.DB().NewQuery("RELEASE sync_record").Prepare(),
	}
}

func (s *savepoints) close() {
	for _, q := range []*dbx.Query{s.begin, s.rollback, s.release} {
		q.Close()
	}
}

// creatableIDs evaluates the table's create rule once for all the records of the push that do
// not exist yet, when the tables before it have been applied (a membership's cohort may be new
// too). It returns nil — decide record by record — when the rule reads the request body, which
// differs from record to record. This is PocketBase's own create-rule check (apis/record_crud.go,
// recordCreate: the new record's DBExport offered to the rule as a one-row table), made for
// many rows at once.
func (p *pushRun) creatableIDs(t *table) (map[string]bool, error) {
	rule := t.collection.CreateRule
	if rule != nil && strings.Contains(*rule, "@request.body") {
		return nil, nil
	}
	var fresh []*core.Record
	for _, c := range p.changes {
		if _, exists := p.stored[t.Name][c.id]; c.table == t && !c.delete && !exists {
			r := core.NewRecord(t.collection)
			r.Id = c.id
			r.Load(c.values)
			fresh = append(fresh, r)
		}
	}
	allowed := map[string]bool{}
	info := requestInfo(p.auth, http.MethodPost, nil)
	for batch := range slices.Chunk(fresh, 200) {
		ok, err := createAllowed(p.tx, info, batch)
		if err != nil {
			return nil, err
		}
		maps.Copy(allowed, ok)
	}
	return allowed, nil
}

// updatableIDs evaluates the table's update rule for the records of the push that exist, when
// the tables before it have been applied, in one query for each distinct request body the rule
// reads: a rule sees what a REST PATCH would carry (changedValues), and of that only the fields
// it names (@request.body.<field>...), so edits that change the same of those fields — most
// often none — are judged together, each on its stored row, as CanAccessRecord judges one. It
// returns the verdicts by id, with each record's sync_seq as it was judged: applyOne takes a
// verdict only for a record still so (else it judges the record itself), and nil — decide record
// by record — when the rule reads the body in a way this does not follow.
func (p *pushRun) updatableIDs(t *table) (map[string]updateVerdict, error) {
	rule := t.collection.UpdateRule
	if !updatesTogether || rule == nil || *rule == "" || p.auth == nil || p.auth.IsSuperuser() {
		return nil, nil // CanAccessRecord decides these without a query
	}
	bodyFields := map[string]bool{}
	for _, m := range ruleBodyField.FindAllStringSubmatch(*rule, -1) {
		bodyFields[m[1]] = true
	}
	if strings.Count(*rule, "@request.body") != len(ruleBodyField.FindAllString(*rule, -1)) {
		return nil, nil
	}
	var ids []string
	for _, c := range p.changes {
		if _, exists := p.stored[t.Name][c.id]; c.table == t && !c.delete && exists && !p.unchanged[t.Name][c.id] {
			ids = append(ids, c.id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	values := make(map[string]map[string]any, len(ids))
	for _, c := range p.changes {
		if c.table == t && !c.delete {
			values[c.id] = c.values
		}
	}
	verdicts := make(map[string]updateVerdict, len(ids))
	type group struct {
		body map[string]any
		ids  []any
	}
	for chunk := range slices.Chunk(ids, 200) {
		stored, err := p.tx.FindRecordsByIds(t.collection, chunk)
		if err != nil {
			return nil, err
		}
		groups := map[string]*group{}
		var order []string
		for _, r := range stored {
			body := map[string]any{}
			for name, v := range changedValues(r, values[r.Id]) {
				if bodyFields[name] {
					body[name] = v
				}
			}
			key, err := json.Marshal(body)
			if err != nil {
				return nil, nil
			}
			g := groups[string(key)]
			if g == nil {
				g = &group{body: body}
				groups[string(key)] = g
				order = append(order, string(key))
			}
			g.ids = append(g.ids, r.Id)
			verdicts[r.Id] = updateVerdict{seq: int64(r.GetInt(seqColumn))}
		}
		for _, key := range order {
			g := groups[key]
			info := requestInfo(p.auth, http.MethodPatch, g.body)
			folded, known, all := foldRule(*rule, info.Auth)
			if known {
				for _, id := range g.ids {
					v := verdicts[id.(string)]
					v.allowed = all
					verdicts[id.(string)] = v
				}
				continue
			}
			allowed, err := accessibleAmong(p.tx, info, t.collection, &folded, g.ids)
			if err != nil {
				return nil, err
			}
			for _, id := range allowed {
				v := verdicts[id]
				v.allowed = true
				verdicts[id] = v
			}
		}
	}
	return verdicts, nil
}

// updatesTogether is false only in a test that compares the two ways of judging.
var updatesTogether = true

// ruleBodyField is a rule's reading of one field of the request body.
var ruleBodyField = regexp.MustCompile(`@request\.body\.([A-Za-z0-9_]+)`)

// updateVerdict is the update rule's verdict on a record as it was stored (its sync_seq).
type updateVerdict struct {
	allowed bool
	seq     int64
}

// applyOne applies one change and returns why it was refused, or nil; err is for failures
// that must abort the whole push. creatable, when not nil, holds the create rule's verdict;
// updatable the update rule's (see updatableIDs).
func (p *pushRun) applyOne(c change, creatable map[string]bool, updatable map[string]updateVerdict) (reason error, err error) {
	col := c.table.collection
	var existing *core.Record
	if _, exists := p.stored[c.table.Name][c.id]; exists {
		existing, err = p.tx.FindRecordById(col, c.id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if c.delete {
		if existing == nil {
			return nil, nil // gone with another record of the push (a cascade)
		}
		ok, err := p.tx.CanAccessRecord(existing, requestInfo(p.auth, http.MethodDelete, nil), col.DeleteRule)
		if err != nil || !ok {
			return errRuleDenied("delete"), err
		}
		return savingError(p.tx.DeleteWithContext(history.WithStored(context.Background(), existing), existing)), nil
	}
	var r *core.Record
	if existing == nil {
		r = core.NewRecord(col)
		r.Id = c.id
		r.Load(c.values)
		ok := creatable[c.id]
		if creatable == nil {
			if ok, err = canCreate(p.tx, requestInfo(p.auth, http.MethodPost, ruleBody(r, c.values)), r); err != nil {
				return nil, err
			}
		}
		if !ok {
			return errRuleDenied("create"), nil
		}
	} else {
		// WatermelonDB sends every column of an updated record; the rules must see what a REST
		// PATCH would carry — the columns that change — or an untouched status of "returned"
		// would read as a request to set it.
		verdict, judged := updatable[c.id]
		ok := verdict.allowed
		if !judged || verdict.seq != int64(existing.GetInt(seqColumn)) {
			info := requestInfo(p.auth, http.MethodPatch, changedValues(existing, c.values))
			ok, err = p.tx.CanAccessRecord(existing, info, col.UpdateRule)
		}
		if err != nil || !ok {
			return errRuleDenied("update"), err
		}
		r = existing
		r.Load(c.values)
	}
	if err := reference.Check(p.tx, p.auth, r, p.seen); err != nil {
		var fields validation.Errors
		if !errors.As(err, &fields) {
			return nil, err
		}
		return fields, nil
	}
	ctx := context.Background()
	if existing != nil {
		ctx = history.WithStored(ctx, r) // just read in this transaction: its hooks need not read it again
	}
	return savingError(p.tx.SaveWithContext(ctx, r)), nil
}

// ruleBody is the request body a rule sees for the pushed columns: their values as the record
// holds them, normalised by their fields.
func ruleBody(r *core.Record, values map[string]any) map[string]any {
	body := make(map[string]any, len(values))
	for name := range values {
		body[name] = bodyValue(r.Get(name))
	}
	return body
}

// bodyValue writes a date as the text a REST body would carry.
func bodyValue(v any) any {
	if d, ok := v.(types.DateTime); ok {
		return d.String()
	}
	return v
}

// sameValue compares two normalised field values.
func sameValue(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func errRuleDenied(action string) error {
	return validation.Errors{"rule": validation.NewError("sync_rule_denied",
		"The collection's rules do not let you "+action+" this record.")}
}

// savingError turns a failed save into the reason kept for the device's owner.
func savingError(err error) error {
	if err == nil {
		return nil
	}
	var fields validation.Errors
	if errors.As(err, &fields) {
		return fields
	}
	return validation.Errors{"record": validation.NewError("sync_save_failed", err.Error())}
}
