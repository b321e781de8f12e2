package history

import (
	"context"

	"github.com/pocketbase/pocketbase/core"
)

// A save's hooks need the record as it is stored before the save (the lock check, the history
// row's old values). Record.Original is that only when the record was read from the database and
// not saved since (PocketBase does not refresh it after a save), so by default it is read again;
// a caller that has just read the record in the save's transaction says so with WithStored, and
// the hooks take its Original instead of reading it once each.

type storedKey struct{}

// WithStored returns ctx for the save or delete of r, when r was read from the database in the
// transaction of that save and has not been saved since: its Original is the stored state.
func WithStored(ctx context.Context, r *core.Record) context.Context {
	return context.WithValue(ctx, storedKey{}, r)
}

// Stored returns the record r of a save or delete with context ctx as it is stored: r.Original
// when the caller marked r with WithStored, else read from app; nil (and the lookup's error, such
// as sql.ErrNoRows) when it cannot be read.
func Stored(ctx context.Context, app core.App, r *core.Record) (*core.Record, error) {
	if ctx != nil {
		if marked, _ := ctx.Value(storedKey{}).(*core.Record); marked == r && !r.IsNew() {
			before := r.Original()
			before.MarkAsNotNew()
			return before, nil
		}
	}
	pk, _ := r.LastSavedPK().(string)
	return app.FindRecordById(r.Collection(), pk)
}
