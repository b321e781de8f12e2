package history

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// bindAPI adds the history routes:
//
//	GET  /api/history/{table}/{id}          the record's versions, oldest first
//	POST /api/history/{table}/{id}/restore  {"version": N, "field": "name"?} (admins)
func bindAPI(se *core.ServeEvent) {
	g := se.Router.Group("/api/history/{table}/{id}")
	g.Bind(apis.RequireAuth("users", core.CollectionNameSuperusers))
	g.GET("", list)
	g.POST("/restore", restore)
}

// list answers a record's history to those who may view the record under its collection's
// view rule; the history of a record that no longer exists is for admins.
func list(e *core.RequestEvent) error {
	col, id, err := target(e)
	if err != nil {
		return err
	}
	if !isAdmin(e) {
		r, err := e.App.FindRecordById(col, id)
		if err != nil {
			return e.NotFoundError("", nil)
		}
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if ok, err := e.App.CanAccessRecord(r, info, col.ViewRule); err != nil || !ok {
			return e.NotFoundError("", nil)
		}
	}
	versions, err := e.App.FindRecordsByFilter(Collection, "table = {:t} && record_id = {:id}", "version", 0, 0,
		dbx.Params{"t": col.Name, "id": id})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"items": versions})
}

type restoreBody struct {
	Version int    `json:"version"`
	Field   string `json:"field"`
}

// restore writes a record (or one field of it) back to what it was at an earlier version, as a
// new version by the admin: a normal save, so the data rules apply and devices pull it. A
// deleted record is created again with its id.
func restore(e *core.RequestEvent) error {
	if !isAdmin(e) {
		return e.ForbiddenError("Only admins restore earlier versions.", nil)
	}
	col, id, err := target(e)
	if err != nil {
		return err
	}
	var body restoreBody
	if err := e.BindBody(&body); err != nil || body.Version < 1 {
		return e.BadRequestError("Say which version to restore: {\"version\": N} and, for one field, \"field\".",
			validation.Errors{"version": validation.NewError("history_bad_version", "version must be a version number of this record.")})
	}
	if f := col.Fields.GetByName(body.Field); body.Field != "" && (f == nil || !restorable(f)) {
		return e.BadRequestError("That field cannot be restored.",
			validation.Errors{"field": validation.NewError("history_bad_field", "No restorable field "+body.Field+" in "+col.Name+".")})
	}
	door := DoorAdmin
	note := fmt.Sprintf("restored from version %d", body.Version)
	if body.Field != "" {
		note = fmt.Sprintf("%s restored from version %d", body.Field, body.Version)
	}
	var saved *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		defer Attribute(tx, Actor{Door: door, ID: e.Auth.Id, Note: note})()
		state, err := StateAt(tx, col, id, body.Version)
		if err != nil {
			return err
		}
		r, err := tx.FindRecordById(col, id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if body.Field != "" {
				return validation.Errors{"field": validation.NewError("history_record_deleted",
					"The record is deleted: restore it whole first.")}
			}
			r = core.NewRecord(col)
			r.Id = id
		case err != nil:
			return err
		}
		for name, v := range state {
			if f := col.Fields.GetByName(name); f != nil && restorable(f) && (body.Field == "" || body.Field == name) {
				r.Set(name, v)
			}
		}
		saved = r
		return tx.Save(r)
	})
	var fields validation.Errors
	switch {
	case errors.As(err, &fields):
		return e.BadRequestError("The version cannot be restored as it stands.", fields)
	case err != nil:
		return err
	}
	return e.JSON(http.StatusOK, saved)
}

// StateAt rebuilds the kept fields of a record as they were at version: from the record as
// stored now (or nothing, if it is deleted), each later version is undone with its old values.
func StateAt(app core.App, col *core.Collection, id string, version int) (map[string]any, error) {
	var rows []struct {
		Version   int    `db:"version"`
		Operation string `db:"operation"`
		Before    string `db:"before"`
	}
	err := app.DB().NewQuery(`SELECT version, operation, before FROM record_history
		WHERE [[table]] = {:t} AND record_id = {:id} AND version >= {:v} ORDER BY version DESC`).
		Bind(dbx.Params{"t": col.Name, "id": id, "v": version}).All(&rows)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[len(rows)-1].Version != version {
		return nil, validation.Errors{"version": validation.NewError("history_no_version", fmt.Sprintf("The record has no version %d.", version))}
	}
	var state map[string]any
	if r, err := app.FindRecordById(col, id); err == nil {
		state = Values(r)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	for _, row := range rows[:len(rows)-1] {
		var before map[string]any
		if err := json.Unmarshal([]byte(row.Before), &before); err != nil {
			return nil, err
		}
		switch row.Operation {
		case "create":
			state = nil
		case "delete":
			state = before
		default:
			if state == nil {
				state = map[string]any{}
			}
			maps.Copy(state, before)
		}
	}
	if state == nil {
		return nil, validation.Errors{"version": validation.NewError("history_deleted_version",
			fmt.Sprintf("Version %d is the record's deletion: restore the version before it.", version))}
	}
	return state, nil
}

// restorable fields are the kept ones a restore may set: files are left as they are (a replaced
// file is gone from storage).
func restorable(f core.Field) bool {
	_, file := f.(*core.FileField)
	return kept(f) && !file
}

// target reads the collection and id of a history route; only synced collections have one.
func target(e *core.RequestEvent) (*core.Collection, string, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("table"))
	if err != nil || !Tracked(col) {
		return nil, "", e.NotFoundError("No history is kept for that table.", nil)
	}
	return col, e.Request.PathValue("id"), nil
}

func isAdmin(e *core.RequestEvent) bool {
	return e.HasSuperuserAuth() || (e.Auth != nil && e.Auth.GetString("role") == "admin")
}
