package watermelon

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// MaxPushBytes is the largest push body accepted; a device with more to send splits it.
const MaxPushBytes = 16 << 20

type tableChanges struct {
	Created []map[string]any `json:"created"`
	Updated []map[string]any `json:"updated"`
	Deleted []any            `json:"deleted"`
}

type pushBody struct {
	Changes      map[string]tableChanges `json:"changes"`
	LastPulledAt *json.Number            `json:"lastPulledAt"`
}

// change is one pushed record, checked for shape and converted to field values.
type change struct {
	table  *table
	id     string
	delete bool
	values map[string]any // field → value, for upserts
	raw    map[string]any // as pushed, for sync_rejects
}

// conflictError is a push that touches records changed on the server since the device's last
// pull; nothing of the push is written.
type conflictError map[string][]string

func (c conflictError) Error() string { return "sync conflict" }

// push answers POST /api/sync/push.
func push(e *core.RequestEvent) error {
	s, err := loadSchema(e.App)
	if err != nil {
		return err
	}
	var body pushBody
	dec := json.NewDecoder(http.MaxBytesReader(e.Response, e.Request.Body, MaxPushBytes))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return e.Error(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("A push may carry at most %d MiB; split it into several.", MaxPushBytes>>20), nil)
		}
		return e.BadRequestError("The push body is not the JSON WatermelonDB sends: {\"changes\": {...}, \"lastPulledAt\": N}.",
			validation.Errors{"body": validation.NewError("sync_bad_json", err.Error())})
	}
	if _, err := dec.Token(); err != io.EOF {
		return e.BadRequestError("The push body has more after its JSON object.", nil)
	}
	last, err := lastPulledAt(e, body.LastPulledAt)
	if err != nil {
		return err
	}
	changes, err := parseChanges(e, s, body.Changes)
	if err != nil {
		return err
	}

	var rejected map[string][]string
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := findConflicts(tx, changes, last); err != nil {
			return err
		}
		rejected, err = apply(tx, e.Auth, changes, last)
		return err
	})
	var conflict conflictError
	if errors.As(err, &conflict) {
		return e.JSON(http.StatusConflict, map[string]any{
			"status":    http.StatusConflict,
			"message":   "Some pushed records changed on the server after your last pull: pull, then push again.",
			"conflicts": conflict,
		})
	}
	if err != nil {
		return err
	}
	if len(rejected) == 0 {
		return e.JSON(http.StatusOK, map[string]any{})
	}
	return e.JSON(http.StatusOK, map[string]any{"experimentalRejectedIds": rejected})
}

