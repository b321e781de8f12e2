package watermelon_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/watermelon"
)

// once makes fn the next refresh's betweenSteps, for that refresh only.
func once(t *testing.T, fn func(app core.App)) {
	t.Cleanup(watermelon.BetweenRefreshSteps(fn))
}

// TestWritesWhileAPullJudgesAreNotMissed: a pull judges the rules first off the writer, then in
// the transaction that stamps it; what other requests write between the two is judged too.
func TestWritesWhileAPullJudgesAreNotMissed(t *testing.T) {
	app, officerA := newDevice(t, at.OfficerA)
	officerB := officerA.as(at.OfficerB, app)
	coordinator := officerA.as(at.CoordinatorA, app)
	officerA.pull()
	officerB.pull()
	coordinator.pull()
	form, _ := at.PublishedFormID(app)
	surveys, _ := app.FindCollectionByNameOrId("surveys")
	survey := func(id, officer string) *core.Record {
		r := core.NewRecord(surveys)
		r.Id = id
		r.Load(map[string]any{"enterprise": at.Enterprise, "form": form, "officer": officer, "status": "draft"})
		return r
	}

	// A record created meanwhile is in this pull's answer.
	once(t, func(app core.App) { at.Save(t, app, survey("MeanwhileSurvA01", at.OfficerA)) })
	if a := officerA.pull(); !has(ids(a.Changes["surveys"].Created), "MeanwhileSurvA01") {
		t.Errorf("a survey written while the pull judged was not sent: %+v", a.Changes["surveys"])
	}
	if a := officerA.pull(); len(a.Changes["surveys"].Created)+len(a.Changes["surveys"].Updated) != 0 {
		t.Errorf("the next pull sent it again: %+v", a.Changes["surveys"])
	}

	// A record judged in reach by the first step, handed to another officer meanwhile, is not sent
	// to the one who no longer may see it.
	at.Save(t, app, survey("HandedOverSurv01", at.OfficerB))
	once(t, func(app core.App) {
		r, err := app.FindRecordById("surveys", "HandedOverSurv01")
		if err != nil {
			t.Fatal(err)
		}
		r.Set("officer", at.OfficerA)
		at.Save(t, app, r)
	})
	b := officerB.pull()
	if has(ids(b.Changes["surveys"].Created), "HandedOverSurv01") || has(ids(b.Changes["surveys"].Updated), "HandedOverSurv01") {
		t.Errorf("officer B was sent a survey handed over while the pull judged: %+v", b.Changes["surveys"])
	}
	if a := officerA.pull(); !has(ids(a.Changes["surveys"].Created), "HandedOverSurv01") {
		t.Errorf("officer A did not get the survey handed to them: %+v", a.Changes["surveys"])
	}

	// A change of what the rules read of other records (an enrolment moves the epoch) meanwhile:
	// the pull judges everything again, and the new member's old trips come with it.
	once(t, func(app core.App) { enrol(t, app, at.CohortA, at.EngineerRecB) })
	if a := coordinator.pull(); !has(ids(a.Changes["commute_logs"].Created), at.CommuteB) {
		t.Errorf("an enrolment made while the pull judged did not bring the member's trips: %+v", a.Changes["commute_logs"])
	}
}

// TestBothSidesOfAReachAgree: a user's reach changes judged from the rows changed since and
// from the user's own side (their anchors: `engineer.user = @request.auth.id`, `officer = ...`)
// are the same, for every user and table, after creations, a handover, an edit and a deletion.
func TestBothSidesOfAReachAgree(t *testing.T) {
	app, first := newDevice(t, at.OfficerA)
	users := []string{at.OfficerA, at.OfficerB, at.EngineerA, at.EngineerB, at.CoordinatorA, at.Admin}
	for _, u := range users {
		first.as(u, app).pull()
	}
	var since int64
	if err := app.DB().NewQuery("SELECT seq FROM _sync_state").Row(&since); err != nil {
		t.Fatal(err)
	}
	trips, _ := app.FindCollectionByNameOrId("commute_logs")
	for i, engineer := range []string{at.EngineerRecA, at.EngineerRecB, at.EngineerRecA} {
		trip := core.NewRecord(trips)
		trip.Id = fmt.Sprintf("BothSidesTrip%03d", i)
		trip.Load(map[string]any{"engineer": engineer, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
			"depart_at": fmt.Sprintf("2026-03-1%d 10:00:00.000Z", i), "arrive_at": fmt.Sprintf("2026-03-1%d 11:15:00.000Z", i)})
		at.Save(t, app, trip)
	}
	moved, _ := app.FindRecordById("commute_logs", at.CommuteA)
	moved.Load(map[string]any{"engineer": at.EngineerRecB, "depart_at": "2026-03-20 10:00:00.000Z", "arrive_at": "2026-03-20 11:15:00.000Z"})
	at.Save(t, app, moved)
	edited, _ := app.FindRecordById("schedules", at.ScheduleB)
	edited.Set("note", "改")
	at.Save(t, app, edited)
	gone, _ := app.FindRecordById("schedules", at.ScheduleA)
	if err := app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	survey, _ := app.FindRecordById("surveys", at.SurveyDraftA)
	survey.Set("officer", at.OfficerB)
	at.Save(t, app, survey)

	anchored, changes := 0, 0
	for _, u := range users {
		auth, err := app.FindRecordById("users", u)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range watermelon.Tables {
			fromChanges, fromUser, ok, err := watermelon.ReachChangesBothWays(app, auth, table, since)
			if err != nil {
				t.Fatalf("%s %s: %v", u, table, err)
			}
			changes += len(fromChanges[0]) + len(fromChanges[1])
			if !ok {
				continue
			}
			anchored++
			if fmt.Sprint(fromChanges) != fmt.Sprint(fromUser) {
				t.Errorf("%s %s: from the changes %v, from the user's side %v", u, table, fromChanges, fromUser)
			}
		}
	}
	if anchored < 6 || changes < 6 {
		t.Errorf("only %d user-tables read from the user's side, %d changes judged: the test shows nothing", anchored, changes)
	}
}

