package watermelon

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

// schemaVersion is the version of the synced schema an app is built against. Bump it when a
// synced table or column is added; an app that migrates its schema then pulls with a
// `migration` naming what was added, and gets those tables and columns whole.
var schemaVersion = 4 // 2: month_signoffs; 3: the challenge board; 4: surveys.review_note

// Tables are the synced collections, in the order a push applies them: a record's relations
// come before it (and deletions go in the reverse order).
var Tables = []string{"enterprises", "survey_forms", "surveys", "needs", "engineers",
	"schedules", "commute_logs", "cohorts", "cohort_members", "month_signoffs",
	"research_teams", "challenges", "proposals", "milestones", "challenge_engineers"}

// seqColumn is the hidden column the database triggers stamp with the change sequence.
const seqColumn = "sync_seq"

// Column kinds of WatermelonDB.
const (
	kindString  = "string"
	kindNumber  = "number"
	kindBoolean = "boolean"
)

// column maps one PocketBase field to one WatermelonDB column.
type column struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	IsOptional bool   `json:"isOptional"`
	IsIndexed  bool   `json:"isIndexed"`

	field    core.Field
	codec    codec
	readOnly bool // owned by the server: ignored when a device pushes it
}

// codec says how a field's stored value travels: as itself, as milliseconds, or as JSON text.
type codec int

const (
	asString codec = iota
	asNumber
	asBool
	asMillis
	asJSONText
)

type table struct {
	Name       string   `json:"name"`
	Columns    []column `json:"columns"`
	collection *core.Collection
	byName     map[string]*column
}

// columnsOf derives the WatermelonDB columns of a collection from its fields. The mapping:
// text-like fields and single relations, selects and files are strings; numbers are numbers;
// bools are booleans; dates are milliseconds since the epoch (null when empty); json,
// multi-valued and geoPoint fields are JSON text. Hidden fields are not synced.
func columnsOf(c *core.Collection) (*table, error) {
	t := &table{Name: c.Name, collection: c, byName: map[string]*column{}}
	indexed := map[string]bool{} // a column that leads an index is worth indexing on the device too
	for _, idx := range c.Indexes {
		if cols := dbutils.ParseIndex(idx).Columns; len(cols) > 0 {
			indexed[cols[0].Name] = true
		}
	}
	for _, f := range c.Fields {
		if f.GetHidden() || f.GetName() == "id" {
			continue
		}
		col := column{Name: f.GetName(), Type: kindString, field: f, IsIndexed: indexed[f.GetName()]}
		switch f := f.(type) {
		case *core.NumberField:
			col.Type, col.codec = kindNumber, asNumber
		case *core.BoolField:
			col.Type, col.codec = kindBoolean, asBool
		case *core.DateField:
			col.Type, col.codec, col.IsOptional = kindNumber, asMillis, !f.Required
		case *core.AutodateField:
			col.Type, col.codec, col.readOnly = kindNumber, asMillis, true
		case *core.JSONField:
			col.codec, col.IsOptional = asJSONText, true
		case *core.GeoPointField:
			col.codec = asJSONText
		case *core.FileField:
			col.readOnly = true // files travel by multipart upload, see the README
			if f.IsMultiple() {
				col.codec = asJSONText
			}
		case *core.RelationField:
			col.IsIndexed = true
			if f.IsMultiple() {
				col.codec = asJSONText
			}
		case *core.SelectField:
			if f.IsMultiple() {
				col.codec = asJSONText
			}
		case *core.TextField, *core.EditorField, *core.EmailField, *core.URLField:
		default:
			return nil, fmt.Errorf("collection %s: field %s of type %s cannot be synced", c.Name, f.GetName(), f.Type())
		}
		t.Columns = append(t.Columns, col)
	}
	for i := range t.Columns {
		t.byName[t.Columns[i].Name] = &t.Columns[i]
	}
	return t, nil
}

// appSchema is the synced schema in WatermelonDB's appSchema shape.
type appSchema struct {
	Version int      `json:"version"`
	Tables  []*table `json:"tables"`
}

// loadSchema reads the synced tables from the app's collections.
func loadSchema(app core.App) (*appSchema, error) {
	s := &appSchema{Version: schemaVersion}
	for _, name := range Tables {
		c, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			return nil, err
		}
		if c.Fields.GetByName(seqColumn) == nil {
			return nil, fmt.Errorf("collection %s has no %s column: is the sync migration applied?", name, seqColumn)
		}
		t, err := columnsOf(c)
		if err != nil {
			return nil, err
		}
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

func (s *appSchema) table(name string) *table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}