func lastPulledAt(e *core.RequestEvent, fromBody *json.Number) (int64, error) {
	raw := e.Request.URL.Query().Get("last_pulled_at")
	if raw == "" && fromBody != nil {
		raw = fromBody.String()
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 {
		return 0, e.BadRequestError("A push needs the timestamp of the pull before it.", validation.Errors{
			"last_pulled_at": validation.NewError("sync_bad_last_pulled_at", "last_pulled_at must be the timestamp the last pull returned.")})
	}
	return n, nil
}

// parseChanges checks the shape of every pushed record before anything is written: known
// tables and columns, ids of the right form, values of the column's type. WatermelonDB sends
// every table of the app, most with nothing in them, and its bookkeeping columns on each raw:
// those are fine. Empty change sets of tables the server does not sync (an app's local-only
// tables) are ignored; records in them are refused, since they would be lost.
func parseChanges(e *core.RequestEvent, s *appSchema, in map[string]tableChanges) ([]change, error) {
	errs := validation.Errors{}
	var out []change
	seen := map[string]bool{}
	for name, tc := range in {
		t := s.table(name)
		if t == nil {
			if len(tc.Created)+len(tc.Updated)+len(tc.Deleted) > 0 {
				errs[name] = validation.NewError("sync_unknown_table", "This server does not sync table "+strconv.Quote(name)+".")
			}
			continue
		}
		for bucket, raws := range map[string][]map[string]any{"created": tc.Created, "updated": tc.Updated} {
			for i, raw := range raws {
				where := fmt.Sprintf("%s.%s.%d", name, bucket, i)
				c, column, err := parseRaw(t, raw)
				if err != nil {
					if column != "" {
						where += "." + column
					}
					errs[where] = err
					continue
				}
				if seen[name+"/"+c.id] {
					errs[where] = validation.NewError("sync_duplicate_id", "Record "+c.id+" appears twice in this push.")
					continue
				}
				seen[name+"/"+c.id] = true
				out = append(out, c)
			}
		}
		for i, v := range tc.Deleted {
			id, ok := v.(string)
			if !ok || !idPattern.MatchString(id) {
				errs[fmt.Sprintf("%s.deleted.%d", name, i)] = validation.NewError("sync_bad_id",
					"A record id is 16 characters of 0-9a-zA-Z or a UUID.")
				continue
			}
			if seen[name+"/"+id] {
				errs[fmt.Sprintf("%s.deleted.%d", name, i)] = validation.NewError("sync_duplicate_id", "Record "+id+" appears twice in this push.")
				continue
			}
			seen[name+"/"+id] = true
			out = append(out, change{table: t, id: id, delete: true, raw: map[string]any{"id": id}})
		}
	}
	if len(errs) > 0 {
		return nil, e.BadRequestError("The push has records this server cannot read; nothing was written.", errs)
	}
	order := func(c change) int { return slices.Index(Tables, c.table.Name) }
	// Upserts parents first, deletions children first; ids keep a fixed order within a table.
	slices.SortStableFunc(out, func(a, b change) int {
		if a.delete != b.delete {
			if a.delete {
				return 1
			}
			return -1
		}
		if oa, ob := order(a), order(b); oa != ob {
			if a.delete {
				return ob - oa
			}
			return oa - ob
		}
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return out, nil
}

// parseRaw checks one pushed raw; on failure it names the column at fault, if one is.
func parseRaw(t *table, raw map[string]any) (change, string, error) {
	id, _ := raw["id"].(string)
	if !idPattern.MatchString(id) {
		return change{}, "id", validation.NewError("sync_bad_id", "A record id is 16 characters of 0-9a-zA-Z or a UUID.")
	}
	c := change{table: t, id: id, raw: raw, values: map[string]any{}}
	for name, v := range raw {
		if name == "id" || bookkeeping[name] {
			continue
		}
		col := t.byName[name]
		if col == nil {
			return change{}, name, validation.NewError("sync_unknown_column", "Table "+t.Name+" has no column "+strconv.Quote(name)+".")
		}
		if col.readOnly {
			continue
		}
		if n, ok := v.(json.Number); ok {
			f, err := n.Float64()
			if err != nil {
				return change{}, name, validation.NewError("sync_bad_value", "Not a number.")
			}
			v = f
		}
		val, err := col.decode(v)
		if err != nil {
			return change{}, name, validation.NewError("sync_bad_value", "The value "+err.Error()+".")
		}
		c.values[name] = val
	}
	return c, "", nil
}

// findConflicts fails the push if any of its records was changed or deleted on the server
// after the device's last pull. A created or updated record that already holds exactly the
// pushed values is not a conflict: it is the same push, retried after its answer was lost.
func findConflicts(tx core.App, changes []change, last int64) error {
	horizon, current, err := sequenceState(tx)
	if err != nil {
		return err
	}
	conflicts := conflictError{}
	for _, c := range changes {
		if last < horizon || last > current {
			// too old to tell, or a timestamp this server never gave out: pull first
			conflicts[c.table.Name] = append(conflicts[c.table.Name], c.id)
			continue
		}
		var seq int64
		err := tx.DB().NewQuery("SELECT sync_seq FROM {{" + c.table.Name + "}} WHERE id = {:id}").Bind(dbx.Params{"id": c.id}).Row(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if c.delete {
				continue
			}
			err = tx.DB().NewQuery("SELECT seq FROM _sync_tombstones WHERE tbl = {:tbl} AND record_id = {:id}").
				Bind(dbx.Params{"tbl": c.table.Name, "id": c.id}).Row(&seq)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
		}
		if err != nil {
			return err
		}
		if seq <= last {
			continue
		}
		if !c.delete {
			same, err := holdsValues(tx, c)
			if err != nil {
				return err
			}
			if same {
				continue
			}
		}
		conflicts[c.table.Name] = append(conflicts[c.table.Name], c.id)
	}
	if len(conflicts) > 0 {
		return conflicts
	}
	return nil
}

// holdsValues reports whether the stored record already has every pushed value.
func holdsValues(tx core.App, c change) (bool, error) {
	stored, err := tx.FindRecordById(c.table.collection, c.id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
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
	for name, v := range values {
		a, _ := json.Marshal(stored.Get(name))
		b, _ := json.Marshal(pushed.Get(name))
		if string(a) != string(b) {
			out[name] = v
		}
	}
	return out
}

// apply writes the push through the same rules and validation as the REST API. A record that
// fails them is not written: it is kept in sync_rejects with its raw data and the reasons, and
// returned to the device, which keeps it unsynced.
func apply(tx core.App, auth *core.Record, changes []change, last int64) (map[string][]string, error) {
	rejected := map[string][]string{}
	applied := map[string][]string{}
	creatable := map[string]map[string]bool{} // table → new ids its create rule lets through
	for _, c := range changes {
		if _, done := creatable[c.table.Name]; !done && !c.delete {
			allowed, err := creatableIDs(tx, auth, c.table, changes)
			if err != nil {
				return nil, err
			}
			creatable[c.table.Name] = allowed
		}
		reason, err := inSavepoint(tx, func() (error, error) { return applyOne(tx, auth, c, creatable[c.table.Name]) })
		if err != nil {
			return nil, err
		}
		if reason == nil {
			if !c.delete {
				applied[c.table.Name] = append(applied[c.table.Name], c.id)
			}
			if err := clearReject(tx, auth, c); err != nil {
				return nil, err
			}
			continue
		}
		rejected[c.table.Name] = append(rejected[c.table.Name], c.id)
		failed, err := inSavepoint(tx, func() (error, error) { return keepReject(tx, auth, c, reason), nil })
		if err != nil {
			return nil, err
		}
		if failed != nil {
			// The device keeps the record unsynced whatever happens here; the push goes on.
			tx.Logger().Error("sync: could not keep a refused record in sync_rejects",
				"table", c.table.Name, "id", c.id, "error", failed)
		}
	}
	for table, ids := range applied {
		if err := markPushed(tx, auth, table, ids, last); err != nil {
			return nil, err
		}
	}
	return rejected, nil
}

// inSavepoint runs fn in a savepoint of the push's transaction and rolls back to it when fn
// refuses the record (reason) or fails (err): a record is applied whole or not at all, even when
// a hook fails after its row was written.
func inSavepoint(tx core.App, fn func() (reason error, err error)) (error, error) {
	if _, err := tx.DB().NewQuery("SAVEPOINT sync_record").Execute(); err != nil {
		return nil, err
	}
	reason, err := fn()
	if reason != nil || err != nil {
		if _, rerr := tx.DB().NewQuery("ROLLBACK TO sync_record").Execute(); rerr != nil && err == nil {
			err = rerr
		}
	}
	if _, rerr := tx.DB().NewQuery("RELEASE sync_record").Execute(); rerr != nil && err == nil {
		err = rerr
	}
	return reason, err
}

// creatableIDs evaluates the table's create rule once for all the records of the push that do
// not exist yet, when the tables before it have been applied (a membership's cohort may be new
// too). It returns nil — decide record by record — when the rule reads the request body, which
// differs from record to record.
func creatableIDs(tx core.App, auth *core.Record, t *table, changes []change) (map[string]bool, error) {
	rule := t.collection.CreateRule
	if rule != nil && strings.Contains(*rule, "@request.body") {
		return nil, nil
	}
	var ids []any
	for _, c := range changes {
		if c.table == t && !c.delete {
			ids = append(ids, c.id)
		}
	}
	var found []string
	if err := tx.DB().Select("id").From(t.Name).Where(dbx.In("id", ids...)).Column(&found); err != nil {
		return nil, err
	}
	existing := make(map[string]bool, len(found))
	for _, id := range found {
		existing[id] = true
	}
	var fresh []*core.Record
	for _, c := range changes {
		if c.table == t && !c.delete && !existing[c.id] {
			r := core.NewRecord(t.collection)
			r.Id = c.id
			r.Load(c.values)
			fresh = append(fresh, r)
		}
	}
	allowed := map[string]bool{}
	info := requestInfo(auth, http.MethodPost, nil)
	for batch := range slices.Chunk(fresh, 200) { // SQLite takes some 32,000 parameters a query
		ok, err := createAllowed(tx, info, batch)
		if err != nil {
			return nil, err
		}
		maps.Copy(allowed, ok)
	}
	return allowed, nil
}

// applyOne applies one change and returns why it was refused, or nil; err is for failures
// that must abort the whole push. creatable, when not nil, holds the create rule's verdict.
func applyOne(tx core.App, auth *core.Record, c change, creatable map[string]bool) (reason error, err error) {
	col := c.table.collection
	existing, err := tx.FindRecordById(col, c.id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if c.delete {
		if existing == nil {
			return nil, nil // already gone
		}
		ok, err := tx.CanAccessRecord(existing, requestInfo(auth, http.MethodDelete, nil), col.DeleteRule)
		if err != nil || !ok {
			return errRuleDenied("delete"), err
		}
		return savingError(tx.Delete(existing)), nil
	}
	info := requestInfo(auth, http.MethodPost, c.values)
	var r *core.Record
	if existing == nil {
		r = core.NewRecord(col)
		r.Id = c.id
		r.Load(c.values)
		ok := creatable[c.id]
		if creatable == nil {
			if ok, err = canCreate(tx, info, r); err != nil {
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
		info = requestInfo(auth, http.MethodPatch, changedValues(existing, c.values))
		ok, err := tx.CanAccessRecord(existing, info, col.UpdateRule)
		if err != nil || !ok {
			return errRuleDenied("update"), err
		}
		r = existing
		r.Load(c.values)
	}
	return savingError(tx.Save(r)), nil
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

// keepReject stores (or refreshes) what the device pushed and why it was refused.
func keepReject(tx core.App, auth *core.Record, c change, reason error) error {
	if auth.IsSuperuser() {
		return nil // sync_rejects belong to users; a superuser sees the answer itself
	}
	op := "update"
	switch {
	case c.delete:
		op = "delete"
	case c.raw["_status"] == "created":
		op = "create"
	}
	r, err := tx.FindFirstRecordByFilter("sync_rejects", "user = {:u} && table = {:t} && record_id = {:id}",
		dbx.Params{"u": auth.Id, "t": c.table.Name, "id": c.id})
	if errors.Is(err, sql.ErrNoRows) {
		col, err := tx.FindCachedCollectionByNameOrId("sync_rejects")
		if err != nil {
			return err
		}
		r = core.NewRecord(col)
	} else if err != nil {
		return err
	}
	r.Load(map[string]any{"user": auth.Id, "table": c.table.Name, "record_id": c.id, "operation": op,
		"raw": c.raw, "errors": fieldErrors(reason), "message": truncate(rejectMessage(reason), 1900)})
	return tx.Save(r)
}

// clearReject forgets what was refused of a record once a push of it has gone through.
func clearReject(tx core.App, auth *core.Record, c change) error {
	_, err := tx.DB().NewQuery("DELETE FROM sync_rejects WHERE user = {:u} AND [[table]] = {:t} AND record_id = {:id}").
		Bind(dbx.Params{"u": auth.Id, "t": c.table.Name, "id": c.id}).Execute()
	return err
}

// rejectMessage reads the reasons as one line: "depart_at: Overlaps trip …; rule: …".
func rejectMessage(reason error) string {
	fields, ok := reason.(validation.Errors)
	if !ok {
		return reason.Error()
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+fields[name].Error())
	}
	return strings.Join(parts, "; ")
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// fieldErrors writes validation errors the way the REST API answers them: per field, a code and
// a message.
func fieldErrors(err error) map[string]any {
	out := map[string]any{}
	fields, ok := err.(validation.Errors)
	if !ok {
		return map[string]any{"record": map[string]string{"code": "sync_save_failed", "message": err.Error()}}
	}
	for name, e := range fields {
		var ve validation.Error
		switch {
		case errors.As(e, &ve):
			out[name] = map[string]string{"code": ve.Code(), "message": ve.Error()}
		default:
			if nested, ok := e.(validation.Errors); ok {
				out[name] = fieldErrors(nested)
			} else {
				out[name] = map[string]string{"code": "validation_error", "message": e.Error()}
			}
		}
	}
	return out
}
