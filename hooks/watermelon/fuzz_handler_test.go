package watermelon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
)

// FuzzPushHandler pushes fuzzed bodies through POST /api/sync/push of one served Enclave app, as
// officer A and as engineer A, past the decoder into the rules, the validation and sync_rejects.
// The answer is never a 5xx: 200, a 400 naming what is wrong, a 409 conflict or a 413; a record
// a 200 refuses is kept in sync_rejects for its author, and a refusal writes nothing. Execs share
// the app, so a record one exec created is there for the next (as on a real server).
func FuzzPushHandler(f *testing.F) {
	app := at.Enclave.App(f)
	app.Settings().RateLimits.Enabled = false // one client sends every exec: the limits would answer 429
	base := at.Serve(f, app)
	users := []string{at.OfficerA, at.EngineerA}
	devices := make([]*device, len(users))
	for i, u := range users {
		devices[i] = &device{t: f, base: base, token: at.Token(f, app, u)}
		devices[i].pull()
	}
	form, err := at.PublishedFormID(app)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"enterprises":{"created":[{"id":"k3JdT8sQ2mN9xYz1","name":"大足新兴五金厂","uscc":"91500111MA60000A0T","industry":"hardware","location":"{\"lon\":105.72,\"lat\":29.7}","employees":35,"_status":"created","_changed":""}],"updated":[],"deleted":[]}}`,
		`{"surveys":{"created":[{"id":"0b7f2c1e-9d3a-4f5b-8e6c-1a2b3c4d5e6f","enterprise":"` + at.Enterprise + `","form":"` + form + `","officer":"` + at.OfficerA + `","status":"submitted","answers":"{\"rd\":{\"spend_wan\":120,\"staff\":8}}","visited_at":1772000000000,"photos":"[]"}],"updated":[{"id":"` + at.SurveyDraftA + `","notes":"老板说下周再来"}],"deleted":[]}}`,
		`{"surveys":{"created":[],"updated":[{"id":"` + at.SurveyDraftA + `","status":"submitted","answers":"` + jsonText(at.MinimalAnswers) + `"}],"deleted":["` + at.SurveyDraftB + `"]}}`,
		`{"enterprises":{"created":[{"id":"Enterprise00000X","name":"x","uscc":"91500111MA5U7XKX1M","contact_phone":"138-0013"}]}}`,
		`{"commute_logs":{"created":[{"id":"CommuteOfEngA009","engineer":"` + at.EngineerRecA + `","from_city":"chengdu","to_city":"dazu","mode":"hsr","depart_at":1775000000000,"arrive_at":1775004500000,"cost_yuan":96.5,"distance_km":230}],"updated":[],"deleted":[]}}`,
		`{"commute_logs":{"created":[],"updated":[{"id":"` + at.CommuteA + `","arrive_at":1}],"deleted":["` + at.CommuteB + `"]}}`,
		`{"schedules":{"created":[{"id":"ScheduleOfEngA09","engineer":"` + at.EngineerRecA + `","city":"dazu","kind":"work","starts_at":1775010000000,"ends_at":1775000000000}]}}`,
		`{"month_signoffs":{"created":[{"id":"SignoffOfEngA009","engineer":"` + at.EngineerRecA + `","month":"2026-13","status":"approved"}]}}`,
		`{"needs":{"created":[{"id":"NeedOfOfficerA09","enterprise":"` + at.Enterprise + `","created_by":"` + at.OfficerA + `","category":"technology","title":"热处理","status":"open","deadline":-62135596799999}]}}`,
		`{"cohort_members":{"deleted":["` + at.MemberA + `"]},"cohorts":{"updated":[{"id":"` + at.CohortA + `","name":""}]}}`,
		`{"local_drafts":{"created":[{"id":"LocalDraft000001"}]}}`,
		`{}`,
	} {
		f.Add([]byte(seed), false, false)
		f.Add([]byte(seed), true, true)
	}
	f.Fuzz(func(t *testing.T, changes []byte, engineer, stale bool) {
		d := devices[0]
		if engineer {
			d = devices[1]
		}
		last := d.last
		if stale {
			last = 1 // a timestamp the server never gave out
		}
		body := fmt.Sprintf(`{"changes":%s,"lastPulledAt":%d}`, changes, last)
		before := counts(t, app)
		status, out := at.Client{T: t, Base: base, Token: d.token}.Do(http.MethodPost, "/api/sync/push", []byte(body))
		var answer struct {
			Message  string
			Data     map[string]any
			Rejected map[string][]string `json:"experimentalRejectedIds"`
		}
		if err := json.Unmarshal(out, &answer); err != nil {
			t.Fatalf("%s: %d, not JSON: %s", body, status, out)
		}
		switch status {
		case http.StatusOK:
			for table, ids := range answer.Rejected {
				for _, id := range ids {
					var kept int
					err := app.DB().Select("count(*)").From("sync_rejects").
						Where(dbx.HashExp{"user": usersOf(d, devices, users), "table": table, "record_id": id}).Row(&kept)
					if err != nil || kept != 1 {
						t.Fatalf("%s: %s %s refused but kept %d times in sync_rejects (%v)", body, table, id, kept, err)
					}
				}
			}
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			if answer.Message == "" {
				t.Fatalf("%s: %d without a message: %s", body, status, out)
			}
			if after := counts(t, app); after != before {
				t.Fatalf("%s: refused with %d, yet the rows went from %v to %v", body, status, before, after)
			}
		default:
			t.Fatalf("%s: %d %s", body, status, out)
		}
	})
}

// usersOf is the user id of device d.
func usersOf(d *device, devices []*device, users []string) string {
	for i := range devices {
		if devices[i] == d {
			return users[i]
		}
	}
	return ""
}

// counts is a fingerprint of what a push may write: rows and the last change of each synced
// table and of sync_rejects.
func counts(t *testing.T, app core.App) string {
	t.Helper()
	var out string
	for _, table := range []string{"enterprises", "surveys", "needs", "schedules", "commute_logs", "cohorts",
		"cohort_members", "month_signoffs", "sync_rejects"} {
		var n int
		var updated string
		if err := app.DB().NewQuery("SELECT count(*), coalesce(max(updated), '') FROM "+table).Row(&n, &updated); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d@%s ", table, n, updated)
	}
	return out
}

// jsonText writes s as the inside of a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
