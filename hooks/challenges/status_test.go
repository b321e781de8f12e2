package challenges_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

func serve(t *testing.T) (*tests.TestApp, func(user string) at.Client) {
	return at.ServeAs(t, at.Enclave)
}

const (
	challengesURL = "/api/collections/challenges/records"
	proposals     = "/api/collections/proposals/records"
	milestones    = "/api/collections/milestones/records"
)

// push sends one sync push of changes to one table and returns the rejected ids' answer.
func push(t *testing.T, c at.Client, table, bucket, raw string) string {
	t.Helper()
	_, pulled := c.Text(http.MethodGet, "/api/sync/pull", "")
	var p struct{ Timestamp int64 }
	if err := json.Unmarshal([]byte(pulled), &p); err != nil {
		t.Fatal(err)
	}
	status, body := c.Text(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", p.Timestamp),
		`{"changes":{"`+table+`":{"created":[],"updated":[],"deleted":[],"`+bucket+`":[`+raw+`]}}}`)
	if status != 200 {
		t.Fatalf("push: %d %s", status, body)
	}
	return body
}

func status(t *testing.T, app *tests.TestApp, collection, id string) string {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.GetString("status")
}

// TestAnAwardDecidesEveryProposal: team B applies to the open challenge beside team A; the
// admin awards team A's proposal; team B's is declined in the same write and told why, and
// the award's team, time and value are on the challenge.
func TestAnAwardDecidesEveryProposal(t *testing.T) {
	app, as := serve(t)
	admin, teamB := as(at.Admin), as(at.ResearcherB)
	code, body := teamB.Text(http.MethodPost, proposals, `{"id":"ProposalOfTeamB1","challenge":"`+at.ChallengeOpen+
		`","team":"`+at.TeamB+`","submitted_by":"`+at.ResearcherB+`","approach":"感应淬火","budget_wan":75,"status":"submitted"}`)
	if code != 200 {
		t.Fatalf("team B applies: %d %s", code, body)
	}
	// Team B sees its own proposal, not team A's.
	_, list := teamB.Text(http.MethodGet, proposals+"?perPage=100", "")
	if !strings.Contains(list, "ProposalOfTeamB1") || strings.Contains(list, at.ProposalA) {
		t.Errorf("team B's list: %s", list)
	}
	code, body = admin.Text(http.MethodPatch, challengesURL+"/"+at.ChallengeOpen, `{"status":"awarded","awarded_proposal":"`+at.ProposalA+`","contract_value_wan":58.5}`)
	if code != 200 || !strings.Contains(body, `"awarded_team":"`+at.TeamA+`"`) || strings.Contains(body, `"awarded_at":""`) {
		t.Fatalf("award: %d %s", code, body)
	}
	if s := status(t, app, "proposals", at.ProposalA); s != "awarded" {
		t.Errorf("team A's proposal is %s", s)
	}
	_, mine := teamB.Text(http.MethodGet, proposals+"/"+"ProposalOfTeamB1", "")
	var p struct {
		Status       string
		DecisionNote string `json:"decision_note"`
	}
	json.Unmarshal([]byte(mine), &p)
	if p.Status != "declined" || !strings.Contains(p.DecisionNote, "先进热处理课题组") {
		t.Errorf("team B is not told why not: %s", mine)
	}
	// The award is made: it does not move to another proposal.
	code, body = admin.Text(http.MethodPatch, challengesURL+"/"+at.ChallengeOpen, `{"awarded_proposal":"ProposalOfTeamB1"}`)
	if code != 400 || !strings.Contains(body, "challenge_award_fixed") {
		t.Errorf("moving the award: %d %s", code, body)
	}
}

