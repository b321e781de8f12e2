package validate_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	at "feidi/hooks/lib/apptest"
)

// FuzzSurveyAnswers submits a survey with fuzzed answers through the REST API of one served
// Enclave app, as officer A. The answer is 200 only for answers the form's JSON Schema, compiled
// here on its own, says are valid as stored; any other is a field-level 400 that writes nothing;
// never a 500. Answers that are a JSON object the schema accepts are taken.
func FuzzSurveyAnswers(f *testing.F) {
	app := at.Enclave.App(f)
	app.Settings().RateLimits.Enabled = false // one client sends every exec: the limits would answer 429
	base, token := at.Serve(f, app), at.Token(f, app, at.OfficerA)
	formID, err := at.PublishedFormID(app)
	if err != nil {
		f.Fatal(err)
	}
	form, err := app.FindRecordById("survey_forms", formID)
	if err != nil {
		f.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(form.GetString("schema"))))
	if err != nil {
		f.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("form.json", doc); err != nil {
		f.Fatal(err)
	}
	schema, err := c.Compile("form.json")
	if err != nil {
		f.Fatal(err)
	}
	valid := func(raw []byte) bool {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		return err == nil && schema.Validate(v) == nil
	}
	for _, s := range []string{at.MinimalAnswers, `{}`, `null`, `[]`, `"x"`, `{"rd":{"spend_wan":-5,"staff":8},"technology_problems":[],"talent_needs":[]}`,
		`{"rd":{"spend_wan":1e400,"staff":8},"technology_problems":[],"talent_needs":[]}`,
		`{"rd":{"spend_wan":120,"staff":8.5},"technology_problems":[],"talent_needs":[]}`,
		`{"rd":{"spend_wan":120,"staff":12345678901234567890},"technology_problems":[],"talent_needs":[]}`,
		`{"rd":{"spend_wan":120,"staff":8},"technology_problems":[{"title":"热"}],"talent_needs":[{"position":"x","count":1001}]}`,
		`{"rd":{"spend_wan":120,"staff":8},"technology_problems":[],"talent_needs":[],"policy_needs":["人才补贴","人才补贴"]}`,
		`{"rd":{"spend_wan":120,"staff":8},"technology_problems":[],"talent_needs":[],"rd":{}}`,
		`"{\"rd\":{\"spend_wan\":120,\"staff\":8},\"technology_problems\":[],\"talent_needs\":[]}"`,
		`{"rd":{"spend_wan":120,"staff":8},"technology_problems":[],"talent_needs":[],"remarks":"\u0000\ud800"}`,
		`not json`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answers []byte) {
		value := json.RawMessage(answers)
		if !json.Valid(answers) {
			s, _ := json.Marshal(string(answers)) // what a form would send for text typed in
			value = s
		}
		body, err := json.Marshal(map[string]any{"enterprise": at.Enterprise, "form": formID, "officer": at.OfficerA,
			"status": "submitted", "answers": value})
		if err != nil {
			t.Fatal(err)
		}
		before, err := app.CountRecords("surveys")
		if err != nil {
			t.Fatal(err)
		}
		officer := at.Client{T: t, Base: base, Token: token}
		status, answer := officer.Do(http.MethodPost, "/api/collections/surveys/records", body)
		switch status {
		case http.StatusOK:
			var made struct{ ID string }
			if err := json.Unmarshal(answer, &made); err != nil {
				t.Fatal(err)
			}
			r, err := app.FindRecordById("surveys", made.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := app.Delete(r); err != nil {
					t.Fatal(err)
				}
			}()
			if stored := r.GetString("answers"); !valid([]byte(stored)) {
				t.Fatalf("answers %s accepted, stored as %s, which the schema refuses", answers, stored)
			}
		case http.StatusBadRequest:
			var refused struct {
				Data map[string]struct{ Code, Message string }
			}
			if err := json.Unmarshal(answer, &refused); err != nil {
				t.Fatal(err)
			}
			var readable map[string]any
			if len(refused.Data) == 0 && json.Unmarshal(body, &readable) != nil {
				return // PocketBase cannot read the body (a number beyond float64): its own plain 400
			}
			if len(refused.Data) == 0 {
				t.Fatalf("answers %s: a 400 naming no field: %s", answers, answer)
			}
			for field, e := range refused.Data {
				if e.Code == "" || e.Message == "" {
					t.Fatalf("answers %s: field %s refused without a code and a message: %s", answers, field, answer)
				}
			}
			if after, _ := app.CountRecords("surveys"); after != before {
				t.Fatalf("answers %s refused, yet %d surveys became %d", answers, before, after)
			}
			if json.Valid(answers) && bytes.HasPrefix(bytes.TrimSpace(answers), []byte("{")) && valid(answers) && len(answers) < 1<<19 {
				t.Fatalf("answers %s, valid by the schema, refused: %s", answers, answer)
			}
		default:
			t.Fatalf("answers %s: %d %s", answers, status, answer)
		}
	})
}
