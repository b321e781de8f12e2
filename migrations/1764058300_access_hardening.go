package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Closes the ways past the access rules found in issue 9. Every value is spelled out here, so
// this migration reads the same whatever later ones change.
//
//   - Enrolment: a coordinator alone no longer gains sight of an engineer. A coordinator asks
//     (enrolment_requests); the engineer or an admin approves, and only then is the
//     cohort_members row written (by the hook in hooks/enrolment). cohort_members themselves are
//     created and changed by admins only; a coordinator may still remove a member.
//   - Train tickets, survey photos and users' avatars are protected files: downloaded with a file token by
//     those who may view the record.
//   - Every number has a bound a person could mean.
//   - PocketBase's rate limits are on, sized for phones behind one carrier NAT.
func init() {
	m.Register(func(app core.App) error {
		const (
			admin       = `@request.auth.role = "admin"`
			coordinator = `@request.auth.role = "coordinator"`
			signedIn    = `@request.auth.id != ""`
		)
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		cohorts, err := app.FindCollectionByNameOrId("cohorts")
		if err != nil {
			return err
		}
		engineers, err := app.FindCollectionByNameOrId("engineers")
		if err != nil {
			return err
		}

		members, err := app.FindCollectionByNameOrId("cohort_members")
		if err != nil {
			return err
		}
		members.CreateRule = types.Pointer(admin)
		members.UpdateRule = types.Pointer(admin)
		if err := app.Save(members); err != nil {
			return err
		}

		requests := core.NewBaseCollection("enrolment_requests")
		requests.Fields.Add(
			&core.RelationField{Name: "cohort", Required: true, MaxSelect: 1, CollectionId: cohorts.Id, CascadeDelete: true},
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
			&core.RelationField{Name: "requested_by", Required: true, MaxSelect: 1, CollectionId: users.Id},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "approved", "declined", "withdrawn"}},
			&core.TextField{Name: "note", Max: 2000},
			&core.RelationField{Name: "decided_by", MaxSelect: 1, CollectionId: users.Id},
			&core.DateField{Name: "decided_at"},
		)
		requests.Fields.Add(
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		// One open request per engineer and cohort.
		requests.AddIndex("idx_enrolment_requests_pending", true, "cohort, engineer", "status = 'pending'")
		requests.AddIndex("idx_enrolment_requests_engineer", false, "engineer", "")
		ownEngineer := `(` + signedIn + ` && engineer.user = @request.auth.id)`
		ownCohort := coordinator + ` && cohort.coordinator = @request.auth.id`
		requests.ListRule = types.Pointer(`requested_by = @request.auth.id || ` + ownEngineer + ` || (` + ownCohort + `) || ` + admin)
		requests.ViewRule = requests.ListRule
		requests.CreateRule = types.Pointer(`(` + ownCohort + ` && requested_by = @request.auth.id && status = "pending") || ` + admin)
		// The engineer answers a pending request; its coordinator may withdraw it; the rest
		// of a request never changes (hooks/enrolment checks the moves and who decided).
		fixed := `@request.body.cohort:isset = false && @request.body.engineer:isset = false && @request.body.requested_by:isset = false`
		requests.UpdateRule = types.Pointer(`(status = "pending" && ` + fixed + ` && ((` + ownEngineer +
			` && (@request.body.status = "approved" || @request.body.status = "declined")) || (` + ownCohort +
			` && @request.body.status = "withdrawn"))) || ` + admin)
		requests.DeleteRule = types.Pointer(admin)
		if err := app.Save(requests); err != nil {
			return err
		}

		for _, f := range []struct{ collection, field string }{{"commute_logs", "ticket"}, {"surveys", "photos"}, {"users", "avatar"}} {
			c, err := app.FindCollectionByNameOrId(f.collection)
			if err != nil {
				return err
			}
			c.Fields.GetByName(f.field).(*core.FileField).Protected = true
			if err := app.Save(c); err != nil {
				return err
			}
		}

		bounds := []struct {
			collection, field string
			max               float64
		}{
			{"enterprises", "employees", 1_000_000},
			{"enterprises", "annual_revenue_wan", 100_000_000}, // 1 trillion yuan
			{"enterprises", "rd_spend_wan", 100_000_000},
			{"survey_forms", "version", 10_000},
			{"needs", "budget_wan", 10_000_000},
			{"commute_logs", "distance_km", 2_000},
			{"commute_logs", "cost_yuan", 100_000},
		}
		for _, b := range bounds {
			c, err := app.FindCollectionByNameOrId(b.collection)
			if err != nil {
				return err
			}
			max := b.max
			c.Fields.GetByName(b.field).(*core.NumberField).Max = &max
			if err := app.Save(c); err != nil {
				return err
			}
		}

		// Limits per client address. Phones of one district often share a carrier NAT, so the
		// general limits are wide; sign-in is the narrow one (a phone signs in when its token
		// expires, not at every sync), and sync has its own wide bucket.
		s := app.Settings()
		s.RateLimits.Enabled = true
		s.RateLimits.Rules = []core.RateLimitRule{
			{Label: "*:auth", MaxRequests: 20, Duration: 60},
			{Label: "*:requestPasswordReset", MaxRequests: 5, Duration: 60},
			{Label: "*:requestOTP", MaxRequests: 5, Duration: 60},
			{Label: "*:create", MaxRequests: 200, Duration: 10},
			{Label: "/api/batch", MaxRequests: 3, Duration: 1},
			{Label: "/api/sync/", MaxRequests: 5000, Duration: 10},
			{Label: "/api/", MaxRequests: 1500, Duration: 10},
		}
		return app.Save(s)
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("enrolment_requests"); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		members, err := app.FindCollectionByNameOrId("cohort_members")
		if err != nil {
			return err
		}
		coordinatesCohort := `@request.auth.role = "coordinator" && cohort.coordinator = @request.auth.id`
		members.CreateRule = types.Pointer(`(` + coordinatesCohort + `) || @request.auth.role = "admin"`)
		members.UpdateRule = types.Pointer(`(` + coordinatesCohort + ` && (@request.body.cohort:isset = false || @request.body.cohort.coordinator = @request.auth.id)) || @request.auth.role = "admin"`)
		if err := app.Save(members); err != nil {
			return err
		}
		for _, f := range []struct{ collection, field string }{{"commute_logs", "ticket"}, {"surveys", "photos"}, {"users", "avatar"}} {
			c, err := app.FindCollectionByNameOrId(f.collection)
			if err != nil {
				return err
			}
			c.Fields.GetByName(f.field).(*core.FileField).Protected = false
			if err := app.Save(c); err != nil {
				return err
			}
		}
		s := app.Settings()
		s.RateLimits.Enabled = false
		return app.Save(s)
	})
}
