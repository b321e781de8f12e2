package watermelon

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/search"
)

// The sync protocol reuses the collections' API rules as they are, evaluated the way the REST
// API evaluates them; nothing here restates who may see or change what.

// visibleIDs returns the ids of the records of c that the caller may list by rule (the list
// rule, folded for the caller); among, when not empty, is the condition on the rows to judge
// (those changed since the last refresh, bound as {:since}, {:auth}). Those are read first into a
// materialised table that the rule is then judged on: left to itself, SQLite walks the whole
// table's primary key for the rule's DISTINCT. The stand-in keeps the collection's id, so
// back-relations to it still resolve, and copies only the columns the rule reads.
func visibleIDs(app core.App, info *core.RequestInfo, c *core.Collection, rule, among string, since int64) ([]string, error) {
	q, err := visibleQuery(app, info, c, rule, among, since, false)
	if err != nil {
		return nil, err
	}
	var ids []string
	return ids, q.Column(&ids)
}

// visibleQuery is the query of visibleIDs, in id order when ordered.
func visibleQuery(app core.App, info *core.RequestInfo, c *core.Collection, rule, among string, since int64, ordered bool) (*dbx.SelectQuery, error) {
	from := *c
	q := app.DB().Select(c.Name + ".id").Distinct(true).From(c.Name)
	if among != "" {
		from.Name = c.Name + "_sync_changed"
		cols := ruleColumns(c, rule)
		if rule == "" {
			cols = []string{core.FieldNameId} // no rule reads the rest
		}
		q = app.DB().Select(from.Name + ".id").Distinct(true).
			PreFragment(fmt.Sprintf("WITH {{%s}} AS MATERIALIZED (SELECT %s FROM {{%s}} WHERE %s)",
				from.Name, selectList(cols), c.Name, among)).
			From(from.Name).AndBind(dbx.Params{"since": since, "auth": authID(info)})
	}
	if rule != "" {
		resolver := core.NewRecordFieldResolver(app, &from, info, true)
		expr, err := search.FilterData(rule).BuildExpr(resolver)
		if err != nil {
			return nil, fmt.Errorf("%s list rule: %w", c.Name, err)
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, err
		}
	}
	if ordered {
		q.OrderBy(from.Name + ".id")
	}
	return q, nil
}

// listRule is c's list rule as the caller is judged by it: folded for them, "" when it lets
// them list every record; listsNone when it lets them list none.
func listRule(info *core.RequestInfo, c *core.Collection) (rule string, listsNone bool) {
	if info.HasSuperuserAuth() {
		return "", false
	}
	if c.ListRule == nil {
		return "", true // superusers only
	}
	if *c.ListRule == "" {
		return "", false
	}
	folded, known, allowed := foldRule(*c.ListRule, info.Auth)
	if known {
		return "", !allowed
	}
	return folded, false
}

func authID(info *core.RequestInfo) string {
	if info.Auth == nil {
		return ""
	}
	return info.Auth.Id
}

// accessibleAmong returns which of the ids of c the rule lets the caller access, in one query.
func accessibleAmong(app core.App, info *core.RequestInfo, c *core.Collection, rule *string, ids []any) ([]string, error) {
	if rule == nil && !info.HasSuperuserAuth() {
		return nil, nil // superusers only
	}
	q := app.DB().Select(c.Name + ".id").Distinct(true).From(c.Name).Where(dbx.In(c.Name+".id", ids...))
	if !info.HasSuperuserAuth() && *rule != "" {
		resolver := core.NewRecordFieldResolver(app, c, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return nil, fmt.Errorf("%s rule: %w", c.Name, err)
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, err
		}
	}
	var found []string
	return found, q.Column(&found)
}

// canCreate evaluates the create rule against the record about to be created, as the REST API
// does: the new record's values are offered to the rule as a one-row table.
func canCreate(app core.App, info *core.RequestInfo, r *core.Record) (bool, error) {
	allowed, err := createAllowed(app, info, []*core.Record{r})
	return allowed[r.Id], err
}

// createAllowed evaluates the create rule of the records' collection for many new records in
// one query, each offered as one row of a table, and returns the ids the rule lets through. The
// rule sees the same request (info) for all of them, so a rule that reads @request.body must be
// evaluated record by record, with canCreate.
func createAllowed(app core.App, info *core.RequestInfo, records []*core.Record) (map[string]bool, error) {
	allowed := make(map[string]bool, len(records))
	if len(records) == 0 {
		return allowed, nil
	}
	c := records[0].Collection()
	if c.CreateRule == nil && !info.HasSuperuserAuth() {
		return allowed, nil
	}
	rule, known, all := "", true, true
	if !info.HasSuperuserAuth() && *c.CreateRule != "" {
		rule, known, all = foldRule(*c.CreateRule, info.Auth)
	}
	if known {
		for _, r := range records {
			allowed[r.Id] = all
		}
		return allowed, nil
	}
	// Each row of the stand-in carries the columns the rule reads, in the same order.
	names := ruleColumns(c, rule)
	// PocketBase's own stand-in takes a random suffix; a fixed one keeps the query's text the same
	// from push to push, so the connection runs it compiled (hooks/lib/sqlcache).
	const suffix = "__sync_create__"
	params := dbx.Params{}
	rows := make([]string, 0, len(records))
	for i, r := range records {
		export, err := r.DBExport(app)
		if err != nil {
			return nil, err
		}
		keys := names
		if keys == nil {
			keys = slices.Sorted(maps.Keys(export))
		}
		selects := make([]string, 0, len(keys))
		for _, k := range keys {
			p := fmt.Sprintf("%s%s_%d", inflector.Columnify(k), suffix, i)
			params[p] = export[k]
			selects = append(selects, fmt.Sprintf("{:%s} AS [[%s]]", p, inflector.Columnify(k)))
		}
		rows = append(rows, "SELECT "+strings.Join(selects, ","))
	}
	dummy := *c
	dummy.Id += suffix
	dummy.Name += inflector.Columnify(suffix)
	q := app.DB().Select("[[" + dummy.Name + ".id]]").Distinct(true).
		PreFragment(fmt.Sprintf("WITH {{%s}} AS (%s)", dummy.Name, strings.Join(rows, " UNION ALL "))).
		From(dummy.Name).AndBind(params)
	resolver := core.NewRecordFieldResolver(app, &dummy, info, true)
	expr, err := search.FilterData(rule).BuildExpr(resolver)
	if err != nil {
		return nil, err
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return nil, err
	}
	var ids []string
	if err := q.Column(&ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		allowed[id] = true
	}
	return allowed, nil
}

// requestInfo is what the rules see of a sync request: the caller and, for a write, the pushed
// values as the request body.
func requestInfo(auth *core.Record, method string, body map[string]any) *core.RequestInfo {
	return &core.RequestInfo{Auth: auth, Method: method, Body: body, Context: core.RequestInfoContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}}
}
