package watermelon

import (
	"database/sql"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// wholeChunk is how many reach changes a first pull writes in one short write transaction.
var wholeChunk = 5000

// wholeReach brings the user's whole reach up to date with what the rules let them list: a
// first pull, or the first after a change of what the rules read of other records. An admin's
// first pull of a million trips would otherwise hold a million ids in memory, twice. Table by
// table, the ids the rule lets the user list and the ids in their stored reach are read, both in
// id order, and merged; what came into reach or left it is written a chunk at a time, each in its
// own short write transaction and stamped with a sequence number of its own, so the database's
// writer is never held for the whole.
func wholeReach(app core.App, info *core.RequestInfo, s *appSchema, user string) error {
	for _, t := range s.Tables {
		if err := wholeTable(app, info, user, t); err != nil {
			return err
		}
	}
	return nil
}

func wholeTable(app core.App, info *core.RequestInfo, user string, t *table) (err error) {
	rule, none := listRule(info, t.collection)
	visible := emptyCursor()
	if !none {
		among := "" // every row; for a user with anchors, every row that can be theirs
		if anchors, ok := anchorsOf(app, t.collection, rule); ok {
			among = `[[id]] IN (` + anchoredChanges(t.collection, anchors) + `)`
		}
		q, err := visibleQuery(app, info, t.collection, rule, among, -1, true)
		if err != nil {
			return err
		}
		if visible, err = newCursor(q.Rows()); err != nil {
			return err
		}
	}
	defer func() { err = joinClose(err, visible) }()
	reach, err := newCursor(app.DB().Select("record_id").From("_sync_reach").
		Where(dbx.HashExp{"user_id": user, "tbl": t.Name, "in_reach": 1}).OrderBy("record_id").Rows())
	if err != nil {
		return err
	}
	defer func() { err = joinClose(err, reach) }()

	v := verdict{table: t.Name}
	flush := func() error {
		if len(v.gained)+len(v.lost) == 0 {
			return nil
		}
		err := app.RunInTransaction(func(tx core.App) error {
			st, err := stampPull(tx)
			if err != nil {
				return err
			}
			return write(tx, user, []verdict{v}, st.Seq)
		})
		v.gained, v.lost = v.gained[:0], v.lost[:0]
		return err
	}
	a, b := visible.next(), reach.next()
	for a != nil || b != nil {
		switch {
		case b == nil || (a != nil && *a < *b):
			v.gained = append(v.gained, *a)
			a = visible.next()
		case a == nil || *b < *a:
			v.lost = append(v.lost, *b)
			b = reach.next()
		default:
			a, b = visible.next(), reach.next()
		}
		if len(v.gained)+len(v.lost) >= wholeChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := visible.err(); err != nil {
		return err
	}
	if err := reach.err(); err != nil {
		return err
	}
	return flush()
}

// cursor reads ids in order, skipping repeats (a back-relation may list an id more than once).
type cursor struct {
	rows *dbx.Rows
	last string
	e    error
}

func emptyCursor() *cursor { return &cursor{} }

func newCursor(rows *dbx.Rows, err error) (*cursor, error) {
	if err != nil {
		return nil, err
	}
	return &cursor{rows: rows}, nil
}

// next returns the next id, or nil at the end or on a failure (see err).
func (c *cursor) next() *string {
	for c.rows != nil && c.rows.Next() {
		var id sql.NullString
		if c.e = c.rows.Scan(&id); c.e != nil {
			return nil
		}
		if id.String != c.last || c.last == "" {
			c.last = id.String
			return &id.String
		}
	}
	return nil
}

func (c *cursor) err() error {
	if c.e != nil || c.rows == nil {
		return c.e
	}
	return c.rows.Err()
}

func joinClose(err error, c *cursor) error {
	if c == nil || c.rows == nil {
		return err
	}
	if cerr := c.rows.Close(); err == nil {
		return cerr
	}
	return err
}
