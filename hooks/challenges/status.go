// Package challenges holds the challenge board (揭榜挂帅): the life of a challenge, its proposals
// and milestones as plain checks over records, bound to every save so that REST, the sync push,
// the admin UI and the seed pass through the same rules; the award, which decides every
// proposal in the challenge's transaction; and the board's read-only public feeds. Who may make
// a move is in the API rules (migrations/1764058700_challenges.go); what moves exist is here.
package challenges

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// Collection names of the board.
const (
	Challenges = "challenges"
	Proposals  = "proposals"
	Milestones = "milestones"
	Engineers  = "challenge_engineers"
	Teams      = "research_teams"
)

// Moves lists, for each status of a challenge, the statuses it may move to (itself included:
// an edit that keeps the status). accepted, withdrawn and failed are final.
var Moves = map[string][]string{
	"":            {"open"},
	"open":        {"open", "awarded", "withdrawn"},
	"awarded":     {"awarded", "in_progress", "withdrawn", "failed"},
	"in_progress": {"in_progress", "delivered", "failed"},
	"delivered":   {"delivered", "accepted", "in_progress", "failed"},
	"accepted":    {"accepted"},
	"withdrawn":   {"withdrawn"},
	"failed":      {"failed"},
}

// stamps are the fields that record when a challenge reached a status (server time).
var stamps = map[string]string{"open": "published_at", "awarded": "awarded_at", "in_progress": "started_at",
	"delivered": "delivered_at", "accepted": "accepted_at", "withdrawn": "closed_at", "failed": "closed_at"}

// working are the statuses in which the awarded team works and records milestones.
var working = []string{"awarded", "in_progress", "delivered"}

// CheckChallenge validates a challenge and its status move against its stored state; it fills
// in what follows from the record (the officer from its survey or need, the awarded team from
// the awarded proposal, the time of the move).
func CheckChallenge(app core.App, r *core.Record, now time.Time) error {
	old, from, to, err := move(app, r, Moves)
	if err != nil {
		return err
	}
	errs := validation.Errors{}
	if err := checkOrigin(app, r, errs); err != nil {
		return err
	}
	moved := from != to
	if moved && (to == "withdrawn" || to == "failed" || from == "delivered" && to == "in_progress") &&
		strings.TrimSpace(r.GetString("status_reason")) == "" {
		errs["status_reason"] = validation.NewError("challenge_reason_required", "Say why the challenge moves to "+to+".")
	}
	if old != nil && from != "open" {
		for _, f := range []string{"awarded_proposal", "awarded_team"} {
			if r.GetString(f) != old.GetString(f) {
				errs[f] = validation.NewError("challenge_award_fixed", "The award of this challenge is made; it cannot change.")
			}
		}
	}
	if to == "awarded" && moved {
		if err := checkAward(app, r, errs); err != nil {
			return err
		}
	} else if to == "open" && (r.GetString("awarded_proposal") != "" || r.GetString("awarded_team") != "") {
		errs["awarded_proposal"] = validation.NewError("challenge_award_by_status", "Award a challenge by moving it to awarded.")
	}
	if len(errs) > 0 {
		return errs
	}
	if moved {
		r.Set(stamps[to], now.UTC())
	}
	return nil
}

// checkOrigin checks that the survey and need a challenge came from are of its enterprise, and
// makes the officer who filed them the challenge's officer when none is named.
func checkOrigin(app core.App, r *core.Record, errs validation.Errors) error {
	enterprise := r.GetString("enterprise")
	for _, origin := range []struct{ field, collection, officer string }{{"survey", "surveys", "officer"}, {"need", "needs", "created_by"}} {
		id := r.GetString(origin.field)
		if id == "" {
			continue
		}
		o, err := app.FindRecordById(origin.collection, id)
		if isNotFound(err) {
			errs[origin.field] = validation.NewError("challenge_unknown_origin", "No such "+origin.field+".")
			continue
		}
		if err != nil {
			return err
		}
		if o.GetString("enterprise") != enterprise {
			errs[origin.field] = validation.NewError("challenge_origin_elsewhere", "This "+origin.field+" is of another enterprise.")
			continue
		}
		if r.GetString("officer") == "" {
			r.Set("officer", o.GetString(origin.officer))
		}
	}
	return nil
}

// checkAward checks the move to awarded: a submitted proposal of this challenge and the
// contract's value; the awarded team is the proposal's.
func checkAward(app core.App, r *core.Record, errs validation.Errors) error {
	if r.GetFloat("contract_value_wan") <= 0 {
		errs["contract_value_wan"] = validation.NewError("challenge_contract_value", "An award needs the contract's technology transaction value (万元).")
	}
	id := r.GetString("awarded_proposal")
	if id == "" {
		errs["awarded_proposal"] = validation.NewError("challenge_award_proposal", "Name the proposal that is awarded.")
		return nil
	}
	p, err := app.FindRecordById(Proposals, id)
	if isNotFound(err) || err == nil && p.GetString("challenge") != r.Id {
		errs["awarded_proposal"] = validation.NewError("challenge_award_proposal", "This proposal is not one of this challenge's.")
		return nil
	}
	if err != nil {
		return err
	}
	if p.GetString("status") != "submitted" {
		errs["awarded_proposal"] = validation.NewError("challenge_award_proposal", "This proposal is "+p.GetString("status")+", not submitted.")
		return nil
	}
	r.Set("awarded_team", p.GetString("team"))
	return nil
}

