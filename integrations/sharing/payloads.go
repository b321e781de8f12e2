package sharing

import "encoding/json"

// Enterprise names a Dazu firm by its record id and Unified Social Credit Code.
type Enterprise struct {
	ID       string `json:"id"`
	USCC     string `json:"uscc"`
	Name     string `json:"name"`
	Industry string `json:"industry,omitempty"`
	Park     string `json:"park,omitempty"`
}

// Survey is the data of survey.submitted: a field officer's needs survey (企业需求动态摸排) as
// submitted. The officer is not named.
type Survey struct {
	ID          string          `json:"id"`
	Enterprise  Enterprise      `json:"enterprise"`
	FormCode    string          `json:"form_code"`
	FormVersion int             `json:"form_version"`
	VisitedAt   string          `json:"visited_at,omitempty"` // RFC 3339, as the device reported it
	Answers     json.RawMessage `json:"answers"`
}

// Need is the data of need.published and need.resolved: an enterprise need posted as an open
// challenge (揭榜挂帅) and its outcome.
type Need struct {
	ID          string     `json:"id"`
	Enterprise  Enterprise `json:"enterprise"`
	SurveyID    string     `json:"survey_id,omitempty"`
	Category    string     `json:"category"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	BudgetWan   float64    `json:"budget_wan"`         // 10k yuan
	Deadline    string     `json:"deadline,omitempty"` // YYYY-MM-DD
	Status      string     `json:"status"`
}

// Trips is the data of trips.daily: the cross-city trips of one Shanghai calendar day, counted
// per Dazu enterprise that employs the engineers. Counts and hours only, no person.
type Trips struct {
	Day         string           `json:"day"` // YYYY-MM-DD in Asia/Shanghai
	Enterprises []EnterpriseTrip `json:"enterprises"`
}

// EnterpriseTrip is one enterprise's line of Trips.
type EnterpriseTrip struct {
	Enterprise Enterprise `json:"enterprise"`
	Trips      int        `json:"trips"`
	ToDazu     int        `json:"to_dazu"`
	ToChengdu  int        `json:"to_chengdu"`
	Hours      float64    `json:"hours"` // door-to-door travel time, summed, rounded to 0.01 h
}

// Challenge is the data of challenge.changed: a challenge of the board (揭榜挂帅) that was
// published or moved to another status. Teams are named; people are not.
type Challenge struct {
	ID               string     `json:"id"`
	Enterprise       Enterprise `json:"enterprise"`
	NeedID           string     `json:"need_id,omitempty"`
	Title            string     `json:"title"`
	From             string     `json:"from,omitempty"` // the status before; empty when published
	Status           string     `json:"status"`
	Reason           string     `json:"reason,omitempty"`
	BudgetWan        *float64   `json:"budget_wan,omitempty"` // 10k yuan; absent when the admins keep it private
	ContractValueWan float64    `json:"contract_value_wan,omitempty"`
	AwardedTeam      *Team      `json:"awarded_team,omitempty"`
	Deadline         string     `json:"deadline,omitempty"` // YYYY-MM-DD
}

// Team is a research team of a Chengdu institution.
type Team struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Institution string `json:"institution"`
}

// Indicators is the data of indicators.monthly: the enclave's figures of one month per park and
// industry (docs/indicators.md), with the challenges and enterprises they came from. No person.
type Indicators struct {
	Month  string           `json:"month"` // YYYY-MM, Asia/Shanghai
	Groups []IndicatorGroup `json:"groups"`
}

// IndicatorGroup is one park and industry of Indicators.
type IndicatorGroup struct {
	Park                string   `json:"park"`
	Industry            string   `json:"industry"`
	RDSpendWan          float64  `json:"rd_spend_wan"`
	RevenueWan          float64  `json:"revenue_wan"`
	RDIntensityPct      *float64 `json:"rd_intensity_pct"`
	TransactionValueWan float64  `json:"transaction_value_wan"`
	Published           int      `json:"challenges_published"`
	Awarded             int      `json:"challenges_awarded"`
	Accepted            int      `json:"challenges_accepted"`
	DazuDays            int      `json:"dazu_days"`
	Trips               int      `json:"trips"`
	ChainMultiplier     *float64 `json:"chain_multiplier"`
	SurveyedEnterprises []string `json:"surveyed_enterprises"` // ids of the R&D rows
	AwardedChallenges   []string `json:"awarded_challenges"`
}