// TestAFirstPullWritesItsReachInChunks: a first pull streams the reach and writes it a chunk at
// a time; with chunks of two records the answer is the same as with one chunk, for every user.
func TestAFirstPullWritesItsReachInChunks(t *testing.T) {
	users := []string{at.OfficerA, at.EngineerA, at.EngineerB, at.CoordinatorA, at.Admin}
	whole := map[string]string{}
	app, d := newDevice(t, at.OfficerA)
	for _, u := range users {
		whole[u] = fmt.Sprint(d.as(u, app).pull().Changes)
	}
	defer watermelon.SetWholeChunk(2)()
	app, d = newDevice(t, at.OfficerA)
	for _, u := range users {
		if got := fmt.Sprint(d.as(u, app).pull().Changes); got != whole[u] {
			t.Errorf("%s: in chunks of two\n%s\nat once\n%s", u, got, whole[u])
		}
	}
}

// TestAWholeReachIsWhatJudgingEveryRowGives: a first pull (or the first after the epoch moved)
// writes its reach window by window in SQL (reach_whole.go); the reach it leaves is the one that
// judging every row in Go and writing the verdicts leaves, for every user, from an empty reach
// and from one that creations, a handover, a deletion, an enrolment and an admin stepping down
// made stale; in windows of 5,000 ids and of two.
func TestAWholeReachIsWhatJudgingEveryRowGives(t *testing.T) {
	users := []string{at.OfficerA, at.OfficerB, at.EngineerA, at.EngineerB, at.CoordinatorA, at.Admin}
	for _, chunk := range []int{5000, 2} {
		t.Run(fmt.Sprint("chunk=", chunk), func(t *testing.T) {
			defer watermelon.SetWholeChunk(chunk)()
			app, _ := newDevice(t, at.OfficerA)
			agree := func(step string) (in, out int) {
				for _, u := range users {
					auth, err := app.FindRecordById("users", u)
					if err != nil {
						t.Fatal(err)
					}
					judged, whole, err := watermelon.WholeReachBothWays(app, auth)
					if err != nil {
						t.Fatalf("%s, %s: %v", step, u, err)
					}
					if fmt.Sprint(judged) != fmt.Sprint(whole) {
						t.Errorf("%s, %s:\njudged %v\nwhole  %v", step, u, judged, whole)
					}
					for _, row := range whole {
						if strings.HasSuffix(row, " 1") {
							in++
						} else {
							out++
						}
					}
				}
				return in, out
			}
			if in, _ := agree("from an empty reach"); in < 20 {
				t.Fatalf("only %d records in anyone's reach: the test shows nothing", in)
			}

			trips, _ := app.FindCollectionByNameOrId("commute_logs")
			trip := core.NewRecord(trips)
			trip.Id = "WholeReachTrip01"
			trip.Load(map[string]any{"engineer": at.EngineerRecA, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
				"depart_at": "2026-03-11 10:00:00.000Z", "arrive_at": "2026-03-11 11:15:00.000Z"})
			at.Save(t, app, trip)
			survey, _ := app.FindRecordById("surveys", at.SurveyDraftA)
			survey.Set("officer", at.OfficerB)
			at.Save(t, app, survey)
			gone, _ := app.FindRecordById("schedules", at.ScheduleA)
			if err := app.Delete(gone); err != nil {
				t.Fatal(err)
			}
			enrol(t, app, at.CohortA, at.EngineerRecB)
			admin, _ := app.FindRecordById("users", at.Admin)
			admin.Set("role", "officer")
			at.Save(t, app, admin)
			if _, out := agree("from a stale reach"); out < 5 {
				t.Errorf("only %d records left anyone's reach: the test shows nothing", out)
			}
		})
	}
}
