package challenges_test

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/challenges"
	at "feidi/hooks/lib/apptest"
	"feidi/hooks/lib/geo"
)

type matches struct {
	Engineers, Teams, Challenges []challenges.Match
}

// TestMatchesSayWhy: for the open heat-treatment challenge the heat-treatment engineer and team
// come first, each with why (the specialty, the employer, a past challenge of the industry);
// for engineer A the same challenge is the best open one. Others may not ask.
func TestMatchesSayWhy(t *testing.T) {
	_, as := at.ServeAs(t, at.Enclave)
	status, body := as(at.OfficerA).Text(http.MethodGet, "/api/matches/challenges/"+at.ChallengeOpen, "")
	var m matches
	if status != 200 || json.Unmarshal([]byte(body), &m) != nil || len(m.Engineers) == 0 || len(m.Teams) == 0 {
		t.Fatalf("matches: %d %s", status, body)
	}
	e, team := m.Engineers[0], m.Teams[0]
	if e.ID != at.EngineerRecA || !strings.Contains(strings.Join(e.Why, " "), "专长相符：热处理") ||
		!strings.Contains(strings.Join(e.Why, " "), "在本榜企业任职") || !strings.Contains(strings.Join(e.Why, " "), "做过同行业的榜：刀剪刃口耐磨涂层") {
		t.Errorf("best engineer %+v", e)
	}
	if team.ID != at.TeamA || !strings.Contains(strings.Join(team.Why, " "), "热处理") {
		t.Errorf("teams %+v", m.Teams)
	}
	for i := 1; i < len(m.Engineers); i++ {
		if m.Engineers[i].Score > m.Engineers[i-1].Score {
			t.Errorf("not best first: %+v", m.Engineers)
		}
	}

	status, body = as(at.EngineerA).Text(http.MethodGet, "/api/matches/engineers/"+at.EngineerRecA, "")
	m = matches{}
	if status != 200 || json.Unmarshal([]byte(body), &m) != nil || len(m.Challenges) == 0 || m.Challenges[0].ID != at.ChallengeOpen {
		t.Errorf("engineer A's challenges: %d %s", status, body)
	}
	status, body = as(at.ResearcherA).Text(http.MethodGet, "/api/matches/teams/"+at.TeamA, "")
	m = matches{}
	if status != 200 || json.Unmarshal([]byte(body), &m) != nil || len(m.Challenges) == 0 || m.Challenges[0].ID != at.ChallengeOpen {
		t.Errorf("team A's challenges: %d %s", status, body)
	}
	for _, c := range []struct{ who, path string }{
		{at.OfficerB, "/api/matches/challenges/" + at.ChallengeOpen}, // not the enterprise's officer
		{at.EngineerB, "/api/matches/engineers/" + at.EngineerRecA},
		{at.ResearcherB, "/api/matches/teams/" + at.TeamA},
	} {
		if status, body := as(c.who).Text(http.MethodGet, c.path, ""); status != 403 {
			t.Errorf("%s %s: %d %s", c.who, c.path, status, body)
		}
	}
	if status, _ := as(at.Admin).Text(http.MethodGet, "/api/matches/challenges/nosuchchallenge1", ""); status != 404 {
		t.Errorf("unknown challenge: %d", status)
	}
}

// TestThePublicBoardShowsNoPerson: the board and the map answer without a login; they name no
// officer, no engineer, no contact and no private budget; the map's points are the recorded
// GCJ-02 positions converted to WGS-84.
func TestThePublicBoardShowsNoPerson(t *testing.T) {
	app, as := at.ServeAs(t, at.Enclave)
	firm, _ := app.FindRecordById("enterprises", at.Enterprise)
	firm.Set("location", types.GeoPoint{Lon: 105.7245, Lat: 29.7041}) // as a phone's map SDK reported it
	at.Save(t, app, firm)
	guest := as(at.Admin)
	guest.Token = ""

	status, body := guest.Text(http.MethodGet, "/api/board", "")
	var board struct{ Challenges []challenges.PublicChallenge }
	if status != 200 || json.Unmarshal([]byte(body), &board) != nil || len(board.Challenges) != 3 {
		t.Fatalf("board: %d %s", status, body)
	}
	for _, leak := range []string{at.OfficerA, "王芳", "officer", "023-43721234", "researcher", "submitted_by", "approach", `"budget_wan":70`} {
		if strings.Contains(body, leak) {
			t.Errorf("the board shows %q: %s", leak, body)
		}
	}
	for _, c := range board.Challenges {
		if c.ID == at.ChallengeWorked && (c.BudgetWan != nil || c.AwardedTeam == nil || c.AwardedTeam.Name != "先进热处理课题组") {
			t.Errorf("the worked challenge: %+v", c)
		}
		if c.ID == at.ChallengeOpen && (c.BudgetWan == nil || *c.BudgetWan != at.ChallengeBudget || c.Proposals != 1) {
			t.Errorf("the open challenge: %+v", c)
		}
	}

	res, err := http.Get(guest.Base + "/api/board/map.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var fc struct {
		Type     string
		Features []challenges.Feature
	}
	if err := json.NewDecoder(res.Body).Decode(&fc); err != nil || res.Header.Get("Content-Type") != "application/geo+json" || fc.Type != "FeatureCollection" {
		t.Fatalf("map: %v %s %+v", err, res.Header.Get("Content-Type"), fc)
	}
	wLon, wLat := geo.GCJ02ToWGS84(105.7245, 29.7041)
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Properties["kind"].(string)]++
		c := f.Geometry.Coordinates
		if math.Abs(c[0]-wLon) > 1e-6 || math.Abs(c[1]-wLat) > 1e-6 {
			t.Errorf("%s at %v, want %.6f,%.6f", f.ID, c, wLon, wLat)
		}
		if _, private := f.Properties["budget_wan"]; f.ID == "challenge/"+at.ChallengeWorked && private {
			t.Errorf("a private budget on the map: %+v", f)
		}
	}
	// The one surveyed enterprise, and its two open challenges.
	if kinds["enterprise"] != 1 || kinds["challenge"] != 2 {
		t.Errorf("features %v", kinds)
	}
}
