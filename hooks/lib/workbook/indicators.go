package workbook

import (
	"cmp"
	"slices"
	"time"

	"github.com/pocketbase/dbx"

	"feidi/hooks/lib/presence"
	"feidi/hooks/lib/tz"
)

// Indicators are the enclave's figures (docs/indicators.md defines each) for a period, per
// month, park and industry, each with the rows it came from.
type Indicators struct {
	From   string           `json:"from"` // YYYY-MM
	To     string           `json:"to"`
	Groups []IndicatorGroup `json:"groups"`
}

// IndicatorGroup is one month, park and industry: its figures and their rows. Park and
// industry are the enterprise's (for engineers: their Dazu employer's); empty when not recorded.
type IndicatorGroup struct {
	Month               string        `json:"month"` // YYYY-MM
	Park                string        `json:"park"`
	Industry            string        `json:"industry"`
	RDSpendWan          float64       `json:"rd_spend_wan"`
	RevenueWan          float64       `json:"revenue_wan"`
	RDIntensityPct      *float64      `json:"rd_intensity_pct"` // null without revenue
	TransactionValueWan float64       `json:"transaction_value_wan"`
	Published           int           `json:"challenges_published"`
	Awarded             int           `json:"challenges_awarded"`
	Accepted            int           `json:"challenges_accepted"`
	DazuDays            int           `json:"dazu_days"`
	Trips               int           `json:"trips"`
	ChainMultiplier     *float64      `json:"chain_multiplier"` // null without awards
	Rows                IndicatorRows `json:"rows"`
}

// IndicatorRows are the rows a group's figures are added up from.
type IndicatorRows struct {
	RD        []RDRow        `json:"rd"`        // R&D spend, revenue and intensity
	Published []ChallengeRow `json:"published"` // challenges published
	Awarded   []ChallengeRow `json:"awarded"`   // challenges awarded and the transaction value
	Accepted  []ChallengeRow `json:"accepted"`  // challenges accepted
	Engineers []EngineerRow  `json:"engineers"` // Dazu days and trips
	Chain     []ChainRow     `json:"chain"`     // the industrial-chain multiplier
}

// RDRow is a surveyed enterprise: its R&D spend and revenue as recorded, and the surveys
// that make it count in the month.
type RDRow struct {
	Enterprise string   `json:"enterprise"`
	Name       string   `json:"name"`
	Surveys    []string `json:"surveys"`
	RDSpendWan float64  `json:"rd_spend_wan"`
	RevenueWan float64  `json:"revenue_wan"`
}

// ChallengeRow is a challenge that reached a status in the month.
type ChallengeRow struct {
	Challenge        string    `json:"challenge"`
	Title            string    `json:"title"`
	Enterprise       string    `json:"enterprise"`
	At               time.Time `json:"at"`
	ContractValueWan float64   `json:"contract_value_wan"`
}

// EngineerRow is an engineer's Dazu days and trips in the month.
type EngineerRow struct {
	Engineer string   `json:"engineer"`
	Name     string   `json:"name"`
	Employer string   `json:"employer"`  // the Dazu enterprise
	DazuDays []string `json:"dazu_days"` // YYYY-MM-DD, Shanghai
	Trips    []string `json:"trips"`     // commute log ids
}

// ChainRow is an awarded challenge and the Dazu enterprises it reaches: its own and the Dazu
// employers of the engineers linked to it.
type ChainRow struct {
	Challenge   string   `json:"challenge"`
	Title       string   `json:"title"`
	Enterprises []string `json:"enterprises"`
}

type firm struct {
	ID       string  `db:"id"`
	Name     string  `db:"name"`
	Park     string  `db:"park"`
	Industry string  `db:"industry"`
	RD       float64 `db:"rd_spend_wan"`
	Revenue  float64 `db:"annual_revenue_wan"`
}

// indicatorRun is one computation of Indicators.
type indicatorRun struct {
	db     dbx.Builder
	period Period
	firms  map[string]firm
	groups map[[3]string]*IndicatorGroup
}

