package validate

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// surveyMoves lists, for each status, the statuses a survey may move to. Who may make a move is
// in the API rules (only an admin reviews or returns); this is what may happen at all.
var surveyMoves = map[string][]string{
	"":          {"draft", "submitted"},
	"draft":     {"draft", "submitted"},
	"submitted": {"submitted", "reviewed", "returned"},
	"returned":  {"returned", "draft", "submitted"},
	"reviewed":  {"reviewed", "returned"},
}

// CheckSurvey validates a survey: its status move, its form, and, once it is no longer a draft,
// its answers against the form's JSON Schema.
func CheckSurvey(app core.App, r *core.Record) error {
	stored, err := storedVersion(app, r)
	if err != nil {
		return err
	}
	from, to := "", r.GetString("status")
	if stored != nil {
		from = stored.GetString("status")
	}
	if to != "" && !slices.Contains(surveyMoves[from], to) {
		return validation.Errors{"status": validation.NewError("validation_status_move",
			fmt.Sprintf("A survey cannot move from %q to %q.", from, to))}
	}
	// A return says why, and a returned survey keeps its reason: it may be reworded, not cleared
	// (a survey returned before notes existed has none to keep).
	hadNote := stored != nil && strings.TrimSpace(stored.GetString("review_note")) != ""
	if to == "returned" && (from != "returned" || hadNote) && strings.TrimSpace(r.GetString("review_note")) == "" {
		return validation.Errors{"review_note": validation.NewError("validation_review_note_required",
			"Say why: the officer reads this note beside the returned survey.")}
	}
	formID := r.GetString("form")
	if formID == "" {
		return nil
	}
	form, err := app.FindRecordById("survey_forms", formID)
	if err != nil {
		return validation.Errors{"form": validation.NewError("validation_unknown_form", "No such survey form.")}
	}
	if !form.GetBool("published") && (stored == nil || stored.GetString("form") != formID) {
		return validation.Errors{"form": validation.NewError("validation_form_unpublished",
			"This form version is not published yet.")}
	}
	if to == "draft" {
		return nil // a draft may be half filled in
	}
	schema, err := compiledSchema(form)
	if err != nil {
		return err
	}
	if msg := answersError(schema, []byte(r.GetString("answers"))); msg != "" {
		return validation.Errors{"answers": validation.NewError("validation_answers_schema", msg)}
	}
	return nil
}

// CheckForm validates a survey form: its schema is a JSON Schema, and a published version is
// never changed: a new version is made instead.
func CheckForm(app core.App, r *core.Record) error {
	stored, err := storedVersion(app, r)
	if err != nil {
		return err
	}
	if stored != nil && stored.GetBool("published") {
		for _, field := range []string{"code", "version", "title", "schema", "published"} {
			if fmt.Sprint(stored.Get(field)) != fmt.Sprint(r.Get(field)) {
				return validation.Errors{field: validation.NewError("validation_form_published",
					fmt.Sprintf("Version %d of form %q is published and can no longer change; create version %d instead.",
						stored.GetInt("version"), stored.GetString("code"), stored.GetInt("version")+1))}
			}
		}
	}
	if _, err := compileSchema([]byte(r.GetString("schema"))); err != nil {
		return validation.Errors{"schema": validation.NewError("validation_invalid_schema", "Not a valid JSON Schema: "+err.Error())}
	}
	return nil
}

// storedVersion reads the record as it is in the database (nil for a new one). Record.Original
// is not enough: PocketBase does not refresh it when the same value is saved twice.
func storedVersion(app core.App, r *core.Record) (*core.Record, error) {
	if r.IsNew() {
		return nil, nil
	}
	stored, err := app.FindRecordById(r.Collection(), r.Id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return stored, err
}

// schemas caches compiled form schemas by form id and update time: a form changes rarely and is
// used by every survey.
var schemas sync.Map

func compiledSchema(form *core.Record) (*jsonschema.Schema, error) {
	key := form.Id + "@" + form.GetString("updated")
	if s, ok := schemas.Load(key); ok {
		return s.(*jsonschema.Schema), nil
	}
	s, err := compileSchema([]byte(form.GetString("schema")))
	if err != nil {
		return nil, fmt.Errorf("survey form %s has an invalid schema: %w", form.Id, err)
	}
	schemas.Store(key, s)
	return s, nil
}

func compileSchema(raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("form.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("form.json")
}

var english = message.NewPrinter(language.English)

// answersError validates answers and names each failing answer by its path, e.g.
// "/rd/spend_wan: must be >= 0 but found -5".
func answersError(schema *jsonschema.Schema, raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	answers, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return "answers are not valid JSON"
	}
	err = schema.Validate(answers)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	var msgs []string
	for _, leaf := range leaves(ve) {
		msgs = append(msgs, "/"+strings.Join(leaf.InstanceLocation, "/")+": "+leaf.ErrorKind.LocalizedString(english))
	}
	slices.Sort(msgs)
	return strings.Join(slices.Compact(msgs), "; ")
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}
