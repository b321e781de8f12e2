package validate_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

// badInput is a request that must be answered with a field-level 400 and write nothing.
type badInput struct {
	name       string
	caller     string
	collection string
	id         string // PATCH this record; POST a new one when empty
	body       string
	field      string // the field named in the answer
	code       string // its validation code
}

func TestBadInputIsAFieldLevel400(t *testing.T) {
	setup := at.Enclave.App(t)
	trip := func(extra string) string {
		return `{"engineer":"` + at.EngineerRecA + `","from_city":"chengdu","to_city":"dazu","mode":"hsr",` + extra + `}`
	}
	entry := func(extra string) string {
		return `{"engineer":"` + at.EngineerRecA + `","city":"dazu","kind":"work",` + extra + `}`
	}
	cases := []badInput{
		{"credit code with a wrong check character", at.OfficerA, "enterprises", "", `{"name":"某公司","industry":"hardware","uscc":"91500111MA5U7XKX1M"}`, "uscc", "validation_uscc_check"},
		{"credit code with a letter never used", at.OfficerA, "enterprises", "", `{"name":"某公司","industry":"hardware","uscc":"91500111MA5U7XKXIL"}`, "uscc", "validation_uscc_character"},
		{"credit code already registered", at.OfficerA, "enterprises", "", `{"name":"某公司","industry":"hardware","uscc":"` + strings.ToLower(at.ValidUSCC) + `"}`, "uscc", "validation_not_unique"},
		{"contact phone that is not a number", at.OfficerA, "enterprises", at.Enterprise, `{"contact_phone":"138-0013"}`, "contact_phone", "validation_invalid_phone"},
		{"foreign phone number", at.Admin, "engineers", at.EngineerRecA, `{"phone":"+1 202 555 0100"}`, "phone", "validation_invalid_phone"},
		{"trip id of 20 characters", at.EngineerA, "commute_logs", "", trip(`"id":"AbCdEfGh123456789012","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"`), "id", "validation_invalid_format"},
		{"trip id of 32 hex digits, a UUID without its dashes", at.EngineerA, "commute_logs", "", trip(`"id":"0123456789abcdef0123456789abcdef","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"`), "id", "validation_invalid_format"},
		{"trip id with a dot", at.EngineerA, "commute_logs", "", trip(`"id":"AbCdEfGh.2345678","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"`), "id", "validation_invalid_format"},
		{"trip id with a slash", at.EngineerA, "commute_logs", "", trip(`"id":"AbCdEfGh/2345678","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"`), "id", "validation_invalid_format"},
		{"trip id too short", at.EngineerA, "commute_logs", "", trip(`"id":"AbCdEfGh","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"`), "id", "validation_min_text_constraint"},
		{"entry id of 20 characters", at.EngineerA, "schedules", "", entry(`"id":"AbCdEfGh123456789012","starts_at":"2026-04-02 01:00:00Z","ends_at":"2026-04-02 09:00:00Z"`), "id", "validation_invalid_format"},
		{"trip arriving before it departs", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 09:00:00Z"`), "arrive_at", "validation_arrive_before_depart"},
		{"trip under 20 minutes", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 10:19:00Z"`), "arrive_at", "validation_trip_too_short"},
		{"trip over 12 hours", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-04-01 00:00:00Z","arrive_at":"2026-04-01 12:01:00Z"`), "arrive_at", "validation_trip_too_long"},
		{"trip within one city", at.EngineerA, "commute_logs", "", `{"engineer":"` + at.EngineerRecA + `","from_city":"dazu","to_city":"dazu","mode":"car","depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z"}`, "to_city", "validation_same_city"},
		{"trip departing tomorrow", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2099-04-01 10:00:00Z","arrive_at":"2099-04-01 11:00:00Z"`), "depart_at", "validation_depart_in_future"},
		{"trip overlapping another trip", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-03-02 11:00:00Z","arrive_at":"2026-03-02 12:30:00Z"`), "depart_at", "validation_overlap"},
		{"trip during a Dazu work day", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-03-03 08:30:00Z","arrive_at":"2026-03-03 10:00:00Z"`), "depart_at", "validation_overlap"},
		{"trip of 2,500 km", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z","distance_km":2500`), "distance_km", "validation_max_number_constraint"},
		{"trip with a negative cost", at.EngineerA, "commute_logs", "", trip(`"depart_at":"2026-04-01 10:00:00Z","arrive_at":"2026-04-01 11:00:00Z","cost_yuan":-1`), "cost_yuan", "validation_min_number_constraint"},
		{"trip edited into an overlap", at.EngineerA, "commute_logs", at.CommuteA, `{"depart_at":"2026-03-03 00:30:00Z","arrive_at":"2026-03-03 02:00:00Z"}`, "depart_at", "validation_overlap"},
		{"entry ending before it starts", at.EngineerA, "schedules", "", entry(`"starts_at":"2026-04-02 09:00:00Z","ends_at":"2026-04-02 01:00:00Z"`), "ends_at", "validation_ends_before_starts"},
		{"entry running past Shanghai midnight", at.EngineerA, "schedules", "", entry(`"starts_at":"2026-04-02 10:00:00Z","ends_at":"2026-04-02 17:00:00Z"`), "ends_at", "validation_not_same_day"},
		{"entry whose day is another day", at.EngineerA, "schedules", "", entry(`"day":"2026-04-03","starts_at":"2026-04-02 01:00:00Z","ends_at":"2026-04-02 09:00:00Z"`), "day", "validation_day_mismatch"},
		{"entry overlapping another entry", at.EngineerA, "schedules", "", entry(`"starts_at":"2026-03-03 08:00:00Z","ends_at":"2026-03-03 10:00:00Z"`), "starts_at", "validation_overlap"},
		{"entry overlapping a trip", at.EngineerA, "schedules", "", entry(`"starts_at":"2026-03-02 02:00:00Z","ends_at":"2026-03-02 10:30:00Z"`), "starts_at", "validation_overlap"},
		{"entry with an unknown city", at.EngineerA, "schedules", "", `{"engineer":"` + at.EngineerRecA + `","city":"chongqing","kind":"work","starts_at":"2026-04-02 01:00:00Z","ends_at":"2026-04-02 09:00:00Z"}`, "city", "validation_invalid_value"},
		{"published form edited", at.Admin, "survey_forms", "{form}", `{"title":"改个标题"}`, "title", "validation_form_published"},
		{"form schema that is not a JSON Schema", at.Admin, "survey_forms", at.DraftForm, `{"schema":{"type":"banana"}}`, "schema", "validation_invalid_schema"},
		{"survey submitted without the required answers", at.OfficerA, "surveys", at.SurveyDraftA, `{"status":"submitted","answers":{"rd":{"spend_wan":10,"staff":1}}}`, "answers", "validation_answers_schema"},
	}
	form, err := at.PublishedFormID(setup)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		method, url := http.MethodPost, "/api/collections/"+c.collection+"/records"
		id := strings.ReplaceAll(c.id, "{form}", form)
		if id != "" {
			method, url = http.MethodPatch, url+"/"+id
		}
		var before string
		if id != "" {
			r, err := setup.FindRecordById(c.collection, id)
			if err != nil {
				t.Fatal(err)
			}
			before = string(must(r.MarshalJSON()))
		}
		count := must(setup.CountRecords(c.collection))
		s := tests.ApiScenario{
			Name: c.name, Method: method, URL: url, Body: strings.NewReader(c.body),
			Headers:         map[string]string{"Authorization": at.Token(t, setup, c.caller)},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"` + c.field + `":{"code":"` + c.code + `"`},
			TestAppFactory:  at.Enclave.UnmanagedApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if n := must(app.CountRecords(c.collection)); n != count {
					t.Errorf("%s has %d records after a refused request, had %d", c.collection, n, count)
				}
				if id != "" {
					r, err := app.FindRecordById(c.collection, id)
					if err != nil {
						t.Fatal(err)
					}
					if after := string(must(r.MarshalJSON())); after != before {
						t.Errorf("record changed by a refused request:\n%s\n%s", before, after)
					}
				}
			},
		}
		s.Test(t)
	}
}

func TestGoodInputIsStoredCanonically(t *testing.T) {
	app := at.Enclave.App(t)
	tok := map[string]string{"Authorization": at.Token(t, app, at.OfficerA)}
	scenarios := []tests.ApiScenario{
		{
			Name: "credit code upper-cased, phone stored as E.164", Method: http.MethodPost, URL: "/api/collections/enterprises/records",
			Body:            strings.NewReader(`{"name":"大足航空零部件有限公司","industry":"aerospace","uscc":"` + strings.ToLower(at.ValidUSCC3) + `","contact_phone":"139 0013 9000"}`),
			Headers:         tok,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"uscc":"` + at.ValidUSCC3 + `"`, `"contact_phone":"+8613900139000"`},
		},
		{
			Name: "a trip inside a leave day is fine, and an entry's day is derived in Shanghai time", Method: http.MethodPost, URL: "/api/collections/schedules/records",
			Body:            strings.NewReader(`{"engineer":"` + at.EngineerRecA + `","city":"chengdu","kind":"leave","starts_at":"2026-03-01 16:00:00Z","ends_at":"2026-03-02 16:00:00Z"}`),
			Headers:         map[string]string{"Authorization": at.Token(t, app, at.EngineerA)},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"day":"2026-03-02 00:00:00.000Z"`},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = at.Enclave.UnmanagedApp
		s.Test(t)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStatusMovesAreCheckedAgainstTheStoredRecord saves one record value twice: the second move
// must be judged from what the first save stored.
func TestStatusMovesAreCheckedAgainstTheStoredRecord(t *testing.T) {
	app := at.Enclave.App(t)
	r, err := app.FindRecordById("surveys", at.SurveyDraftA)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("status", "submitted")
	r.Set("answers", at.MinimalAnswers)
	at.Save(t, app, r)
	r.Set("status", "draft") // submitted → draft is no move of the workflow
	if err := app.Save(r); err == nil || !strings.Contains(err.Error(), "cannot move") {
		t.Fatalf("submitted → draft was accepted: %v", err)
	}
}
