package watermelon

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
)

// foldRule specialises a rule to one caller before it is judged on many rows. A comparison of
// a field of the caller's own record with a text (`@request.auth.role = "admin"`,
// `@request.auth.id != ""`) has one answer for every row; it is decided here and the branches
// it decides are dropped, so SQLite no longer joins, row by row, the relations of branches that
// cannot hold for this caller (a coordinator's cohorts, for an engineer). What is left is the
// same rule for this caller. known is true when the rule is decided whole (allowed then says
// how); a rule this cannot read is returned as it is.
//
// The rule's terms combine as PocketBase writes them into SQL (search.FilterData): in a row of
// terms, && binds tighter than ||.
func foldRule(rule string, auth *core.Record) (folded string, known, allowed bool) {
	groups, err := fexpr.Parse(rule)
	if err != nil || auth == nil {
		return rule, false, false
	}
	text, value, ok := foldGroups(groups, auth)
	if !ok {
		return rule, false, false
	}
	switch value {
	case isTrue:
		return "", true, true
	case isFalse:
		return "", true, false
	}
	return text, false, false
}

type truth int

const (
	unknown truth = iota
	isTrue
	isFalse
)

// foldGroups folds a row of terms: the ||-separated runs of &&-joined terms. ok is false when a
// term is of a kind this does not write back (a function call).
func foldGroups(groups []fexpr.ExprGroup, auth *core.Record) (text string, value truth, ok bool) {
	var runs [][]fexpr.ExprGroup
	for i, g := range groups {
		if i == 0 || g.Join == fexpr.JoinOr {
			runs = append(runs, nil)
		}
		runs[len(runs)-1] = append(runs[len(runs)-1], g)
	}
	var kept []string
	for _, run := range runs {
		var terms []string
		runValue := isTrue
		for _, g := range run {
			t, v, ok := foldItem(g.Item, auth)
			if !ok {
				return "", unknown, false
			}
			switch v {
			case isFalse:
				runValue = isFalse
			case unknown:
				terms = append(terms, t)
				if runValue == isTrue {
					runValue = unknown
				}
			}
		}
		switch runValue {
		case isTrue:
			return "", isTrue, true // one run holds for every row: so does the rule
		case unknown:
			kept = append(kept, strings.Join(terms, " && "))
		}
	}
	if len(kept) == 0 {
		return "", isFalse, true
	}
	return strings.Join(kept, " || "), unknown, true
}

func foldItem(item any, auth *core.Record) (string, truth, bool) {
	switch it := item.(type) {
	case fexpr.Expr:
		if v := decide(it, auth); v != unknown {
			return "", v, true
		}
		l, okl := token(it.Left)
		r, okr := token(it.Right)
		return l + " " + string(it.Op) + " " + r, unknown, okl && okr
	case fexpr.ExprGroup:
		return foldItem([]fexpr.ExprGroup{it}, auth)
	case []fexpr.ExprGroup:
		t, v, ok := foldGroups(it, auth)
		return "(" + t + ")", v, ok
	}
	return "", unknown, false
}

// authField matches an operand that is a plain field of the caller's record.
var authField = regexp.MustCompile(`^@request\.auth\.([a-zA-Z0-9_]+)$`)

// decide answers a comparison of a text field of the caller's record with a quoted text, the
// one kind whose answer is plain: two texts, equal or not (PocketBase compares them as SQLite
// does, byte for byte). Anything else is left to SQLite.
func decide(e fexpr.Expr, auth *core.Record) truth {
	if e.Op != fexpr.SignEq && e.Op != fexpr.SignNeq {
		return unknown
	}
	left, right := e.Left, e.Right
	if left.Type == fexpr.TokenText {
		left, right = right, left
	}
	m := authField.FindStringSubmatch(left.Literal)
	if left.Type != fexpr.TokenIdentifier || m == nil || right.Type != fexpr.TokenText {
		return unknown
	}
	v, isText := auth.Get(m[1]).(string)
	if !isText || (m[1] != core.FieldNameId && auth.Collection().Fields.GetByName(m[1]) == nil) {
		return unknown
	}
	if (v == right.Literal) == (e.Op == fexpr.SignEq) {
		return isTrue
	}
	return isFalse
}

// token writes an operand back as rule text.
func token(t fexpr.Token) (string, bool) {
	switch t.Type {
	case fexpr.TokenIdentifier, fexpr.TokenNumber:
		return t.Literal, true
	case fexpr.TokenText:
		if strings.Contains(t.Literal, `\`) {
			return "", false
		}
		return `"` + strings.ReplaceAll(t.Literal, `"`, `\"`) + `"`, true
	}
	return "", false
}

// ruleColumns lists, sorted, the columns of c that rule reads of the record itself (a relation
// it follows, a field it compares) for the stand-in table a rule is judged on; nil, all of
// them, when it cannot tell. The stand-in then copies a few columns of each row, not all.
func ruleColumns(c *core.Collection, rule string) []string {
	groups, err := fexpr.Parse(rule)
	if rule == "" || err != nil {
		return nil
	}
	cols := map[string]bool{core.FieldNameId: true}
	if !fieldsRead(groups, c, cols) {
		return nil
	}
	return slices.Sorted(maps.Keys(cols))
}

// selectList is columns as an SQL select list; * for nil.
func selectList(columns []string) string {
	if columns == nil {
		return "*"
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = "[[" + c + "]]"
	}
	return strings.Join(quoted, ",")
}

// fieldsRead adds to cols the fields of c that the operands of groups start from; false when an
// operand is of a kind it does not know.
func fieldsRead(groups []fexpr.ExprGroup, c *core.Collection, cols map[string]bool) bool {
	for _, g := range groups {
		switch it := g.Item.(type) {
		case fexpr.Expr:
			for _, t := range []fexpr.Token{it.Left, it.Right} {
				switch {
				case t.Type == fexpr.TokenText || t.Type == fexpr.TokenNumber:
				case t.Type != fexpr.TokenIdentifier:
					return false
				case strings.HasPrefix(t.Literal, "@"):
					// the request, or another collection: nothing of this record but its id
				default:
					name, _, _ := strings.Cut(t.Literal, ".")
					name, _, _ = strings.Cut(name, ":")
					if c.Fields.GetByName(name) != nil {
						cols[name] = true
					} else if !strings.Contains(name, "_via_") && name != "true" && name != "false" && name != "null" {
						return false
					}
				}
			}
		case fexpr.ExprGroup:
			if !fieldsRead([]fexpr.ExprGroup{it}, c, cols) {
				return false
			}
		case []fexpr.ExprGroup:
			if !fieldsRead(it, c, cols) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
