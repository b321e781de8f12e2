package apptest

import (
	"github.com/pocketbase/pocketbase/core"
)

// Indicators is the Enclave with what the enclave's indicators read: the enterprises' R&D and
// revenue, survey visits on both sides of a Shanghai month end, the board's challenges moved at
// fixed times (February to April 2026), and engineer B employed in Dazu by the spare
// enterprise and linked to the worked challenge.
var Indicators = Enclave.Then(fillIndicators)

func fillIndicators(app core.App) error {
	form, err := PublishedFormID(app)
	if err != nil {
		return err
	}
	survey := func(enterprise, visited string) map[string]any {
		return map[string]any{"enterprise": enterprise, "form": form, "officer": OfficerA, "status": "submitted",
			"answers": MinimalAnswers, "visited_at": visited}
	}
	return put(app, []step{
		{"enterprises", Enterprise, map[string]any{"rd_spend_wan": 120, "annual_revenue_wan": 4000}},
		{"enterprises", EnterpriseSpare, map[string]any{"rd_spend_wan": 50, "annual_revenue_wan": 1000, "park": "dazu_hitech"}},
		{"surveys", SurveySubmittedA, map[string]any{"visited_at": "2026-03-10 02:00:00.000Z"}},
		{"surveys", "", survey(EnterpriseSpare, "2026-03-31 15:30:00.000Z")}, // 23:30 on 31 March in Shanghai
		{"surveys", "", survey(Enterprise, "2026-03-31 16:10:00.000Z")},      // 00:10 on 1 April in Shanghai
		{"engineers", EngineerRecB, map[string]any{"dazu_employer": EnterpriseSpare}},
		{"challenge_engineers", "", map[string]any{"challenge": ChallengeWorked, "engineer": EngineerRecB}},
		{"challenges", ChallengeWorked, map[string]any{"status": "delivered"}},
		{"challenges", ChallengeWorked, map[string]any{"status": "accepted"}},
		// The moves were stamped with the server's clock; these saves move nothing and set the
		// times that count.
		{"challenges", ChallengeWorked, map[string]any{"published_at": "2026-02-20 04:00:00.000Z",
			"awarded_at": "2026-03-05 02:00:00.000Z", "accepted_at": "2026-04-20 08:00:00.000Z"}},
		{"challenges", ChallengeOpen, map[string]any{"published_at": "2026-01-15 02:00:00.000Z"}},
		{"challenges", ChallengeSpare, map[string]any{"published_at": "2026-03-31 16:30:00.000Z"}}, // 1 April in Shanghai
	})
}
