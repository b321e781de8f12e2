package challenges

import (
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/geo"
	"feidi/hooks/lib/tz"
)

// PublicChallenge is a challenge as anyone may see it: no person, no budget an admin keeps
// private, nothing of the proposals but how many there are.
type PublicChallenge struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Problem     string      `json:"problem"`
	SolvedWhen  string      `json:"solved_when,omitempty"`
	Status      string      `json:"status"`
	BudgetWan   *float64    `json:"budget_wan,omitempty"`
	Deadline    string      `json:"deadline,omitempty"` // YYYY-MM-DD, Asia/Shanghai
	PublishedAt string      `json:"published_at,omitempty"`
	Enterprise  PublicFirm  `json:"enterprise"`
	AwardedTeam *PublicTeam `json:"awarded_team,omitempty"`
	Proposals   int         `json:"proposals"`
	location    *types.GeoPoint
}

// PublicFirm is an enterprise as the public board names it.
type PublicFirm struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Industry string `json:"industry"`
	Park     string `json:"park,omitempty"`
	Town     string `json:"town,omitempty"`
}

// PublicTeam is the team that took a challenge.
type PublicTeam struct {
	Name        string `json:"name"`
	Institution string `json:"institution"`
}

type boardRow struct {
	ID          string  `db:"id"`
	Title       string  `db:"title"`
	Problem     string  `db:"problem"`
	SolvedWhen  string  `db:"solved_when"`
	Status      string  `db:"status"`
	Budget      float64 `db:"budget_wan"`
	Private     bool    `db:"budget_private"`
	Deadline    string  `db:"deadline"`
	PublishedAt string  `db:"published_at"`
	Firm        string  `db:"enterprise"`
	FirmName    string  `db:"firm_name"`
	Industry    string  `db:"industry"`
	Park        string  `db:"park"`
	Town        string  `db:"town"`
	Location    string  `db:"location"`
	TeamName    string  `db:"team_name"`
	Institution string  `db:"institution"`
	Proposals   int     `db:"proposals"`
}

// Board returns the public board, newest first: the challenges open and those taken up.
// Withdrawn and failed ones are not shown: their reasons are the enclave's business.
func Board(app core.App) ([]PublicChallenge, error) {
	var rows []boardRow
	err := app.DB().NewQuery(`SELECT c.id, c.title, c.problem, c.solved_when, c.status, c.budget_wan, c.budget_private,
		c.deadline, c.published_at, c.enterprise, f.name AS firm_name, f.industry, f.park, f.town, f.location,
		COALESCE(t.name, '') AS team_name, COALESCE(t.institution, '') AS institution,
		(SELECT COUNT(*) FROM proposals p WHERE p.challenge = c.id) AS proposals
		FROM challenges c JOIN enterprises f ON f.id = c.enterprise LEFT JOIN research_teams t ON t.id = c.awarded_team
		WHERE c.status NOT IN ('withdrawn', 'failed') ORDER BY c.published_at DESC, c.id`).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]PublicChallenge, 0, len(rows))
	for _, r := range rows {
		c := PublicChallenge{ID: r.ID, Title: r.Title, Problem: r.Problem, SolvedWhen: r.SolvedWhen, Status: r.Status,
			Enterprise: PublicFirm{ID: r.Firm, Name: r.FirmName, Industry: r.Industry, Park: r.Park, Town: r.Town},
			Proposals:  r.Proposals, location: point(r.Location)}
		if !r.Private {
			budget := r.Budget
			c.BudgetWan = &budget
		}
		if r.Deadline != "" {
			if d, err := types.ParseDateTime(r.Deadline); err == nil {
				c.Deadline = tz.AsDay(d.Time()).Format(time.DateOnly)
			}
		}
		if r.PublishedAt != "" {
			if d, err := types.ParseDateTime(r.PublishedAt); err == nil {
				c.PublishedAt = d.Time().UTC().Format(time.RFC3339)
			}
		}
		if r.TeamName != "" {
			c.AwardedTeam = &PublicTeam{Name: r.TeamName, Institution: r.Institution}
		}
		out = append(out, c)
	}
	return out, nil
}

