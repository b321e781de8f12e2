package watermelon

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
)

// _sync_state is one row (migration 1764058000 and later): the change sequence that every
// synced write and every pull moves, and how far tombstones have been pruned. This file is the
// one place that reads and moves it; the triggers of the synced tables stamp their rows with it.

// syncState is the row of _sync_state: the sequence, the seq of the last write to the data (a
// pull does not move it), the epoch (moves when what the rules read of other records changes,
// see migration 1764058410) and how far tombstones were pruned.
type syncState struct {
	Seq     int64 `db:"seq"`
	Written int64 `db:"written"`
	Epoch   int64 `db:"epoch"`
	Horizon int64 `db:"horizon"`
}

func readSyncState(db dbx.Builder) (syncState, error) {
	var st syncState
	err := db.NewQuery("SELECT seq, written, epoch, horizon FROM _sync_state WHERE id = 1").One(&st)
	return st, err
}

// stampPull gives a pull its own sequence number and returns the state it was given at.
func stampPull(tx core.App) (syncState, error) {
	var st syncState
	err := tx.DB().NewQuery("UPDATE _sync_state SET seq = seq + 1 WHERE id = 1 RETURNING seq, written, epoch, horizon").One(&st)
	return st, err
}

// knows reports whether a device whose last pull was at last can be told what it missed: the
// timestamp is one this server gave out, and no tombstone it would need has been pruned.
func (st syncState) knows(last int64) bool {
	return last >= st.Horizon && last <= st.Seq
}

// Prune forgets tombstones and lost-reach marks older than before. A device whose last pull is
// older than the newest of them can no longer be told what it missed, so the horizon moves up
// and such a device is sent a full replacement instead.
func Prune(app core.App, before time.Time) error {
	cutoff := tz.Stored(before)
	return app.RunInTransaction(func(tx core.App) error {
		var horizon int64
		err := tx.DB().NewQuery(`SELECT COALESCE(MAX(seq), 0) FROM (
			SELECT MAX(seq) AS seq FROM _sync_tombstones WHERE deleted_at < {:cutoff}
			UNION ALL SELECT MAX(seq) FROM _sync_reach WHERE in_reach = 0 AND changed_at < {:cutoff})`).
			Bind(map[string]any{"cutoff": cutoff}).Row(&horizon)
		if err != nil || horizon == 0 {
			return err
		}
		for _, q := range []string{
			`DELETE FROM _sync_tombstones WHERE deleted_at < {:cutoff}`,
			`DELETE FROM _sync_reach WHERE in_reach = 0 AND changed_at < {:cutoff}`,
			`UPDATE _sync_state SET horizon = MAX(horizon, {:horizon}) WHERE id = 1`,
		} {
			if _, err := tx.DB().NewQuery(q).Bind(map[string]any{"cutoff": cutoff, "horizon": horizon}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}

// restoreGap is how far ForgetTimestamps moves the sequence: far past any number the lost
// server can have given out after the restored state (each write and each pull takes one), and
// far below 2^53, where a device's JavaScript number stops being exact, after any number of
// restores.
const restoreGap = 1_000_000_000

// ForgetTimestamps is for a data dir restored from a replica or a backup, before it serves: the
// lost server may have given out sequence numbers past the restored state, for changes the
// restore does not hold, and a device holding one would otherwise be told only what follows it.
// The sequence jumps past every such number and the horizon with it, so every device's next
// pull is a replacement (every record it may see; WatermelonDB keeps its own unsynced changes)
// and its next push before that pull a 409. It returns the restored sequence and the new one.
func ForgetTimestamps(db dbx.Builder) (restored, now int64, err error) {
	err = db.NewQuery("SELECT seq FROM _sync_state WHERE id = 1").Row(&restored)
	if err != nil {
		return 0, 0, err
	}
	err = db.NewQuery("UPDATE _sync_state SET seq = seq + {:gap}, horizon = seq + {:gap} WHERE id = 1 RETURNING seq").
		Bind(dbx.Params{"gap": restoreGap}).Row(&now)
	return restored, now, err
}
