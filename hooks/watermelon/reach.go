package watermelon

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

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

// refreshReach brings the caller's reach up to date with what the API rules let them list now
// and returns the sequence number the pull answers with. Records that came into reach are
// stamped with it (the device is sent them whole, as created); records that left it — deleted,
// or no longer theirs to see — are stamped likewise (the device is told to delete them). Every
// pull gets a new number, even when nothing changed: a push names the pull before it by that
// number, and markPushed relies on no other device having pulled at it.
//
// The rules are judged in two steps so that the database's one writer is held only for what
// changed in the last moments: first on the read connections, for everything changed since the
// user's last refresh; then, in the write transaction that stamps the pull, for what changed
// while the first step ran. A change that moves what the rules read of other records (the
// epoch) meanwhile, or a pruning, voids the first step: it is all judged again in the transaction.
// When every row must be judged (a first pull), the first step streams and writes as it goes
// (reach_whole.go).
func refreshReach(app core.App, s *appSchema, auth *core.Record) (int64, error) {
	user := reachKey(auth)
	info := requestInfo(auth, "GET", nil)
	before, err := readSyncState(app.DB())
	if err != nil {
		return 0, err
	}
	last, err := readSyncUser(app.DB(), user)
	if err != nil {
		return 0, err
	}
	since := last.since(before)
	var early []verdict
	switch {
	case since < 0: // every row: streamed, and written as it goes
		if err := wholeReach(app, info, s, user); err != nil {
			return 0, err
		}
	case last.Written != before.Written:
		if early, err = judge(app, info, s, user, since); err != nil {
			return 0, err
		}
	}
	if betweenSteps != nil {
		betweenSteps(app)
	}
	var seq int64
	err = app.RunInTransaction(func(tx core.App) error {
		now, err := stampPull(tx)
		if err != nil {
			return err
		}
		seq = now.Seq
		if since >= 0 && last.Written == now.Written {
			return nil // nothing written since the last refresh: the reach cannot have changed
		}
		late := before.Seq // judge what changed after the first step read the state
		if now.Epoch != before.Epoch || now.Horizon != before.Horizon {
			early, late = nil, last.since(now)
		}
		if err := write(tx, user, early, seq); err != nil {
			return err
		}
		if late < 0 || now.Written != before.Written {
			verdicts, err := judge(tx, info, s, user, late)
			if err != nil {
				return err
			}
			if err := write(tx, user, verdicts, seq); err != nil {
				return err
			}
		}
		_, err = tx.DB().NewQuery(`INSERT OR REPLACE INTO _sync_users (user_id, written, epoch, refreshed_seq)
			VALUES ({:user}, {:written}, {:epoch}, {:seq})`).
			Bind(dbx.Params{"user": user, "written": now.Written, "epoch": now.Epoch, "seq": seq}).Execute()
		return err
	})
	return seq, err
}

// betweenSteps, when set by a test, runs between the two steps of a refresh: the writes other
// requests make there are what the second step is for.
var betweenSteps func(app core.App)

// syncUser is a user's row of _sync_users: the state their reach was last brought up to date at.
type syncUser struct {
	Written   int64 `db:"written"`
	Epoch     int64 `db:"epoch"`
	Refreshed int64 `db:"refreshed_seq"`
	known     bool
}

