// Package history keeps every version of every synced record: each create, update and delete of
// a record of a synced collection — whatever door it came through (REST, sync push, the admin UI,
// a hook, the seed, a restore) — leaves one row in record_history in the same transaction as the
// write, naming the record, its version, who wrote it through which door, the server's time and
// the fields it changed, old and new (whole for a create or a delete). A write rolled back
// leaves no row; a save that changes nothing leaves none either.
//
// The synced collections are those the sync migrations gave their hidden sync_seq column, the
// column the WatermelonDB sync itself requires of every table it serves (hooks/watermelon), so a
// new synced table is tracked the moment it is synced.
//
// Who writes is told per transaction: the REST hooks of this package attribute the request's
// transaction to its caller (door rest, or admin for a superuser — the admin UI); the sync push
// attributes its transaction with Attribute; anything else is the system.
package history

import (
	"encoding/json"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/sqlcache"
)

// Collection is where the versions are kept (migration 1764058800).
const Collection = "record_history"

// syncColumn marks a synced collection: the hidden change-sequence column of the sync protocol.
const syncColumn = "sync_seq"

// Door is the way a write came in.
type Door string

// The doors of a write.
const (
	DoorREST   Door = "rest"   // the REST API (and the batch API) as a user
	DoorSync   Door = "sync"   // a WatermelonDB push
	DoorAdmin  Door = "admin"  // the admin UI (a superuser), or an admin's restore
	DoorSystem Door = "system" // hooks, the seed, commands: nobody's request
)

// Actor is who writes in a transaction, through which door, and why when it is worth saying.
type Actor struct {
	Door Door
	ID   string // the users or _superusers record id; empty for the system
	Note string // e.g. "restored from version 3"
}

// By is the actor of a request made with auth through door.
func By(auth *core.Record, door Door) Actor {
	a := Actor{Door: door}
	if auth != nil {
		a.ID = auth.Id
	}
	return a
}

// actors maps a transaction's app to the actor of its writes while that transaction runs.
var actors sync.Map

// Attribute makes actor the author of every write made with tx until release is called; call
// it inside RunInTransaction with the transaction's app (on an app outside a transaction it does
// nothing: there is no request to attribute to). Attributions nest: release restores the one
// before.
func Attribute(tx core.App, actor Actor) (release func()) {
	if !tx.IsTransactional() {
		return func() {}
	}
	prev, had := actors.Swap(tx, actor)
	return func() {
		if had {
			actors.Store(tx, prev)
		} else {
			actors.Delete(tx)
		}
	}
}

func actorOf(tx core.App) Actor {
	if a, ok := actors.Load(tx); ok {
		return a.(Actor)
	}
	return Actor{Door: DoorSystem}
}

// Tracked reports whether writes to c are kept in history: c is synced.
func Tracked(c *core.Collection) bool {
	return c.Fields.GetByName(syncColumn) != nil
}

// Write records one write of a tracked record in tx, by whoever tx is attributed to: before is
// the record as stored before the write (nil for a create), after as written (nil for a
// delete). An update that changes no field records nothing. The record's writes through
// app.Save and app.Delete are recorded by Register's hooks; Write is for a path that writes
// rows itself.
func Write(tx core.App, before, after *core.Record) error {
	op, r := "update", after
	var old, new map[string]any
	switch {
	case before == nil:
		op, new = "create", Values(after)
	case after == nil:
		op, r, old = "delete", before, Values(before)
	default:
		old, new = Changes(before, after)
		if len(new) == 0 {
			return nil
		}
	}
	oldJSON, err := json.Marshal(old)
	if err != nil {
		return err
	}
	newJSON, err := json.Marshal(new)
	if err != nil {
		return err
	}
	a := actorOf(tx)
	now := types.NowDateTime().String()
	_, err = sqlcache.Query(tx, `INSERT INTO record_history
		(id, [[table]], record_id, version, operation, door, actor, before, after, note, created, updated)
		SELECT {:id}, {:table}, {:record}, COALESCE(MAX(version), 0) + 1, {:op}, {:door}, {:actor}, {:before}, {:after}, {:note}, {:now}, {:now}
		FROM record_history WHERE [[table]] = {:table} AND record_id = {:record}`).
		Bind(dbx.Params{"id": newID(),
			"table": r.Collection().Name, "record": r.Id, "op": op, "door": string(a.Door), "actor": a.ID,
			"before": string(oldJSON), "after": string(newJSON), "note": a.Note, "now": now}).Execute()
	return err
}

// Values are a record's kept fields as they are stored: every field but the id, the hidden ones
// (the sync sequence) and the automatic timestamps (the history row has its own time).
func Values(r *core.Record) map[string]any {
	out := map[string]any{}
	for _, f := range r.Collection().Fields {
		if kept(f) {
			out[f.GetName()] = r.Get(f.GetName())
		}
	}
	return out
}

func kept(f core.Field) bool {
	if f.GetHidden() || f.GetName() == core.FieldNameId {
		return false
	}
	_, auto := f.(*core.AutodateField)
	return !auto
}

// Changes returns the kept fields whose values differ between two states of a record, with
// their old and new values; none when a save would change nothing.
func Changes(before, after *core.Record) (old, new map[string]any) {
	was := Values(before)
	old, new = map[string]any{}, map[string]any{}
	for name, v := range Values(after) {
		if !same(was[name], v) {
			old[name], new[name] = was[name], v
		}
	}
	return old, new
}

func same(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
