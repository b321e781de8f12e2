package watermelon_test

import (
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
