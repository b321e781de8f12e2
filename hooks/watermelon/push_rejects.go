package watermelon

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/clip"
)

// What a push could not apply is kept in sync_rejects for its author: the raw as pushed and the
// reasons, one row per record and author, refreshed when the device pushes it again and gone
// once it goes through.

// keepReject stores (or refreshes) what the device pushed and why it was refused.
func (p *pushRun) keepReject(c change, reason error) error {
	if p.auth.IsSuperuser() {
		return nil // sync_rejects belong to users; a superuser sees the answer itself
	}
	op := "update"
	switch {
	case c.delete:
		op = "delete"
	case c.raw["_status"] == "created":
		op = "create"
	}
	r, err := p.tx.FindFirstRecordByFilter("sync_rejects", "user = {:u} && table = {:t} && record_id = {:id}",
		dbx.Params{"u": p.auth.Id, "t": c.table.Name, "id": c.id})
	if errors.Is(err, sql.ErrNoRows) {
		col, err := p.tx.FindCachedCollectionByNameOrId("sync_rejects")
		if err != nil {
			return err
		}
		r = core.NewRecord(col)
	} else if err != nil {
		return err
	}
	r.Load(map[string]any{"user": p.auth.Id, "table": c.table.Name, "record_id": c.id, "operation": op,
		"raw": c.raw, "errors": fieldErrors(reason), "message": clip.Text(rejectMessage(reason), 1900)})
	return p.tx.Save(r)
}

// clearRejects forgets what was refused of the given records once a push of them has gone
// through: one statement per table.
func (p *pushRun) clearRejects(table string, ids []string) error {
	if p.auth.IsSuperuser() || len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = p.tx.DB().NewQuery(`DELETE FROM sync_rejects WHERE user = {:u} AND [[table]] = {:t}
		AND record_id IN (SELECT value FROM json_each({:ids}))`).
		Bind(dbx.Params{"u": p.auth.Id, "t": table, "ids": string(list)}).Execute()
	return err
}

// rejectMessage reads the reasons as one line: "depart_at: Overlaps trip …; rule: …".
func rejectMessage(reason error) string {
	fields, ok := reason.(validation.Errors)
	if !ok {
		return reason.Error()
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		parts = append(parts, name+": "+fields[name].Error())
	}
	return strings.Join(parts, "; ")
}

// fieldErrors writes validation errors the way the REST API answers them: per field, a code and
// a message.
func fieldErrors(err error) map[string]any {
	out := map[string]any{}
	fields, ok := err.(validation.Errors)
	if !ok {
		return map[string]any{"record": map[string]string{"code": "sync_save_failed", "message": err.Error()}}
	}
	for name, e := range fields {
		var ve validation.Error
		switch {
		case errors.As(e, &ve):
			out[name] = map[string]string{"code": ve.Code(), "message": ve.Error()}
		default:
			if nested, ok := e.(validation.Errors); ok {
				out[name] = fieldErrors(nested)
			} else {
				out[name] = map[string]string{"code": "validation_error", "message": e.Error()}
			}
		}
	}
	return out
}
