package outbox

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
	"feidi/integrations/sharing"
)

// bindChallenges sends every move of a challenge — its publication included — to the sharing
// platform, in the transaction of the move.
func bindChallenges(app core.App, c Clients) {
	if c.Sharing == nil {
		return
	}
	onSave(app, "challenges", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
		from := ""
		if before != nil {
			from = before.GetString("status")
		}
		if from == e.Record.GetString("status") {
			return nil
		}
		return func(tx core.App) error {
			data, err := challengeData(tx, e.Record, from)
			if err != nil {
				return err
			}
			return Enqueue(tx, Message{Target: TargetSharing, Event: sharing.ChallengeMoved, Source: source(e.Record), Payload: data})
		}
	})
}

func challengeData(tx core.App, r *core.Record, from string) (sharing.Challenge, error) {
	ent, err := enterprise(tx, r.GetString("enterprise"))
	if err != nil {
		return sharing.Challenge{}, err
	}
	c := sharing.Challenge{ID: r.Id, Enterprise: ent, NeedID: r.GetString("need"), Title: r.GetString("title"),
		From: from, Status: r.GetString("status"), Reason: r.GetString("status_reason"),
		ContractValueWan: r.GetFloat("contract_value_wan")}
	if !r.GetBool("budget_private") {
		budget := r.GetFloat("budget_wan")
		c.BudgetWan = &budget
	}
	if d := r.GetDateTime("deadline"); !d.IsZero() {
		c.Deadline = tz.AsDay(d.Time()).Format(time.DateOnly)
	}
	if id := r.GetString("awarded_team"); id != "" {
		team, err := tx.FindRecordById("research_teams", id)
		if err != nil {
			return sharing.Challenge{}, err
		}
		c.AwardedTeam = &sharing.Team{ID: team.Id, Name: team.GetString("name"), Institution: team.GetString("institution")}
	}
	return c, nil
}
