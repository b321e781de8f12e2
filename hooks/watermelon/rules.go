package watermelon

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
)

// The sync protocol reuses the collections' API rules as they are, evaluated the way the REST
// API evaluates them; nothing here restates who may see or change what.

// visibleIDs returns the ids of the records of c that the caller may list.
func visibleIDs(app core.App, info *core.RequestInfo, c *core.Collection) ([]string, error) {
	if c.ListRule == nil && !info.HasSuperuserAuth() {
		return nil, nil // superusers only
	}
	q := app.DB().Select(c.Name + ".id").Distinct(true).From(c.Name)
	if !info.HasSuperuserAuth() && *c.ListRule != "" {
		resolver := core.NewRecordFieldResolver(app, c, info, true)
		expr, err := search.FilterData(*c.ListRule).BuildExpr(resolver)
		if err != nil {
			return nil, fmt.Errorf("%s list rule: %w", c.Name, err)
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, err
		}
	}
	var ids []string
	return ids, q.Column(&ids)
}

// canCreate evaluates the create rule against the record about to be created, as the REST API
// does: the new record's values are offered to the rule as a one-row table.
func canCreate(app core.App, info *core.RequestInfo, r *core.Record) (bool, error) {
	c := r.Collection()
	if info.HasSuperuserAuth() {
		return true, nil
	}
	if c.CreateRule == nil {
		return false, nil
	}
	if *c.CreateRule == "" {
		return true, nil
	}
	export, err := r.DBExport(app)
	if err != nil {
		return false, err
	}
	suffix := "__sync_create__" + security.PseudorandomString(6)
	params := make(dbx.Params, len(export))
	selects := make([]string, 0, len(export))
	for k, v := range export {
		p := inflector.Columnify(k) + suffix
		params[p] = v
		selects = append(selects, fmt.Sprintf("{:%s} AS [[%s]]", p, inflector.Columnify(k)))
	}
	dummy := *c
	dummy.Id += suffix
	dummy.Name += inflector.Columnify(suffix)
	q := app.DB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} AS (SELECT %s)", dummy.Name, strings.Join(selects, ","))).
		From(dummy.Name).AndBind(params)
	resolver := core.NewRecordFieldResolver(app, &dummy, info, true)
	expr, err := search.FilterData(*c.CreateRule).BuildExpr(resolver)
	if err != nil {
		return false, err
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return false, err
	}
	var ok int
	if err := q.Limit(1).Row(&ok); errors.Is(err, sql.ErrNoRows) {
		return false, nil // no row: the rule does not hold
	} else if err != nil {
		return false, err
	}
	return ok == 1, nil
}

// requestInfo is what the rules see of a sync request: the caller and, for a write, the pushed
// values as the request body.
func requestInfo(auth *core.Record, method string, body map[string]any) *core.RequestInfo {
	return &core.RequestInfo{Auth: auth, Method: method, Body: body, Context: core.RequestInfoContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}}
}
