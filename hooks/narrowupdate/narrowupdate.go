// Package narrowupdate writes a record's update without its id in the UPDATE's SET list.
//
// PocketBase writes an update as `UPDATE table SET <every column> WHERE id = ?`, the id
// included, and SQLite rewrites the entry of every index whose columns are set, changed or not.
// An id never changes (PocketBase refuses that before writing), yet its two indexes — the
// primary key's and the case-insensitive one PocketBase's duplicate check reads (migration
// 1764058200) — are keyed by random ids, so each edit rewrote a leaf page of each, anywhere in
// them: in a sync push of 20 edited trips, about 40 of its 105–127 pages written
// (bench/walpages; BENCHMARKS.md). Leaving the id out writes the same row.
package narrowupdate

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// HookID is the id of the handler that writes records' updates; a benchmark unbinds it to
// measure PocketBase's own write.
const HookID = "feidi_narrow_update"

// Register binds the write of every record update, as the last handler of the model's update
// execution, in place of PocketBase's: the validations, the hooks before it and everything
// after the write are PocketBase's as before. It writes to the main database: PocketBase saves
// only its logs, which are not records, to the auxiliary one. A handler bound later at the same
// priority would never run; hooks.Register binds this one first.
func Register(app core.App) {
	app.OnModelUpdateExecute().Bind(&hook.Handler[*core.ModelEvent]{
		Id:       HookID,
		Priority: math.MaxInt, // last: nothing bound to the execution is skipped
		Func: func(e *core.ModelEvent) error {
			r, ok := e.Model.(*core.Record)
			if !ok {
				return e.Next() // collections, logs and other models: PocketBase's write
			}
			return write(e, r)
		},
	})
}

// write is PocketBase's update (core.BaseApp's update, v0.36.8) without the id in the SET list.
// When the id is all there is to write (a record saved with IgnoreUnchangedFields and nothing
// changed, or a collection of no other field), PocketBase's own write runs: an UPDATE needs a
// column to set, and PocketBase's fires the table's update triggers.
func write(e *core.ModelEvent, r *core.Record) error {
	data, err := r.DBExport(e.App)
	if err != nil {
		return err
	}
	pk := r.LastSavedPK()
	if data["id"] != pk {
		return errors.New("primary key change is not allowed")
	}
	delete(data, "id")
	if len(data) == 0 {
		return e.Next()
	}
	return retryLocked(func() error {
		_, err := e.App.NonconcurrentDB().Update(r.TableName(), data, dbx.HashExp{"id": pk}).
			WithContext(e.Context).Execute()
		return err
	})
}

// retryIntervals and maxRetries are PocketBase's for its own writes (core/db_retry.go, which
// keeps them unexported).
var retryIntervals = []time.Duration{50, 100, 150, 200, 300, 400, 500, 700, 1000}

const maxRetries = 12

// retryLocked retries op while SQLite answers that the database or a table is locked, as
// PocketBase's own writes do (the same texts, intervals and number of retries).
func retryLocked(op func() error) error {
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt > maxRetries ||
			!strings.Contains(err.Error(), "database is locked") && !strings.Contains(err.Error(), "table is locked") {
			return err
		}
		time.Sleep(retryIntervals[min(attempt, len(retryIntervals)-1)] * time.Millisecond)
	}
}
