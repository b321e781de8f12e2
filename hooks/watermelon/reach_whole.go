package watermelon

import (
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// wholeChunk is how many reach changes a first pull writes in one short write transaction.
var wholeChunk = 5000

// wholeReach brings the user's whole reach up to date with what the rules let them list: a
// first pull, or the first after a change of what the rules read of other records. An admin's
// first pull of a million trips would otherwise hold a million ids in memory, twice. Table by
// table and a page of ids at a time, the ids the rule lets the user list and the ids in their
// stored reach are read in id order and merged; what came into reach or left it is written in
// a short write transaction a page, stamped with a sequence number of its own. No read stays
// open across the writes (a long read would keep SQLite from checkpointing the log they grow),
// and the writer is never held for the whole.
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
			var ids []string
			err := app.DB().Select("id").From(t.Name).Where(dbx.NewExp("[[id]] > {:after}", dbx.Params{"after": after})).
				OrderBy("id").Limit(int64(wholeChunk)).Column(&ids)
			if err != nil {
				return err
			}
			if end = len(ids) < wholeChunk; !end {
				upto = ids[len(ids)-1]
				window += ` AND [[id]] <= {:upto}`
			}
		}
		bounds := dbx.Params{"after": after, "upto": upto}
		var visible []string
		if !none {
			q, err := visibleQuery(app, info, t.collection, rule, window+anchored, -1, true)
			if err != nil {
				return err
			}
			if err := q.AndBind(bounds).Column(&visible); err != nil {
				return err
			}
		}
		var stored []string
		err := app.DB().Select("record_id").From("_sync_reach").
			Where(dbx.HashExp{"user_id": user, "tbl": t.Name, "in_reach": 1}).
			AndWhere(dbx.NewExp(strings.ReplaceAll(window, "[[id]]", "[[record_id]]"), bounds)).
			OrderBy("record_id").Column(&stored)
		if err != nil {
			return err
		}
		visible = slices.Compact(visible) // a back-relation may list an id more than once
		gained, lost := diff(visible, stored)
		if len(gained)+len(lost) > 0 {
			v := verdict{table: t.Name, gained: gained, lost: lost}
			err := app.RunInTransaction(func(tx core.App) error {
				st, err := stampPull(tx)
				if err != nil {
					return err
				}
				return write(tx, user, []verdict{v}, st.Seq)
			})
			if err != nil {
				return err
			}
		}
		if end {
			return nil
		}
		after = upto
	}
}
