package outbox_test

import (
	"encoding/json"
	"testing"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
	"feidi/integrations/sharing"
)

// TestEveryChallengeMoveReachesTheSharingPlatform: publication, award, work, delivery and
// acceptance are one event each, in order, delivered signed to the platform; a private budget
// is not sent, the awarded team is named and no person is.
func TestEveryChallengeMoveReachesTheSharingPlatform(t *testing.T) {
	app, rcv := newApp(t)
	ent := enterprise(t, app)
	researcher := user(t, app, "researcher@example.com", "research")
	team := newRecord(t, app, "research_teams", map[string]any{"name": "先进热处理课题组", "institution": "四川大学",
		"members": []string{researcher.Id}})
	c := newRecord(t, app, "challenges", map[string]any{"title": "热处理变形控制", "problem": "淬火变形",
		"budget_wan": 80, "budget_private": true, "enterprise": ent.Id, "status": "open"})
	p := newRecord(t, app, "proposals", map[string]any{"challenge": c.Id, "team": team.Id, "submitted_by": researcher.Id,
		"approach": "分级淬火", "status": "submitted"})
	c.Set("title", "热处理变形控制（修订）")
	apptest.Save(t, app, c) // an edit that is no move sends nothing
	c.Set("status", "awarded")
	c.Set("awarded_proposal", p.Id)
	c.Set("contract_value_wan", 65)
	apptest.Save(t, app, c)
	for _, s := range []string{"in_progress", "delivered", "accepted"} {
		c.Set("status", s)
		apptest.Save(t, app, c)
	}

	var moves []string
	for _, row := range rows(t, app) {
		if row.GetString("event") != sharing.ChallengeMoved {
			continue
		}
		d := payload[sharing.Challenge](t, row)
		moves = append(moves, d.From+">"+d.Status)
		if d.BudgetWan != nil || d.Enterprise.USCC != "91350100M000100Y43" {
			t.Errorf("payload %+v", d)
		}
		if d.Status != "open" && (d.AwardedTeam == nil || d.AwardedTeam.Name != "先进热处理课题组" || d.ContractValueWan != 65) {
			t.Errorf("payload after the award %+v", d)
		}
	}
	want := []string{">open", "open>awarded", "awarded>in_progress", "in_progress>delivered", "delivered>accepted"}
	if len(moves) != len(want) {
		t.Fatalf("moves %v, want %v", moves, want)
	}
	for i := range want {
		if moves[i] != want[i] {
			t.Fatalf("moves %v, want %v", moves, want)
		}
	}

	w, _ := newWorker(t, app, rcv)
	if n := tick(t, w, outbox.TargetSharing); n != len(want) {
		t.Fatalf("%d attempts, want %d", n, len(want))
	}
	var keys []string
	for _, row := range rows(t, app) {
		keys = append(keys, row.GetString("idempotency_key"))
	}
	assertDeliveredOnce(t, rcv.sharing, keys...)
	var env sharing.Envelope
	var last sharing.Challenge
	if err := json.Unmarshal(rcv.sharing.Applied()[len(want)-1].Body, &env); err != nil || env.Type != sharing.ChallengeMoved ||
		json.Unmarshal(env.Data, &last) != nil || last.ID != c.Id || last.Status != "accepted" {
		t.Fatalf("envelope %+v, data %+v", env, last)
	}
}