func readSyncUser(db dbx.Builder, user string) (syncUser, error) {
	var u syncUser
	err := db.NewQuery("SELECT written, epoch, refreshed_seq FROM _sync_users WHERE user_id = {:user}").
		Bind(dbx.Params{"user": user}).One(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	u.known = err == nil
	return u, err
}

// since is the sequence number after which rows must be judged again to bring the reach up to
// state st: the last refresh, or -1 (every row) when the epoch moved since, or tombstones it
// would need were pruned.
func (u syncUser) since(st syncState) int64 {
	if !u.known || u.Epoch != st.Epoch || u.Refreshed < st.Horizon {
		return -1
	}
	return u.Refreshed
}

// verdict is what changed in the reach of one table.
type verdict struct {
	table        string
	gained, lost []string
}

// judge compares what the user may list now with their stored reach, table by table: every row
// when since < 0, else the rows changed after since.
func judge(app core.App, info *core.RequestInfo, s *appSchema, user string, since int64) ([]verdict, error) {
	changed, err := changedTables(app, s, since)
	if err != nil {
		return nil, err
	}
	out := make([]verdict, 0, len(s.Tables))
	for _, t := range s.Tables {
		if since >= 0 && !changed[t.Name] {
			continue
		}
		gained, lost, err := reachChanges(app, info, user, t, since)
		if err != nil {
			return nil, err
		}
		if len(gained)+len(lost) > 0 {
			out = append(out, verdict{table: t.Name, gained: gained, lost: lost})
		}
	}
	return out, nil
}

// changedTables names the tables with a row written or deleted after since, in one query that
// reads an index entry a table: most pulls come after writes to one or two tables, and judging
// the rules of the others would find nothing at the price of compiling their queries.
func changedTables(app core.App, s *appSchema, since int64) (map[string]bool, error) {
	if since < 0 {
		return nil, nil
	}
	parts := make([]string, 0, len(s.Tables)+1)
	params := dbx.Params{"since": since}
	for i, t := range s.Tables {
		params[fmt.Sprint("t", i)] = t.Name
		parts = append(parts, fmt.Sprintf("SELECT {:t%d} AS tbl WHERE EXISTS (SELECT 1 FROM {{%s}} WHERE [[%s]] > {:since})",
			i, t.Name, seqColumn))
	}
	parts = append(parts, "SELECT DISTINCT tbl FROM _sync_tombstones WHERE seq > {:since}")
	var names []string
	if err := app.DB().NewQuery(strings.Join(parts, " UNION ")).Bind(params).Column(&names); err != nil {
		return nil, err
	}
	changed := make(map[string]bool, len(names))
	for _, n := range names {
		changed[n] = true
	}
	return changed, nil
}

// write stamps the verdicts into the reach at seq. It changes a row only from out of reach to
// in, or back: a verdict judged before the transaction may find another device of the user
// already wrote it.
func write(tx core.App, user string, verdicts []verdict, seq int64) error {
	for _, v := range verdicts {
		if err := gainReach(tx, user, v.table, v.gained, seq); err != nil {
			return err
		}
		if err := loseReach(tx, user, v.table, v.lost, seq); err != nil {
			return err
		}
	}
	return nil
}

// reachChanges compares what the user may list of t now with their stored reach: every row
// when since < 0, else the rows changed after since and the records deleted after it — found
// from the changed rows, or from the user's side when that is smaller (reach_anchor.go).
func reachChanges(app core.App, info *core.RequestInfo, user string, t *table, since int64) (gained, lost []string, err error) {
	fromUser := false
	if rule, _ := listRule(info, t.collection); since >= 0 {
		if _, ok := anchorsOf(app, t.collection, rule); ok {
			if fromUser, err = fromUsersSide(app, user, t, since); err != nil {
				return nil, nil, err
			}
		}
	}
	return reachChangesFrom(app, info, user, t, since, fromUser)
}

// reachChangesFrom is reachChanges with the side chosen: fromUser needs the rule's anchors.
func reachChangesFrom(app core.App, info *core.RequestInfo, user string, t *table, since int64, fromUser bool) (gained, lost []string, err error) {
	rule, none := listRule(info, t.collection)
	among := ""
	if since >= 0 {
		among = `[[` + seqColumn + `]] > {:since}`
		if fromUser {
			anchors, ok := anchorsOf(app, t.collection, rule)
			if !ok {
				return nil, nil, fmt.Errorf("%s: the rule has no anchors to read from the user's side", t.Name)
			}
			among = `[[id]] IN (` + anchoredChanges(t.collection, anchors) + `)`
		}
	}
	var now []string
	if !none {
		if now, err = visibleIDs(app, info, t.collection, rule, among, since); err != nil {
			return nil, nil, err
		}
	}
	var before []string
	q := app.DB().Select("r.record_id").From("_sync_reach r").
		Where(dbx.HashExp{"r.user_id": user, "r.tbl": t.Name, "r.in_reach": 1})
	switch {
	case since < 0:
	case fromUser: // the user's reach rows whose record changed or went since
		q.AndWhere(dbx.NewExp(`EXISTS (SELECT 1 FROM {{`+t.Name+`}} t WHERE t.id = r.record_id AND t.`+seqColumn+` > {:since})
			OR r.record_id IN (SELECT record_id FROM _sync_tombstones WHERE tbl = {:tbl} AND seq > {:since})`,
			dbx.Params{"since": since, "tbl": t.Name}))
	default:
		q.AndWhere(dbx.NewExp(`r.record_id IN (SELECT id FROM {{`+t.Name+`}} WHERE `+seqColumn+` > {:since}
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
		changed_at = strftime('%Y-%m-%d %H:%M:%fZ') WHERE in_reach = 0`, user, table, ids, seq, nil)
}

// loseReach marks the records of table with the given ids as out of the user's reach since seq.
func loseReach(tx core.App, user, table string, ids []string, seq int64) error {
	return execWithIDs(tx, `UPDATE _sync_reach SET in_reach = 0, seq = {:seq}, changed_at = strftime('%Y-%m-%d %H:%M:%fZ')
		WHERE user_id = {:user} AND tbl = {:tbl} AND in_reach = 1 AND record_id IN (SELECT value FROM json_each({:ids}))`, user, table, ids, seq, nil)
}

// markPushed records that the pushed records came into the user's reach now, and that the one
// device that pushed them — whose last pull was at lastPulledAt — holds them already: its next
// pull sends them back as updated, while the user's other devices get them as created.
func markPushed(tx core.App, auth *core.Record, table string, ids []string, lastPulledAt int64) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := readSyncState(tx.DB())
	if err != nil {
		return err
	}
	return execWithIDs(tx, `INSERT INTO _sync_reach (user_id, tbl, record_id, in_reach, seq, pushed_at)
		SELECT {:user}, {:tbl}, value, 1, {:seq}, {:pushed} FROM json_each({:ids}) WHERE true
		ON CONFLICT (user_id, tbl, record_id) DO UPDATE SET in_reach = 1, seq = excluded.seq, pushed_at = excluded.pushed_at,
		changed_at = strftime('%Y-%m-%d %H:%M:%fZ') WHERE in_reach = 0`, reachKey(auth), table, ids, st.Seq, lastPulledAt)
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
