package history

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// HookID is the id of the hooks that record versions (on record create, update and delete
// execution): a benchmark unbinds them to measure what history costs.
const HookID = "feidi_history"

// Register binds the recording of every write to the synced collections, the attribution of
// REST writes to their callers, and the history endpoints.
func Register(app core.App) {
	app.OnRecordCreateExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: HookID, Func: func(e *core.RecordEvent) error {
		return record(e, false, func(tx core.App, _ *core.Record) error { return Write(tx, nil, e.Record) })
	}})
	app.OnRecordUpdateExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: HookID, Func: func(e *core.RecordEvent) error {
		return record(e, true, func(tx core.App, before *core.Record) error { return Write(tx, before, e.Record) })
	}})
	app.OnRecordDeleteExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: HookID, Func: func(e *core.RecordEvent) error {
		return record(e, true, func(tx core.App, before *core.Record) error { return Write(tx, before, nil) })
	}})

	// A REST write (the admin UI's too, and each of a batch) runs in a transaction attributed to
	// its caller, so that the write and what hooks write with it are theirs: the membership an
	// approved enrolment request makes is the approver's.
	app.OnRecordCreateRequest().BindFunc(func(e *core.RecordRequestEvent) error { return attributed(e) })
	app.OnRecordUpdateRequest().BindFunc(func(e *core.RecordRequestEvent) error { return attributed(e) })
	app.OnRecordDeleteRequest().BindFunc(func(e *core.RecordRequestEvent) error { return attributed(e) })

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindAPI(se)
		return se.Next()
	})
}

// record runs the write of e's record and then keep, in one transaction (joining the caller's
// when there is one). PocketBase's Save opens no transaction for a create or an update; the
// stored state is read (Stored) rather than taken from Record.Original, which PocketBase does not
// refresh when one record value is saved twice, unless the caller marked it fresh.
func record(e *core.RecordEvent, readStored bool, keep func(tx core.App, before *core.Record) error) error {
	if !Tracked(e.Record.Collection()) {
		return e.Next()
	}
	outer := e.App
	defer func() { e.App = outer }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		var before *core.Record
		if readStored {
			var err error
			if before, err = Stored(e.Context, tx, e.Record); err != nil {
				return err
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		return keep(tx, before)
	})
}

func attributed(e *core.RecordRequestEvent) error {
	door := DoorREST
	if e.HasSuperuserAuth() {
		door = DoorAdmin
	}
	outer := e.App
	defer func() { e.App = outer }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		defer Attribute(tx, By(e.Auth, door))()
		return e.Next()
	})
}