// ComputeIndicators computes the indicators of the period from one snapshot of the rows db
// holds (see snapshot); groups without a figure are left out. It holds what it lists in
// memory: the enclave's surveys, challenges and one period's trips are thousands, not millions.
func ComputeIndicators(db dbx.Builder, p Period) (Indicators, error) {
	x := &indicatorRun{period: p, firms: map[string]firm{}, groups: map[[3]string]*IndicatorGroup{}}
	err := snapshot(db, func(db dbx.Builder) error {
		x.db = db
		var firms []firm
		if err := db.NewQuery(`SELECT id, name, park, industry, rd_spend_wan, annual_revenue_wan FROM enterprises`).All(&firms); err != nil {
			return err
		}
		for _, f := range firms {
			x.firms[f.ID] = f
		}
		for _, step := range []func() error{x.surveyed, x.challenges, x.engineers} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Indicators{}, err
	}
	out := Indicators{From: p.From.Format(monthLayout), To: p.To.Format(monthLayout), Groups: []IndicatorGroup{}}
	for _, g := range x.groups {
		if g.RevenueWan > 0 {
			pct := g.RDSpendWan / g.RevenueWan * 100
			g.RDIntensityPct = &pct
		}
		if n := len(g.Rows.Chain); n > 0 {
			reach := 0
			for _, c := range g.Rows.Chain {
				reach += len(c.Enterprises)
			}
			m := float64(reach) / float64(n)
			g.ChainMultiplier = &m
		}
		out.Groups = append(out.Groups, *g)
	}
	slices.SortFunc(out.Groups, func(a, b IndicatorGroup) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Park, b.Park), cmp.Compare(a.Industry, b.Industry))
	})
	return out, nil
}

// group is the group of the month of day (a date at 00:00 UTC) for enterprise, or nil outside
// the period.
func (x *indicatorRun) group(day time.Time, enterprise string) *IndicatorGroup {
	i := x.period.monthIndex(day)
	if i < 0 {
		return nil
	}
	f := x.firms[enterprise]
	k := [3]string{x.period.month(i).Format(monthLayout), f.Park, f.Industry}
	g := x.groups[k]
	if g == nil {
		g = &IndicatorGroup{Month: k[0], Park: k[1], Industry: k[2]}
		x.groups[k] = g
	}
	return g
}

// surveyed: an enterprise counts in a month for R&D intensity when one of its surveys was
// submitted or reviewed with its visit in that month (or, without a visit time, made then).
func (x *indicatorRun) surveyed() error {
	var surveys []struct {
		ID         string `db:"id"`
		Enterprise string `db:"enterprise"`
		At         string `db:"at"`
	}
	err := x.db.NewQuery(`SELECT id, enterprise, CASE WHEN visited_at != '' THEN visited_at ELSE created END AS at
		FROM surveys WHERE status IN ('submitted', 'reviewed') ORDER BY at, id`).All(&surveys)
	if err != nil {
		return err
	}
	for _, s := range surveys {
		f := x.firms[s.Enterprise]
		if f.Revenue <= 0 {
			continue // no revenue recorded: no intensity to weigh
		}
		g := x.group(tz.Day(parseDate(s.At)), s.Enterprise)
		if g == nil {
			continue
		}
		i := slices.IndexFunc(g.Rows.RD, func(r RDRow) bool { return r.Enterprise == s.Enterprise })
		if i < 0 {
			g.Rows.RD = append(g.Rows.RD, RDRow{Enterprise: f.ID, Name: f.Name, RDSpendWan: f.RD, RevenueWan: f.Revenue})
			g.RDSpendWan += f.RD
			g.RevenueWan += f.Revenue
			i = len(g.Rows.RD) - 1
		}
		g.Rows.RD[i].Surveys = append(g.Rows.RD[i].Surveys, s.ID)
	}
	return nil
}

