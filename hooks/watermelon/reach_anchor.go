package watermelon

import (
	"fmt"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

// On a busy morning every pull comes after hundreds of other devices' pushes. Judging the rule
// on every row changed since costs what everybody wrote; for a user whose reach is small, the
// rows that can be theirs are found faster from their side. When every ||-run of the caller's
// folded rule requires a field, or a field of a single relation, to be the caller's own id
// ("anchors": `officer = @request.auth.id`, `engineer.user = @request.auth.id`), read through an
// index, the rows changed since that satisfy an anchor are the only ones the rule can let through;
// the rule is then judged on those alone, and the rows that may have left the reach are read
// from the user's reach. Which side is read is chosen by size: the user's reach in the table
// against the rows changed since.

// anchor is one field path the caller's id must equal: field of the table, or viaField of the
// record that the single relation field points to.
type anchor struct {
	field    string
	via      *core.Collection
	viaField string
}

// anchorsOf returns an anchor for every ||-run of a folded rule, or ok false.
func anchorsOf(app core.App, c *core.Collection, rule string) (anchors []anchor, ok bool) {
	if rule == "" {
		return nil, false
	}
	groups, err := fexpr.Parse(rule)
	if err != nil {
		return nil, false
	}
	for _, run := range runsOf(groups) {
		a, found := anchorOfRun(app, c, run)
		if !found {
			return nil, false
		}
		anchors = append(anchors, a)
	}
	return anchors, len(anchors) > 0
}

// runsOf splits a row of terms at its || joins (&& binds tighter, see foldRule).
func runsOf(groups []fexpr.ExprGroup) [][]fexpr.ExprGroup {
	var runs [][]fexpr.ExprGroup
	for i, g := range groups {
		if i == 0 || g.Join == fexpr.JoinOr {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], g)
	}
	return runs
}

// anchorOfRun finds one term of an &&-run, or of a parenthesised &&-run within it, that anchors it.
func anchorOfRun(app core.App, c *core.Collection, run []fexpr.ExprGroup) (anchor, bool) {
	for _, g := range run {
		switch it := g.Item.(type) {
		case fexpr.Expr:
			if a, ok := anchorOf(app, c, it); ok {
				return a, true
			}
		case []fexpr.ExprGroup:
			if inner := runsOf(it); len(inner) == 1 {
				if a, ok := anchorOfRun(app, c, inner[0]); ok {
					return a, true
				}
			}
		}
	}
	return anchor{}, false
}

func anchorOf(app core.App, c *core.Collection, e fexpr.Expr) (anchor, bool) {
	left, right := e.Left, e.Right
	if right.Literal != "@request.auth.id" {
		left, right = right, left
	}
	if e.Op != fexpr.SignEq || right.Type != fexpr.TokenIdentifier || right.Literal != "@request.auth.id" ||
		left.Type != fexpr.TokenIdentifier {
		return anchor{}, false
	}
	path := strings.Split(left.Literal, ".")
	if len(path) > 2 || !indexedFirst(c, path[0]) {
		return anchor{}, false
	}
	field := c.Fields.GetByName(path[0])
	if field == nil || strings.ContainsAny(left.Literal, ":@") {
		return anchor{}, false
	}
	if len(path) == 1 {
		if field.Type() != core.FieldTypeText && field.Type() != core.FieldTypeRelation {
			return anchor{}, false
		}
		if rel, ok := field.(*core.RelationField); ok && rel.IsMultiple() {
			return anchor{}, false
		}
		return anchor{field: path[0]}, true
	}
	rel, ok := field.(*core.RelationField)
	if !ok || rel.IsMultiple() {
		return anchor{}, false
	}
	via, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
	if err != nil {
		return anchor{}, false
	}
	target := via.Fields.GetByName(path[1])
	if target == nil {
		return anchor{}, false
	}
	if r, ok := target.(*core.RelationField); (!ok || r.IsMultiple()) && target.Type() != core.FieldTypeText {
		return anchor{}, false
	}
	return anchor{field: path[0], via: via, viaField: path[1]}, true
}

// indexedFirst reports whether an index of c starts with column: an anchor without one would
// read the whole table.
func indexedFirst(c *core.Collection, column string) bool {
	for _, raw := range c.Indexes {
		if idx := dbutils.ParseIndex(raw); len(idx.Columns) > 0 && idx.Columns[0].Name == column && idx.Where == "" {
			return true
		}
	}
	return false
}

// anchoredChanges is the SQL of the ids of c changed after {:since} that satisfy an anchor for
// the caller {:auth}.
func anchoredChanges(c *core.Collection, anchors []anchor) string {
	parts := make([]string, len(anchors))
	for i, a := range anchors {
		match := fmt.Sprintf("[[%s]] = {:auth}", a.field)
		if a.via != nil {
			// (the != '' lets SQLite use a partial index such as engineers' on user)
			match = fmt.Sprintf("[[%s]] IN (SELECT [[id]] FROM {{%s}} WHERE [[%[3]s]] = {:auth} AND [[%[3]s]] != '')",
				a.field, a.via.Name, a.viaField)
		}
		parts[i] = fmt.Sprintf("SELECT [[id]] FROM {{%s}} WHERE %s AND [[%s]] > {:since}", c.Name, match, seqColumn)
	}
	return strings.Join(parts, " UNION ")
}

// fromUsersSide reports whether the user's reach in t is smaller than what changed in t since:
// then the changed rows are best found from the user's side. The counts stop early, so that
// deciding costs little more than the smaller side: most pulls are of a small reach, or of few
// changes.
func fromUsersSide(app core.App, user string, t *table, since int64) (bool, error) {
	changedQ := `SELECT COUNT(*) FROM (SELECT 1 FROM {{` + t.Name + `}} WHERE [[` + seqColumn + `]] > {:since} LIMIT {:n})`
	reachQ := `SELECT COUNT(*) FROM (SELECT 1 FROM _sync_reach WHERE user_id = {:user} AND tbl = {:tbl} AND in_reach = 1 LIMIT {:n})`
	count := func(q string, n int64) (int64, error) {
		var c int64
		err := app.DB().NewQuery(q).Bind(dbx.Params{"since": since, "user": user, "tbl": t.Name, "n": n}).Row(&c)
		return c, err
	}
	const probe = 512
	changed, err := count(changedQ, probe)
	if err != nil || changed == 0 {
		return false, err
	}
	reach, err := count(reachQ, changed)
	if err != nil || reach < changed || changed < probe {
		return reach < changed, err
	}
	if changed, err = count(changedQ, 1<<20); err != nil {
		return false, err
	}
	reach, err = count(reachQ, changed)
	return reach < changed, err
}