// proposalMoves lists where a proposal may go; awarded and declined are the admins' decision,
// withdrawn the team's; all three are final.
var proposalMoves = map[string][]string{
	"":          {"submitted"},
	"submitted": {"submitted", "awarded", "declined", "withdrawn"},
	"awarded":   {"awarded"},
	"declined":  {"declined"},
	"withdrawn": {"withdrawn"},
}

// CheckProposal validates a proposal: it is made for an open challenge by a member of its team,
// stays with its challenge and team, is awarded only through its challenge's award and is never
// declined without a reason.
func CheckProposal(app core.App, r *core.Record) error {
	old, from, to, err := move(app, r, proposalMoves)
	if err != nil {
		return err
	}
	errs := validation.Errors{}
	if old != nil {
		for _, f := range []string{"challenge", "team"} {
			if r.GetString(f) != old.GetString(f) {
				errs[f] = validation.NewError("proposal_fixed", "A proposal's "+f+" cannot change; submit a new proposal.")
			}
		}
	}
	challenge, err := app.FindRecordById(Challenges, r.GetString("challenge"))
	if err != nil && !isNotFound(err) {
		return err
	}
	switch {
	case challenge == nil:
		errs["challenge"] = validation.NewError("proposal_unknown_challenge", "No such challenge.")
	case old == nil && challenge.GetString("status") != "open":
		errs["challenge"] = validation.NewError("proposal_challenge_closed", "This challenge is "+challenge.GetString("status")+"; it takes no more proposals.")
	case to == "awarded" && from != to && challenge.GetString("awarded_proposal") != r.Id:
		errs["status"] = validation.NewError("proposal_award_by_challenge", "A proposal is awarded by awarding its challenge.")
	}
	if to == "declined" && strings.TrimSpace(r.GetString("decision_note")) == "" {
		errs["decision_note"] = validation.NewError("proposal_reason_required", "Tell the team why its proposal is declined.")
	}
	if old == nil || r.GetString("submitted_by") != old.GetString("submitted_by") {
		team, err := app.FindRecordById(Teams, r.GetString("team"))
		if err != nil && !isNotFound(err) {
			return err
		}
		if team == nil || !slices.Contains(team.GetStringSlice("members"), r.GetString("submitted_by")) {
			errs["submitted_by"] = validation.NewError("proposal_not_member", "A proposal is submitted by a member of its team.")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// CheckMilestone validates a milestone: it belongs to a challenge that is being worked on, and
// one marked done shows its evidence (a file or a note).
func CheckMilestone(app core.App, r *core.Record, now time.Time) error {
	old, err := stored(app, r)
	if err != nil {
		return err
	}
	errs := validation.Errors{}
	if old != nil && r.GetString("challenge") != old.GetString("challenge") {
		errs["challenge"] = validation.NewError("milestone_fixed", "A milestone stays with its challenge.")
	}
	challenge, err := app.FindRecordById(Challenges, r.GetString("challenge"))
	switch {
	case isNotFound(err):
		errs["challenge"] = validation.NewError("milestone_unknown_challenge", "No such challenge.")
	case err != nil:
		return err
	case !slices.Contains(working, challenge.GetString("status")):
		errs["challenge"] = validation.NewError("milestone_challenge_not_worked", "This challenge is "+challenge.GetString("status")+"; its milestones are closed.")
	}
	done := r.GetString("status") == "done"
	if done && len(r.GetStringSlice("evidence")) == 0 && strings.TrimSpace(r.GetString("evidence_note")) == "" {
		errs["evidence"] = validation.NewError("milestone_evidence_required", "A milestone is done with its evidence: a file or a note.")
	}
	if len(errs) > 0 {
		return errs
	}
	switch {
	case !done:
		r.Set("done_at", "")
	case old == nil || old.GetString("status") != "done":
		r.Set("done_at", now.UTC())
	}
	return nil
}

// move reads r's status move: its stored state (nil for a new record), the status it had and
// the one it is saved with, refused when moves do not allow it.
func move(app core.App, r *core.Record, moves map[string][]string) (old *core.Record, from, to string, err error) {
	if old, err = stored(app, r); err != nil {
		return nil, "", "", err
	}
	to = r.GetString("status")
	if old != nil {
		from = old.GetString("status")
	}
	if !slices.Contains(moves[from], to) {
		name := r.Collection().Name
		return nil, "", "", validation.Errors{"status": validation.NewError(strings.TrimSuffix(name, "s")+"_status_move",
			fmt.Sprintf("A %s cannot move from %q to %q.", strings.TrimSuffix(name, "s"), from, to))}
	}
	return old, from, to, nil
}

// stored is the record as it is in the database, nil for a new one.
func stored(app core.App, r *core.Record) (*core.Record, error) {
	if r.IsNew() {
		return nil, nil
	}
	s, err := app.FindRecordById(r.Collection(), r.Id)
	if isNotFound(err) {
		return nil, nil
	}
	return s, err
}

func isNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
