package watermelon

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// reachKey names whose reach a row of _sync_reach records.
func reachKey(auth *core.Record) string {
	if auth.IsSuperuser() {
		return "_superusers:" + auth.Id
	}
	return auth.Id
}

// refreshReach brings the caller's reach up to date with what the API rules let them list now,
// in one write transaction, and returns the sequence number the pull answers with. Records that
// came into reach are stamped with it (the device is sent them whole, as created); records that
// left it — deleted, or no longer theirs to see — are stamped likewise (the device is told to
// delete them). Every pull gets a new number, even when nothing changed: a push names the pull
// before it by that number, and markPushed relies on no other device having pulled at it.
func refreshReach(app core.App, s *appSchema, auth *core.Record) (int64, error) {
	var seq int64
	err := app.RunInTransaction(func(tx core.App) (err error) {
		// written is the seq of the last write to the data; a pull does not move it. epoch moves
		// when what the rules read of other records changes (see migration 1764058410).
		state := struct {
			Seq     int64 `db:"seq"`
			Written int64 `db:"written"`
			Epoch   int64 `db:"epoch"`
			Horizon int64 `db:"horizon"`
		}{}
		if err := tx.DB().NewQuery("UPDATE _sync_state SET seq = seq + 1 WHERE id = 1 RETURNING seq, written, epoch, horizon").One(&state); err != nil {
			return err
		}
		seq = state.Seq
		user := reachKey(auth)
		last := struct {
			Written   int64 `db:"written"`
			Epoch     int64 `db:"epoch"`
			Refreshed int64 `db:"refreshed_seq"`
		}{}
		err = tx.DB().NewQuery("SELECT written, epoch, refreshed_seq FROM _sync_users WHERE user_id = {:user}").
			Bind(dbx.Params{"user": user}).One(&last)
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if known && last.Written == state.Written {
			return nil // nothing written since the last refresh: the reach cannot have changed
		}
		// Judge only the rows changed since the last refresh, unless what the rules read of
		// other records moved, or tombstones it would need were pruned: then judge every row.
		since := last.Refreshed
		if !known || last.Epoch != state.Epoch || last.Refreshed < state.Horizon {
			since = -1
		}
		defer func() {
			if err == nil {
				_, err = tx.DB().NewQuery(`INSERT OR REPLACE INTO _sync_users (user_id, written, epoch, refreshed_seq)
					VALUES ({:user}, {:written}, {:epoch}, {:seq})`).
					Bind(dbx.Params{"user": user, "written": state.Written, "epoch": state.Epoch, "seq": seq}).Execute()
			}
		}()
		info := requestInfo(auth, "GET", nil)
		for _, t := range s.Tables {
			gained, lost, err := reachChanges(tx, info, user, t, since)
			if err != nil {
				return err
			}
			if err := gainReach(tx, user, t.Name, gained, seq); err != nil {
				return err
			}
			if err := loseReach(tx, user, t.Name, lost, seq); err != nil {
				return err
			}
		}
		return nil
	})
	return seq, err
}

// reachChanges compares what the user may list of t now with their stored reach: every row
// when since < 0, else the rows changed after since and the records deleted after it.
func reachChanges(tx core.App, info *core.RequestInfo, user string, t *table, since int64) (gained, lost []string, err error) {
	now, err := visibleIDs(tx, info, t.collection, since)
	if err != nil {
		return nil, nil, err
	}
	var before []string
	q := tx.DB().Select("record_id").From("_sync_reach").Where(dbx.HashExp{"user_id": user, "tbl": t.Name, "in_reach": 1})
	if since >= 0 {
		q.AndWhere(dbx.NewExp(`record_id IN (SELECT id FROM {{`+t.Name+`}} WHERE `+seqColumn+` > {:since}
			UNION ALL SELECT record_id FROM _sync_tombstones WHERE tbl = {:tbl} AND seq > {:since})`,
			dbx.Params{"since": since, "tbl": t.Name}))
	}
	if err := q.Column(&before); err != nil {
		return nil, nil, err
	}
	slices.Sort(now)
	now = slices.Compact(now) // a back-relation may list an id more than once
	slices.Sort(before)
	gained, lost = diff(now, before)
	return gained, lost, nil
}

// diff returns what is in now and not in before, and what is in before and not in now; both
// slices are sorted.
func diff(now, before []string) (gained, lost []string) {
	i, j := 0, 0
	for i < len(now) || j < len(before) {
		switch {
		case j == len(before) || (i < len(now) && now[i] < before[j]):
			gained = append(gained, now[i])
			i++
		case i == len(now) || before[j] < now[i]:
			lost = append(lost, before[j])
			j++
		default:
			i++
			j++
		}
	}
	return gained, lost
}

// The reach is written one statement per table and kind, the ids passed as a JSON array that
// SQLite walks itself: far faster than a statement per id when a first pull gains thousands.
// (WHERE true: an INSERT … SELECT needs one before ON CONFLICT, see SQLite's upsert page.)

// gainReach marks the records of table with the given ids as in the user's reach since seq.
func gainReach(tx core.App, user, table string, ids []string, seq int64) error {
	return execWithIDs(tx, `INSERT INTO _sync_reach (user_id, tbl, record_id, in_reach, seq)
		SELECT {:user}, {:tbl}, value, 1, {:seq} FROM json_each({:ids}) WHERE true
		ON CONFLICT (user_id, tbl, record_id) DO UPDATE SET in_reach = 1, seq = excluded.seq, pushed_at = NULL,
		changed_at = strftime('%Y-%m-%d %H:%M:%fZ')`, user, table, ids, seq, nil)
}

// loseReach marks the records of table with the given ids as out of the user's reach since seq.
func loseReach(tx core.App, user, table string, ids []string, seq int64) error {
	return execWithIDs(tx, `UPDATE _sync_reach SET in_reach = 0, seq = {:seq}, changed_at = strftime('%Y-%m-%d %H:%M:%fZ')
		WHERE user_id = {:user} AND tbl = {:tbl} AND record_id IN (SELECT value FROM json_each({:ids}))`, user, table, ids, seq, nil)
}

// markPushed records that the pushed records came into the user's reach now, and that the one
// device that pushed them — whose last pull was at lastPulledAt — holds them already: its next
// pull sends them back as updated, while the user's other devices get them as created.
func markPushed(tx core.App, auth *core.Record, table string, ids []string, lastPulledAt int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, seq, err := sequenceState(tx)
	if err != nil {
		return err
	}
	return execWithIDs(tx, `INSERT INTO _sync_reach (user_id, tbl, record_id, in_reach, seq, pushed_at)
		SELECT {:user}, {:tbl}, value, 1, {:seq}, {:pushed} FROM json_each({:ids}) WHERE true
		ON CONFLICT (user_id, tbl, record_id) DO UPDATE SET in_reach = 1, seq = excluded.seq, pushed_at = excluded.pushed_at,
		changed_at = strftime('%Y-%m-%d %H:%M:%fZ') WHERE in_reach = 0`, reachKey(auth), table, ids, seq, lastPulledAt)
}

// execWithIDs runs one reach statement over ids; nothing when there are none.
func execWithIDs(tx core.App, query, user, table string, ids []string, seq int64, pushed any) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = tx.DB().NewQuery(query).Bind(dbx.Params{"user": user, "tbl": table, "ids": string(list), "seq": seq, "pushed": pushed}).Execute()
	return err
}
