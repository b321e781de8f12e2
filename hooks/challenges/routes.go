package challenges

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// bindRoutes binds the board's own endpoints: matching for those who decide, and the public
// read-only board and map (no login).
func bindRoutes(e *core.ServeEvent) {
	m := e.Router.Group("/api/matches")
	m.Bind(apis.RequireAuth())
	m.GET("/challenges/{id}", matchesOfChallenge)
	m.GET("/engineers/{id}", matchesOfCandidate(false))
	m.GET("/teams/{id}", matchesOfCandidate(true))
	e.Router.GET("/api/board", publicBoard)
	e.Router.GET("/api/board/map.geojson", publicMap)
}

func isAdmin(e *core.RequestEvent) bool {
	return e.HasSuperuserAuth() || e.Auth.GetString("role") == "admin"
}

// limit is the request's ?limit (1–50, 10 by default).
func limit(e *core.RequestEvent) int {
	n, err := strconv.Atoi(e.Request.URL.Query().Get("limit"))
	if err != nil || n < 1 {
		return 10
	}
	return min(n, 50)
}

// matchesOfChallenge answers the engineers and teams who fit a challenge: for the admins and
// the challenge's officer, who decide whom to approach.
func matchesOfChallenge(e *core.RequestEvent) error {
	c, err := e.App.FindRecordById(Challenges, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such challenge.", nil)
	}
	if !isAdmin(e) && c.GetString("officer") != e.Auth.Id {
		return e.ForbiddenError("Matches of a challenge are for the admins and the enterprise's officer.", nil)
	}
	engineers, teams, err := MatchChallenge(e.App, c, limit(e))
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"challenge": c.Id, "engineers": engineers, "teams": teams})
}

// matchesOfCandidate answers the open challenges that fit an engineer (for themselves and the
// admins) or a team (for its members and the admins).
func matchesOfCandidate(team bool) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		id := e.Request.PathValue("id")
		collection := "engineers"
		if team {
			collection = Teams
		}
		r, err := e.App.FindRecordById(collection, id)
		if err != nil {
			return e.NotFoundError("No such "+collection[:len(collection)-1]+".", nil)
		}
		own := !team && r.GetString("user") == e.Auth.Id || team && slices.Contains(r.GetStringSlice("members"), e.Auth.Id)
		if !isAdmin(e) && !own {
			return e.ForbiddenError("These matches are for their engineer or team and the admins.", nil)
		}
		ms, err := MatchCandidate(e.App, id, team, limit(e))
		if err != nil {
			return err
		}
		return e.JSON(http.StatusOK, map[string]any{"id": id, "challenges": ms})
	}
}