// challenges: publication, award (with the contract's value and the chain it reaches) and
// acceptance each count in the month the challenge reached that status.
func (x *indicatorRun) challenges() error {
	var cs []struct {
		ID         string  `db:"id"`
		Title      string  `db:"title"`
		Enterprise string  `db:"enterprise"`
		Published  string  `db:"published_at"`
		Awarded    string  `db:"awarded_at"`
		Accepted   string  `db:"accepted_at"`
		Value      float64 `db:"contract_value_wan"`
	}
	err := x.db.NewQuery(`SELECT id, title, enterprise, published_at, awarded_at, accepted_at, contract_value_wan
		FROM challenges ORDER BY created, id`).All(&cs)
	if err != nil {
		return err
	}
	var links []struct {
		Challenge string `db:"challenge"`
		Employer  string `db:"dazu_employer"`
	}
	err = x.db.NewQuery(`SELECT l.challenge, e.dazu_employer FROM challenge_engineers l JOIN engineers e ON e.id = l.engineer
		WHERE e.dazu_employer != '' ORDER BY l.challenge, e.dazu_employer`).All(&links)
	if err != nil {
		return err
	}
	for _, c := range cs {
		row := func(at string) (*IndicatorGroup, ChallengeRow) {
			if at == "" {
				return nil, ChallengeRow{}
			}
			t := parseDate(at)
			return x.group(tz.Day(t), c.Enterprise), ChallengeRow{Challenge: c.ID, Title: c.Title, Enterprise: c.Enterprise,
				At: t, ContractValueWan: c.Value}
		}
		if g, r := row(c.Published); g != nil {
			g.Published++
			g.Rows.Published = append(g.Rows.Published, r)
		}
		if g, r := row(c.Accepted); g != nil {
			g.Accepted++
			g.Rows.Accepted = append(g.Rows.Accepted, r)
		}
		g, r := row(c.Awarded)
		if g == nil {
			continue
		}
		g.Awarded++
		g.TransactionValueWan += c.Value
		g.Rows.Awarded = append(g.Rows.Awarded, r)
		reach := []string{c.Enterprise}
		for _, l := range links {
			if l.Challenge == c.ID && !slices.Contains(reach, l.Employer) {
				reach = append(reach, l.Employer)
			}
		}
		g.Rows.Chain = append(g.Rows.Chain, ChainRow{Challenge: c.ID, Title: c.Title, Enterprises: reach})
	}
	return nil
}

// engineers: the Dazu days (the day rule of package presence, as in the cohort workbook) and
// cross-city trips of every engineer with a Dazu employer, counted for that employer's group.
func (x *indicatorRun) engineers() error {
	var engineers []struct {
		ID       string `db:"id"`
		Name     string `db:"name"`
		Employer string `db:"dazu_employer"`
	}
	if err := x.db.NewQuery(`SELECT id, name, dazu_employer FROM engineers WHERE dazu_employer != '' ORDER BY name, id`).All(&engineers); err != nil {
		return err
	}
	params := dbx.Params{}
	x.period.bind(params)
	for _, e := range engineers {
		params["engineer"] = e.ID
		var trips []trip
		if err := x.db.NewQuery(`SELECT id, from_city, to_city, depart_at, arrive_at FROM commute_logs
			WHERE engineer = {:engineer} AND depart_at >= {:start} AND depart_at < {:end} ORDER BY depart_at, id`).Bind(params).All(&trips); err != nil {
			return err
		}
		var entries []entry
		if err := x.db.NewQuery(`SELECT id, city, kind, starts_at FROM schedules
			WHERE engineer = {:engineer} AND starts_at >= {:start} AND starts_at < {:end} ORDER BY starts_at, id`).Bind(params).All(&entries); err != nil {
			return err
		}
		rows := map[*IndicatorGroup]*EngineerRow{}
		at := func(day time.Time) *EngineerRow {
			g := x.group(day, e.Employer)
			if g == nil {
				return nil
			}
			if rows[g] == nil {
				g.Rows.Engineers = append(g.Rows.Engineers, EngineerRow{Engineer: e.ID, Name: e.Name, Employer: e.Employer})
				rows[g] = &g.Rows.Engineers[len(g.Rows.Engineers)-1]
			}
			return rows[g]
		}
		var marks []presence.Mark
		for _, t := range trips {
			m := presence.OfTrip(t.From, t.To, parseDate(t.DepartAt), parseDate(t.ArriveAt))
			if r := at(m[0].Day); r != nil {
				r.Trips = append(r.Trips, t.ID)
			}
			marks = append(marks, m[:]...)
		}
		for _, en := range entries {
			if m, ok := presence.OfEntry(en.City, en.Kind, parseDate(en.StartsAt)); ok {
				marks = append(marks, m)
			}
		}
		for _, m := range marks {
			if m.City != "dazu" {
				continue
			}
			if r := at(m.Day); r != nil && !slices.Contains(r.DazuDays, m.Day.Format(time.DateOnly)) {
				r.DazuDays = append(r.DazuDays, m.Day.Format(time.DateOnly))
			}
		}
		for g, r := range rows {
			slices.Sort(r.DazuDays)
			g.DazuDays += len(r.DazuDays)
			g.Trips += len(r.Trips)
		}
	}
	return nil
}