// TestAChallengeMovesOnlyAsItsStatusMachineSays: each refused move answers 400 (or 404 for a
// caller the rules refuse) naming the field, and leaves the challenge as it was; the awarded
// team reports progress and delivery but decides nothing else.
func TestAChallengeMovesOnlyAsItsStatusMachineSays(t *testing.T) {
	app, as := serve(t)
	admin, teamA, teamB, officer := as(at.Admin), as(at.ResearcherA), as(at.ResearcherB), as(at.OfficerA)
	refusals := []struct {
		who            at.Client
		id, body, want string
		code           int
	}{
		{admin, at.ChallengeOpen, `{"status":"accepted"}`, "challenge_status_move", 400},
		{admin, at.ChallengeOpen, `{"status":"awarded","awarded_proposal":"` + at.ProposalA + `"}`, "challenge_contract_value", 400},
		{admin, at.ChallengeOpen, `{"status":"awarded","awarded_proposal":"` + at.ProposalWon + `","contract_value_wan":10}`, "challenge_award_proposal", 400},
		{admin, at.ChallengeOpen, `{"status":"withdrawn"}`, "challenge_reason_required", 400},
		{admin, at.ChallengeOpen, `{"survey":"` + at.SurveyDraftB + `","enterprise":"` + at.EnterpriseSpare + `"}`, "challenge_origin_elsewhere", 400},
		{admin, at.ChallengeWorked, `{"status":"failed"}`, "challenge_reason_required", 400},
		{admin, at.ChallengeWorked, `{"status":"open"}`, "challenge_status_move", 400},
		{teamB, at.ChallengeWorked, `{"status":"delivered"}`, "", 404}, // not the awarded team
		{teamA, at.ChallengeWorked, `{"status":"accepted"}`, "", 404},  // acceptance is the admins'
		{teamA, at.ChallengeWorked, `{"status":"delivered","contract_value_wan":99}`, "", 404},
		{teamA, at.ChallengeWorked, `{"status":"delivered","awarded_at":"2026-01-01 00:00:00.000Z"}`, "", 404}, // the indicators count by it
		{officer, at.ChallengeWorked, `{"status":"delivered"}`, "", 404},
	}
	for _, r := range refusals {
		before, _ := app.FindRecordById("challenges", r.id)
		code, body := r.who.Text(http.MethodPatch, challengesURL+"/"+r.id, r.body)
		if code != r.code || !strings.Contains(body, r.want) {
			t.Errorf("%s %s: %d %s", r.id, r.body, code, body)
		}
		after, _ := app.FindRecordById("challenges", r.id)
		if after.GetString("updated") != before.GetString("updated") {
			t.Errorf("%s %s: written", r.id, r.body)
		}
	}
	for _, step := range []struct {
		who         at.Client
		body, stamp string
	}{
		{teamA, `{"status":"delivered"}`, "delivered_at"},
		{admin, `{"status":"in_progress","status_reason":"涂层附着力未达标"}`, "started_at"},
		{teamA, `{"status":"delivered"}`, "delivered_at"},
		{admin, `{"status":"accepted"}`, "accepted_at"},
	} {
		code, body := step.who.Text(http.MethodPatch, challengesURL+"/"+at.ChallengeWorked, step.body)
		if code != 200 || strings.Contains(body, `"`+step.stamp+`":""`) {
			t.Fatalf("%s: %d %s", step.body, code, body)
		}
	}
	// Accepted is final, and its milestones are closed.
	if code, body := admin.Text(http.MethodPatch, challengesURL+"/"+at.ChallengeWorked, `{"status":"in_progress","status_reason":"x"}`); code != 400 {
		t.Errorf("reopening an accepted challenge: %d %s", code, body)
	}
	if code, body := teamA.Text(http.MethodPatch, milestones+"/"+at.MilestoneA, `{"status":"done","evidence_note":"验收报告"}`); code != 400 || !strings.Contains(body, "milestone_challenge_not_worked") {
		t.Errorf("a milestone of an accepted challenge: %d %s", code, body)
	}
}

