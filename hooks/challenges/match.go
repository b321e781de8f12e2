package challenges

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/match"
)

// Match is a candidate for a challenge (an engineer or a team), or an open challenge for a
// candidate, with its score (higher is better) and why, in words people read.
type Match struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Score float64  `json:"score"`
	Why   []string `json:"why"`
}

// The score of a match: the text's fit (1 for the best of its kind, by BM25 over specialty,
// past challenges and employer, see hooks/lib/match) plus these.
const (
	// EmployerBonus: the engineer is employed in Dazu by the challenge's enterprise.
	EmployerBonus = 0.3
	// PastBonus: per challenge of the same industry the candidate worked on or won, at most two.
	PastBonus = 0.2
)

// weights of the candidates' columns: what they know, what they did, where they work.
var candidateColumns = []match.Column{{Name: "specialty", Weight: 3}, {Name: "past", Weight: 2}, {Name: "employer", Weight: 1}}

// candidate is an engineer or a team as matching sees it.
type candidate struct {
	ID, Name, Specialty, Employer string
	DazuEmployer, DazuName        string // engineers only
	Past                          []past
}

// past is a challenge a candidate worked on (engineers, linked) or won (teams).
type past struct {
	Challenge string `db:"challenge"`
	Who       string `db:"who"`
	Title     string `db:"title"`
	Industry  string `db:"industry"`
}

func (c candidate) pastTitles(except string) string {
	var titles []string
	for _, p := range c.Past {
		if p.Challenge != except {
			titles = append(titles, p.Title)
		}
	}
	return strings.Join(titles, "；")
}

// sameIndustry lists the candidate's past challenges, other than except, in industry.
func (c candidate) sameIndustry(industry, except string) []past {
	var out []past
	for _, p := range c.Past {
		if p.Challenge != except && p.Industry == industry && industry != "" {
			out = append(out, p)
		}
	}
	return out
}

func loadCandidates(app core.App) (engineers, teams []candidate, err error) {
	var es []struct {
		ID           string `db:"id"`
		Name         string `db:"name"`
		Specialty    string `db:"specialty"`
		Chengdu      string `db:"chengdu_employer"`
		DazuEmployer string `db:"dazu_employer"`
		DazuName     string `db:"dazu_name"`
	}
	if err = app.DB().NewQuery(`SELECT e.id, e.name, e.specialty, e.chengdu_employer, e.dazu_employer,
		COALESCE(f.name, '') AS dazu_name FROM engineers e LEFT JOIN enterprises f ON f.id = e.dazu_employer
		ORDER BY e.name, e.id`).All(&es); err != nil {
		return nil, nil, err
	}
	var ts []struct {
		ID          string `db:"id"`
		Name        string `db:"name"`
		Institution string `db:"institution"`
		Specialty   string `db:"specialty"`
		Description string `db:"description"`
	}
	if err = app.DB().NewQuery(`SELECT id, name, institution, specialty, description FROM research_teams ORDER BY name, id`).All(&ts); err != nil {
		return nil, nil, err
	}
	var linked, won []past
	if err = app.DB().NewQuery(`SELECT l.engineer AS who, c.id AS challenge, c.title, f.industry FROM challenge_engineers l
		JOIN challenges c ON c.id = l.challenge JOIN enterprises f ON f.id = c.enterprise ORDER BY c.created, c.id`).All(&linked); err != nil {
		return nil, nil, err
	}
	if err = app.DB().NewQuery(`SELECT c.awarded_team AS who, c.id AS challenge, c.title, f.industry FROM challenges c
		JOIN enterprises f ON f.id = c.enterprise WHERE c.awarded_team != '' ORDER BY c.created, c.id`).All(&won); err != nil {
		return nil, nil, err
	}
	of := func(id string, ps []past) []past {
		var out []past
		for _, p := range ps {
			if p.Who == id {
				out = append(out, p)
			}
		}
		return out
	}
	for _, e := range es {
		engineers = append(engineers, candidate{ID: e.ID, Name: e.Name, Specialty: e.Specialty,
			Employer: strings.TrimSpace(e.Chengdu + " " + e.DazuName), DazuEmployer: e.DazuEmployer, DazuName: e.DazuName,
			Past: of(e.ID, linked)})
	}
	for _, t := range ts {
		teams = append(teams, candidate{ID: t.ID, Name: t.Name + "（" + t.Institution + "）",
			Specialty: strings.TrimSpace(t.Name + " " + t.Specialty + " " + t.Description), Employer: t.Institution,
			Past: of(t.ID, won)})
	}
	return engineers, teams, nil
}