// point reads a stored geoPoint; nil when none was recorded (PocketBase stores 0,0 then).
func point(raw string) *types.GeoPoint {
	var p types.GeoPoint
	if raw == "" || json.Unmarshal([]byte(raw), &p) != nil || p.Lon == 0 && p.Lat == 0 {
		return nil
	}
	return &p
}

func publicBoard(e *core.RequestEvent) error {
	board, err := Board(e.App)
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "public, max-age=60")
	return e.JSON(http.StatusOK, map[string]any{"challenges": board})
}

// Feature is a GeoJSON feature (RFC 7946) of a point.
type Feature struct {
	Type       string         `json:"type"` // "Feature"
	ID         string         `json:"id"`
	Geometry   Point          `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// Point is a GeoJSON point: [longitude, latitude] in WGS-84.
type Point struct {
	Type        string     `json:"type"` // "Point"
	Coordinates [2]float64 `json:"coordinates"`
}

// Map returns the public map: every surveyed enterprise (a survey submitted or reviewed) and
// every open challenge: an enterprise at its location (or, without one, its latest survey's), a
// challenge at its enterprise's.
// The officers record them with phones, whose map SDKs give GCJ-02: they are converted to
// WGS-84 (hooks/lib/geo) and rounded to 6 decimals (about 0.1 m).
func Map(app core.App) ([]Feature, error) {
	var firms []struct {
		ID       string `db:"id"`
		Name     string `db:"name"`
		Industry string `db:"industry"`
		Park     string `db:"park"`
		Town     string `db:"town"`
		Location string `db:"location"`
		Survey   string `db:"survey_location"`
	}
	err := app.DB().NewQuery(`SELECT f.id, f.name, f.industry, f.park, f.town, f.location,
		(SELECT s.location FROM surveys s WHERE s.enterprise = f.id AND s.status IN ('submitted', 'reviewed')
			ORDER BY s.visited_at DESC, s.created DESC LIMIT 1) AS survey_location
		FROM enterprises f WHERE EXISTS (SELECT 1 FROM surveys s WHERE s.enterprise = f.id AND s.status IN ('submitted', 'reviewed'))
		ORDER BY f.name, f.id`).All(&firms)
	if err != nil {
		return nil, err
	}
	board, err := Board(app)
	if err != nil {
		return nil, err
	}
	open := map[string]int{}
	for _, c := range board {
		if c.Status == "open" {
			open[c.Enterprise.ID]++
		}
	}
	features := []Feature{}
	for _, f := range firms {
		p := point(f.Location)
		if p == nil {
			p = point(f.Survey)
		}
		if p == nil {
			continue
		}
		features = append(features, Feature{Type: "Feature", ID: "enterprise/" + f.ID, Geometry: wgs84(p),
			Properties: map[string]any{"kind": "enterprise", "name": f.Name, "industry": f.Industry, "park": f.Park,
				"town": f.Town, "open_challenges": open[f.ID]}})
	}
	for _, c := range board {
		if c.Status != "open" || c.location == nil {
			continue
		}
		props := map[string]any{"kind": "challenge", "title": c.Title, "enterprise": c.Enterprise.Name,
			"industry": c.Enterprise.Industry, "proposals": c.Proposals}
		if c.BudgetWan != nil {
			props["budget_wan"] = *c.BudgetWan
		}
		if c.Deadline != "" {
			props["deadline"] = c.Deadline
		}
		features = append(features, Feature{Type: "Feature", ID: "challenge/" + c.ID, Geometry: wgs84(c.location), Properties: props})
	}
	return features, nil
}

func wgs84(p *types.GeoPoint) Point {
	lon, lat := geo.GCJ02ToWGS84(p.Lon, p.Lat)
	round := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	return Point{Type: "Point", Coordinates: [2]float64{round(lon), round(lat)}}
}

func publicMap(e *core.RequestEvent) error {
	features, err := Map(e.App)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
	if err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "public, max-age=60")
	return e.Blob(http.StatusOK, "application/geo+json", body)
}
