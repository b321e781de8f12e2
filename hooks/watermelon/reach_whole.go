package watermelon

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// wholeChunk is how many ids of a table a first pull judges and writes in one short write
// transaction.
var wholeChunk = 5000

// wholeReach brings the user's whole reach up to date with what the rules let them list: a
// first pull, or the first after a change of what the rules read of other records. Table by
// table and a window of wholeChunk ids at a time, in a short write transaction a window: the
// ids the rule lets the user list are written into the reach by one INSERT … SELECT (those
// already in reach are left as they are), and the stored reach rows of the window that the
// rule no longer lets through are marked lost by one UPDATE; no id crosses into Go, and the
// window is stamped with a sequence number of its own only when it changed something. No read
// stays open across the writes (a long read would keep SQLite from checkpointing the log they
// grow), and the writer is never held for the whole.
func wholeReach(app core.App, info *core.RequestInfo, s *appSchema, user string) error {
	for _, t := range s.Tables {
		if err := wholeTable(app, info, user, t); err != nil {
			return err
		}
	}
	return nil
}

func wholeTable(app core.App, info *core.RequestInfo, user string, t *table) error {
	rule, none := listRule(info, t.collection)
	anchored := "" // for a user with anchors, the rows that can be theirs: one window
	if anchors, ok := anchorsOf(app, t.collection, rule); ok {
		anchored = ` AND [[id]] IN (` + anchoredChanges(t.collection, anchors) + `)`
	}
	after := ""
	for {
		// The window: the next wholeChunk ids of the table, or all the rest.
		window, upto, end := `[[id]] > {:after}`, "", true
		if anchored == "" {
			err := app.DB().Select("id").From(t.Name).Where(dbx.NewExp("[[id]] > {:after}", dbx.Params{"after": after})).
				OrderBy("id").Offset(int64(wholeChunk - 1)).Limit(1).Row(&upto)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return err
			default:
				end = false
				window += ` AND [[id]] <= {:upto}`
			}
		}
		err := app.RunInTransaction(func(tx core.App) error {
			return wholeWindow(tx, info, user, t, rule, none, window, anchored, dbx.Params{"after": after, "upto": upto})
		})
		if err != nil || end {
			return err
		}
		after = upto
	}
}

// wholeWindow writes the reach of one window of t's ids (bounds binds the window), in tx; the
// rule is judged on the rows of the window that are also anchored, when that is not empty.
func wholeWindow(tx core.App, info *core.RequestInfo, user string, t *table, rule string, none bool, window, anchored string, bounds dbx.Params) error {
	var next int64 // the sequence number the window is stamped with if it changes anything
	if err := tx.DB().NewQuery("SELECT seq + 1 FROM _sync_state WHERE id = 1").Row(&next); err != nil {
		return err
	}
	params := dbx.Params{"user": user, "tbl": t.Name, "seq": next}
	var visible string
	switch {
	case none:
		visible = "SELECT NULL AS id WHERE FALSE"
	case rule == "": // every record: the window itself
		visible = "SELECT [[id]] AS id FROM {{" + t.Name + "}} WHERE " + window + " ORDER BY [[id]]"
	default:
		q, err := visibleQuery(tx, info, t.collection, rule, window+anchored, -1, true)
		if err != nil {
			return err
		}
		built := q.AndBind(bounds).Build()
		visible = built.SQL()
		for k, v := range built.Params() {
			params[k] = v
		}
	}
	for k, v := range bounds {
		params[k] = v
	}
	// As loseReach and gainReach, over the window's ids read by SQLite itself. The lost marks
	// first: on a first pull the user has no reach to read the rule's ids against.
	lost, err := tx.DB().NewQuery(`UPDATE _sync_reach SET in_reach = 0, seq = {:seq}, changed_at = strftime('%Y-%m-%d %H:%M:%fZ')
		WHERE user_id = {:user} AND tbl = {:tbl} AND in_reach = 1 AND ` + strings.ReplaceAll(window, "[[id]]", "[[record_id]]") + `
		AND record_id NOT IN (SELECT v.id FROM (` + visible + `) v)`).Bind(params).Execute()
	if err != nil {
		return err
	}
	gained, err := tx.DB().NewQuery(`INSERT INTO _sync_reach (user_id, tbl, record_id, in_reach, seq)
		SELECT {:user}, {:tbl}, v.id, 1, {:seq} FROM (` + visible + `) v WHERE true
		ON CONFLICT (user_id, tbl, record_id) DO UPDATE SET in_reach = 1, seq = excluded.seq, pushed_at = NULL,
		changed_at = strftime('%Y-%m-%d %H:%M:%fZ') WHERE in_reach = 0`).Bind(params).Execute()
	if err != nil {
		return err
	}
	g, err := gained.RowsAffected()
	if err != nil {
		return err
	}
	l, err := lost.RowsAffected()
	if err != nil || g+l == 0 {
		return err
	}
	st, err := stampPull(tx)
	if err == nil && st.Seq != next {
		err = errors.New("the sync sequence moved inside a write transaction")
	}
	return err
}