// MatchChallenge ranks the engineers and the teams for the challenge, best first, at most limit
// of each.
func MatchChallenge(app core.App, challenge *core.Record, limit int) (engineers, teams []Match, err error) {
	es, ts, err := loadCandidates(app)
	if err != nil {
		return nil, nil, err
	}
	industry := ""
	if f, err := app.FindRecordById("enterprises", challenge.GetString("enterprise")); err == nil {
		industry = f.GetString("industry")
	}
	query := strings.Join([]string{challenge.GetString("title"), challenge.GetString("keywords"),
		challenge.GetString("problem"), challenge.GetString("solved_when")}, " ")
	rank := func(cs []candidate) ([]Match, error) {
		x, err := match.New(candidateColumns, match.Bigrams)
		if err != nil {
			return nil, err
		}
		defer x.Close()
		for _, c := range cs {
			if err := x.Add(c.ID, c.Specialty, c.pastTitles(challenge.Id), c.Employer); err != nil {
				return nil, err
			}
		}
		text, err := x.Scores(query)
		if err != nil {
			return nil, err
		}
		var out []Match
		for _, c := range cs {
			m := Match{ID: c.ID, Name: c.Name, Score: text[c.ID], Why: []string{}}
			if s := match.Shared(c.Specialty, query); len(s) > 0 {
				m.Why = append(m.Why, "专长相符："+strings.Join(s, "、"))
			}
			for _, p := range c.Past {
				if p.Challenge != challenge.Id && len(match.Shared(p.Title, query)) > 0 {
					m.Why = append(m.Why, "做过相近的榜："+p.Title)
				}
			}
			if c.DazuEmployer != "" && c.DazuEmployer == challenge.GetString("enterprise") {
				m.Score += EmployerBonus
				m.Why = append(m.Why, "在本榜企业任职："+c.DazuName)
			}
			for i, p := range c.sameIndustry(industry, challenge.Id) {
				if i < 2 {
					m.Score += PastBonus
				}
				m.Why = append(m.Why, "做过同行业的榜："+p.Title)
			}
			if m.Score > 0 {
				out = append(out, m)
			}
		}
		return best(out, limit), nil
	}
	if engineers, err = rank(es); err != nil {
		return nil, nil, err
	}
	teams, err = rank(ts)
	return engineers, teams, err
}

// MatchCandidate ranks the open challenges for an engineer (team false) or a team, best first,
// at most limit.
func MatchCandidate(app core.App, id string, team bool, limit int) ([]Match, error) {
	es, ts, err := loadCandidates(app)
	if err != nil {
		return nil, err
	}
	cs := es
	if team {
		cs = ts
	}
	i := slices.IndexFunc(cs, func(c candidate) bool { return c.ID == id })
	if i < 0 {
		return nil, nil
	}
	c := cs[i]
	var open []struct {
		ID         string `db:"id"`
		Title      string `db:"title"`
		Keywords   string `db:"keywords"`
		Problem    string `db:"problem"`
		Enterprise string `db:"enterprise"`
		Industry   string `db:"industry"`
	}
	if err := app.DB().NewQuery(`SELECT c.id, c.title, c.keywords, c.problem || ' ' || c.solved_when AS problem, c.enterprise,
		f.industry FROM challenges c JOIN enterprises f ON f.id = c.enterprise WHERE c.status = 'open' ORDER BY c.created, c.id`).All(&open); err != nil {
		return nil, err
	}
	x, err := match.New([]match.Column{{Name: "title", Weight: 3}, {Name: "keywords", Weight: 2}, {Name: "problem", Weight: 1}}, match.Bigrams)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	for _, o := range open {
		if err := x.Add(o.ID, o.Title, o.Keywords, o.Problem); err != nil {
			return nil, err
		}
	}
	query := c.Specialty + " " + c.pastTitles("")
	text, err := x.Scores(query)
	if err != nil {
		return nil, err
	}
	var out []Match
	for _, o := range open {
		m := Match{ID: o.ID, Name: o.Title, Score: text[o.ID], Why: []string{}}
		if s := match.Shared(o.Title+" "+o.Keywords+" "+o.Problem, query); len(s) > 0 {
			m.Why = append(m.Why, "与专长相符："+strings.Join(s, "、"))
		}
		if c.DazuEmployer != "" && c.DazuEmployer == o.Enterprise {
			m.Score += EmployerBonus
			m.Why = append(m.Why, "来自您任职的企业："+c.DazuName)
		}
		if n := len(c.sameIndustry(o.Industry, o.ID)); n > 0 {
			m.Score += PastBonus * float64(min(n, 2))
			m.Why = append(m.Why, "您做过同行业的榜")
		}
		if m.Score > 0 {
			out = append(out, m)
		}
	}
	return best(out, limit), nil
}

// best sorts matches best first (by name on a tie) and keeps at most limit.
func best(ms []Match, limit int) []Match {
	slices.SortStableFunc(ms, func(a, b Match) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Name, b.Name)) })
	if len(ms) > limit {
		ms = ms[:limit]
	}
	if ms == nil {
		ms = []Match{}
	}
	return ms
}
