package challenges

import (
	"context"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// needFollows is what the need a challenge came from becomes when the challenge moves: the
// needs' own statuses (and their events to the sharing platform) follow the board.
var needFollows = map[string]struct {
	from []string
	to   string
}{
	"open":     {[]string{"open"}, "published"},
	"awarded":  {[]string{"open", "published"}, "claimed"},
	"accepted": {[]string{"open", "published", "claimed"}, "resolved"},
}

// afterMove writes, in the challenge's transaction, what its move decides for others: on an
// award every submitted proposal is awarded or declined, each told why; a challenge withdrawn
// while open declines them with its reason; the need follows. ctx is the save's (the seed's
// marks that nothing is delivered).
func afterMove(ctx context.Context, tx core.App, before, r *core.Record) error {
	from, to := "", r.GetString("status")
	if before != nil {
		from = before.GetString("status")
	}
	if from == to {
		return nil
	}
	var decide func(p *core.Record)
	switch {
	case to == "awarded":
		team, err := tx.FindRecordById(Teams, r.GetString("awarded_team"))
		if err != nil {
			return err
		}
		decide = func(p *core.Record) {
			if p.Id == r.GetString("awarded_proposal") {
				p.Set("status", "awarded")
				if p.GetString("decision_note") == "" {
					p.Set("decision_note", "中标。")
				}
				return
			}
			p.Set("status", "declined")
			if p.GetString("decision_note") == "" {
				p.Set("decision_note", "未中标：本榜已授予「"+team.GetString("name")+"」（"+team.GetString("institution")+"）的方案。")
			}
		}
	case from == "open":
		decide = func(p *core.Record) {
			p.Set("status", "declined")
			if p.GetString("decision_note") == "" {
				p.Set("decision_note", "榜单已关闭："+r.GetString("status_reason"))
			}
		}
	}
	if decide != nil {
		submitted, err := tx.FindRecordsByFilter(Proposals, "challenge = {:c} && status = 'submitted'", "created", 0, 0,
			dbx.Params{"c": r.Id})
		if err != nil {
			return err
		}
		for _, p := range submitted {
			decide(p)
			if err := tx.SaveWithContext(ctx, p); err != nil {
				return err
			}
		}
	}
	follow, ok := needFollows[to]
	if !ok || r.GetString("need") == "" {
		return nil
	}
	need, err := tx.FindRecordById("needs", r.GetString("need"))
	if err != nil {
		return err
	}
	if !slices.Contains(follow.from, need.GetString("status")) {
		return nil
	}
	need.Set("status", follow.to)
	return tx.SaveWithContext(ctx, need)
}
