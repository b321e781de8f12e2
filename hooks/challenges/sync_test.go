package challenges_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	at "feidi/hooks/lib/apptest"
)

// device pulls as a phone does, remembering its last timestamp.
type device struct {
	at.Client
	last int64
}

// pull returns the ids pulled per table, created and updated together.
func (d *device) pull(t *testing.T) map[string][]string {
	t.Helper()
	path := "/api/sync/pull"
	if d.last > 0 {
		path += fmt.Sprintf("?last_pulled_at=%d", d.last)
	}
	status, body := d.Do(http.MethodGet, path, nil)
	var a struct {
		Changes map[string]struct {
			Created, Updated []struct{ ID string }
			Deleted          []string
		}
		Timestamp int64
	}
	if status != 200 || json.Unmarshal(body, &a) != nil {
		t.Fatalf("pull: %d %.300s", status, body)
	}
	d.last = a.Timestamp
	out := map[string][]string{}
	for table, c := range a.Changes {
		for _, r := range append(c.Created, c.Updated...) {
			out[table] = append(out[table], r.ID)
		}
		for _, id := range c.Deleted {
			out[table+".deleted"] = append(out[table+".deleted"], id)
		}
	}
	return out
}

// TestReachFollowsTeamsAndAwards: what a researcher's phone holds follows the team they are
// in and the awards their team wins, on the next (incremental) pull, as REST would list it.
func TestReachFollowsTeamsAndAwards(t *testing.T) {
	app, as := at.ServeAs(t, at.Enclave)
	phone := &device{Client: as(at.ResearcherB)}
	first := phone.pull(t)
	if slices.Contains(first["proposals"], at.ProposalA) || !slices.Contains(first["proposals"], at.ProposalLost) ||
		slices.Contains(first["milestones"], at.MilestoneA) || !slices.Contains(first["challenges"], at.ChallengeOpen) {
		t.Fatalf("first pull %v", first)
	}
	// Researcher B joins team A: team A's proposal and its won challenge's milestone come along.
	team, _ := app.FindRecordById("research_teams", at.TeamA)
	team.Set("members", []string{at.ResearcherA, at.ResearcherB})
	at.Save(t, app, team)
	joined := phone.pull(t)
	if !slices.Contains(joined["proposals"], at.ProposalA) || !slices.Contains(joined["milestones"], at.MilestoneA) ||
		!slices.Contains(joined["challenge_engineers"], at.ChallengeLinkA) {
		t.Errorf("after joining team A: %v", joined)
	}
	// And leaves it again: they are told to drop them.
	team.Set("members", []string{at.ResearcherA})
	at.Save(t, app, team)
	left := phone.pull(t)
	if !slices.Contains(left["proposals.deleted"], at.ProposalA) || !slices.Contains(left["milestones.deleted"], at.MilestoneA) {
		t.Errorf("after leaving team A: %v", left)
	}
	// Officer B becomes the officer of the worked challenge: its proposals reach their phone.
	officer := &device{Client: as(at.OfficerB)}
	if got := officer.pull(t); slices.Contains(got["proposals"], at.ProposalWon) {
		t.Fatalf("officer B holds %v", got["proposals"])
	}
	c, _ := app.FindRecordById("challenges", at.ChallengeWorked)
	c.Set("officer", at.OfficerB)
	at.Save(t, app, c)
	if got := officer.pull(t); !slices.Contains(got["proposals"], at.ProposalWon) || !slices.Contains(got["milestones"], at.MilestoneA) {
		t.Errorf("officer B after the handover: %v", got)
	}
}