// TestProposalsAndMilestonesKeepTheirRules: through REST and the sync push alike, a proposal
// goes only to an open challenge, from a member of its team, and is declined only with a reason;
// a milestone is done only with evidence.
func TestProposalsAndMilestonesKeepTheirRules(t *testing.T) {
	app, as := serve(t)
	admin, teamA := as(at.Admin), as(at.ResearcherA)
	late := `{"id":"LateProposal0001","challenge":"` + at.ChallengeWorked + `","team":"` + at.TeamA +
		`","submitted_by":"` + at.ResearcherA + `","approach":"迟到的方案","status":"submitted"}`
	if code, body := admin.Text(http.MethodPost, proposals, late); code != 400 || !strings.Contains(body, "proposal_challenge_closed") {
		t.Errorf("REST proposal to a challenge in progress: %d %s", code, body)
	}
	if body := push(t, teamA, "proposals", "created", late); !strings.Contains(body, "LateProposal0001") {
		t.Errorf("sync proposal to a challenge in progress was not rejected: %s", body)
	}
	stranger := `{"id":"StrangerProposal","challenge":"` + at.ChallengeOpen + `","team":"` + at.TeamA +
		`","submitted_by":"` + at.ResearcherB + `","approach":"代提交","status":"submitted"}`
	if code, body := admin.Text(http.MethodPost, proposals, stranger); code != 400 || !strings.Contains(body, "proposal_not_member") {
		t.Errorf("a proposal by a non-member: %d %s", code, body)
	}
	if code, body := admin.Text(http.MethodPatch, proposals+"/"+at.ProposalA, `{"status":"declined"}`); code != 400 || !strings.Contains(body, "proposal_reason_required") {
		t.Errorf("declined without a reason: %d %s", code, body)
	}
	if code, body := admin.Text(http.MethodPatch, proposals+"/"+at.ProposalA, `{"status":"awarded"}`); code != 400 || !strings.Contains(body, "proposal_award_by_challenge") {
		t.Errorf("a proposal awarded by itself: %d %s", code, body)
	}
	// The team withdraws by sync; then the proposal is no longer theirs to change.
	if body := push(t, teamA, "proposals", "updated", `{"id":"`+at.ProposalA+`","status":"withdrawn"}`); strings.Contains(body, at.ProposalA) {
		t.Errorf("withdrawal by sync was rejected: %s", body)
	}
	if code, _ := teamA.Text(http.MethodPatch, proposals+"/"+at.ProposalA, `{"approach":"改"}`); code != 404 {
		t.Errorf("a withdrawn proposal was edited: %d", code)
	}
	if s := status(t, app, "proposals", at.ProposalA); s != "withdrawn" {
		t.Errorf("proposal is %s", s)
	}

	if body := push(t, teamA, "milestones", "updated", `{"id":"`+at.MilestoneA+`","status":"done"}`); !strings.Contains(body, at.MilestoneA) {
		t.Errorf("sync: a milestone done without evidence was not rejected: %s", body)
	}
	code, body := teamA.Text(http.MethodPatch, milestones+"/"+at.MilestoneA, `{"status":"done","evidence_note":"样件检测合格"}`)
	if code != 200 || strings.Contains(body, `"done_at":""`) {
		t.Errorf("milestone done with a note: %d %s", code, body)
	}
	// The awarded team reports delivery by sync as by REST.
	if body := push(t, teamA, "challenges", "updated", `{"id":"`+at.ChallengeWorked+`","status":"delivered"}`); strings.Contains(body, at.ChallengeWorked) {
		t.Errorf("delivery by sync was rejected: %s", body)
	}
	if body := push(t, teamA, "challenges", "updated", `{"id":"`+at.ChallengeWorked+`","status":"accepted"}`); !strings.Contains(body, at.ChallengeWorked) {
		t.Errorf("acceptance by the team through sync was not rejected: %s", body)
	}
	if s := status(t, app, "challenges", at.ChallengeWorked); s != "delivered" {
		t.Errorf("challenge is %s", s)
	}
}

// TestAChallengeCarriesItsNeedAlong: a challenge made from a need publishes the need; its
// award claims it and its acceptance resolves it. The officer is the need's.
func TestAChallengeCarriesItsNeedAlong(t *testing.T) {
	app, as := serve(t)
	admin := as(at.Admin)
	code, body := admin.Text(http.MethodPost, challengesURL, `{"id":"FromNeedOpenB001","title":"模具设计","problem":"缺模具设计能力",
		"enterprise":"`+at.Enterprise+`","need":"`+at.NeedOpenB+`","status":"open"}`)
	if code != 200 || !strings.Contains(body, `"officer":"`+at.OfficerB+`"`) || strings.Contains(body, `"published_at":""`) {
		t.Fatalf("publish from a need: %d %s", code, body)
	}
	if s := status(t, app, "needs", at.NeedOpenB); s != "published" {
		t.Errorf("need is %s after publication", s)
	}
	code, body = as(at.ResearcherB).Text(http.MethodPost, proposals, `{"id":"MouldProposal001","challenge":"FromNeedOpenB001",
		"team":"`+at.TeamB+`","submitted_by":"`+at.ResearcherB+`","approach":"模流分析","status":"submitted"}`)
	if code != 200 {
		t.Fatalf("apply: %d %s", code, body)
	}
	// Officer B serves this enterprise's need: sees the proposal; officer A does not.
	if code, _ := as(at.OfficerB).Text(http.MethodGet, proposals+"/"+"MouldProposal001", ""); code != 200 {
		t.Errorf("the challenge's officer cannot see its proposal: %d", code)
	}
	if code, _ := as(at.OfficerA).Text(http.MethodGet, proposals+"/"+"MouldProposal001", ""); code != 404 {
		t.Errorf("another officer sees the proposal: %d", code)
	}
	for _, step := range []struct{ body, need string }{
		{`{"status":"awarded","awarded_proposal":"MouldProposal001","contract_value_wan":40}`, "claimed"},
		{`{"status":"in_progress"}`, "claimed"},
		{`{"status":"delivered"}`, "claimed"},
		{`{"status":"accepted"}`, "resolved"},
	} {
		if code, body := admin.Text(http.MethodPatch, challengesURL+"/"+"FromNeedOpenB001", step.body); code != 200 {
			t.Fatalf("%s: %d %s", step.body, code, body)
		}
		if s := status(t, app, "needs", at.NeedOpenB); s != step.need {
			t.Errorf("after %s the need is %s, want %s", step.body, s, step.need)
		}
	}
}
