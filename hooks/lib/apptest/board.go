package apptest

import (
	"github.com/pocketbase/pocketbase/core"
)

// Fixture ids of the challenge board in the Enclave snapshot: two researchers in two teams, an
// open challenge with team A's proposal, and a challenge team A won and works on, with a
// milestone and engineer A linked to it. Officer A serves the enterprise of both.
const (
	ResearcherA      = "researcher0000a"
	ResearcherB      = "researcher0000b"
	TeamA            = "ResearchTeamA001"
	TeamB            = "ResearchTeamB001"
	TeamSpare        = "ResearchTeamC001" // applies to nothing, so it can be deleted
	ChallengeOpen    = "ChallengeOpen001"
	ChallengeWorked  = "ChallengeWork001" // awarded to team A, in progress
	ChallengeSpare   = "ChallengeOpen002" // open, with no proposals
	ProposalA        = "ProposalOfTeamA1" // team A's, on the open challenge
	ProposalWon      = "ProposalWonByA01" // team A's, awarded on the worked challenge
	ProposalLost     = "ProposalLostB001" // team B's, declined on the worked challenge
	MilestoneA       = "MilestoneWork001"
	ChallengeLinkA   = "ChallengeLinkA01" // engineer A works on the worked challenge
	ChallengeBudget  = 80                 // 万元, of the open challenge
	ContractValueWan = 65                 // 万元, of the worked challenge's award
)

func fillBoard(app core.App) error {
	return put(app, []step{
		{"users", ResearcherA, map[string]any{"email": "researcher.a@feidi.test", "name": "何静", "role": "research"}},
		{"users", ResearcherB, map[string]any{"email": "researcher.b@feidi.test", "name": "邓超", "role": "research"}},
		{"research_teams", TeamA, map[string]any{"name": "先进热处理课题组", "institution": "四川大学", "specialty": "热处理 表面工程", "members": []string{ResearcherA}}},
		{"research_teams", TeamB, map[string]any{"name": "精密模具实验室", "institution": "电子科技大学", "specialty": "模具设计", "members": []string{ResearcherB}}},
		{"research_teams", TeamSpare, map[string]any{"name": "低空飞行器团队", "institution": "西南交通大学"}},
		{"challenges", ChallengeOpen, map[string]any{"title": "五金件热处理变形控制", "problem": "淬火后变形超差，返工率高。",
			"budget_wan": ChallengeBudget, "enterprise": Enterprise, "survey": SurveySubmittedA, "status": "open"}},
		{"challenges", ChallengeWorked, map[string]any{"title": "刀剪刃口耐磨涂层", "problem": "刃口寿命短。", "budget_wan": 70,
			"budget_private": true, "enterprise": Enterprise, "officer": OfficerA, "status": "open"}},
		{"challenges", ChallengeSpare, map[string]any{"title": "共享检测平台", "problem": "缺少检测设备。", "enterprise": Enterprise, "officer": OfficerB, "status": "open"}},
		{"proposals", ProposalA, map[string]any{"challenge": ChallengeOpen, "team": TeamA, "submitted_by": ResearcherA,
			"approach": "分级淬火加回火工艺优化", "budget_wan": 60, "status": "submitted"}},
		{"proposals", ProposalWon, map[string]any{"challenge": ChallengeWorked, "team": TeamA, "submitted_by": ResearcherA,
			"approach": "PVD 涂层", "budget_wan": 65, "status": "submitted"}},
		{"proposals", ProposalLost, map[string]any{"challenge": ChallengeWorked, "team": TeamB, "submitted_by": ResearcherB,
			"approach": "激光熔覆", "budget_wan": 90, "status": "submitted"}},
		{"challenges", ChallengeWorked, map[string]any{"status": "awarded", "awarded_proposal": ProposalWon, "contract_value_wan": ContractValueWan}},
		{"challenges", ChallengeWorked, map[string]any{"status": "in_progress"}},
		{"milestones", MilestoneA, map[string]any{"challenge": ChallengeWorked, "title": "涂层样件", "status": "pending", "due_on": "2026-04-30 00:00:00.000Z"}},
		{"challenge_engineers", ChallengeLinkA, map[string]any{"challenge": ChallengeWorked, "engineer": EngineerRecA, "role": "驻厂工艺"}},
	})
}

// step is one write of a fixture: a record of collection with id (found and changed, or made
// with that id), or a new record when id is empty.
type step struct {
	collection, id string
	data           map[string]any
}

func put(app core.App, steps []step) error {
	for _, s := range steps {
		c, err := app.FindCachedCollectionByNameOrId(s.collection)
		if err != nil {
			return err
		}
		r, err := app.FindRecordById(c, s.id)
		if err != nil {
			r = core.NewRecord(c)
			if s.id != "" {
				r.Id = s.id
			}
		}
		r.Load(s.data)
		if c.IsAuth() {
			r.SetPassword(Password)
			r.SetVerified(true)
		}
		if err := app.Save(r); err != nil {
			return err
		}
	}
	return nil
}
