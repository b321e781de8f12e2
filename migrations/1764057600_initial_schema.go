package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The access matrix, written once as PocketBase API rules. Superusers bypass every rule; an
// enclave administrator is a user with role "admin".
const (
	isAdmin       = `@request.auth.role = "admin"`
	isOfficer     = `@request.auth.role = "officer"`
	isEngineer    = `@request.auth.role = "engineer"`
	isCoordinator = `@request.auth.role = "coordinator"`

	// signedIn guards every comparison with an optional relation to users: for a guest
	// @request.auth.id is empty, and so is the user of an engineer who has no login.
	signedIn = `@request.auth.id != ""`
	// ownEngineerRecord: the engineers record of the row is the caller's own.
	ownEngineerRecord = `(` + signedIn + ` && engineer.user = @request.auth.id)`
	// coordinatesEngineer: the row's engineer is in a cohort the caller coordinates.
	coordinatesEngineer = isCoordinator + ` && engineer.cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id`
	// keepsEngineer: an update may not hand the row to somebody else's engineers record.
	keepsEngineer = `(@request.body.engineer:isset = false || @request.body.engineer.user = @request.auth.id)`
)

func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.Add(
			&core.TextField{Name: "phone", Max: 20},
			&core.SelectField{Name: "role", Required: true, MaxSelect: 1,
				Values: []string{"officer", "engineer", "coordinator", "admin"}},
		)
		users.AddIndex("idx_users_role", false, "role", "")
		users.ListRule = rule(`id = @request.auth.id || ` + isAdmin)
		users.ViewRule = rule(`id = @request.auth.id || ` + isAdmin)
		users.CreateRule = rule(isAdmin)
		users.UpdateRule = rule(`(id = @request.auth.id && @request.body.role:isset = false) || ` + isAdmin)
		users.DeleteRule = rule(isAdmin)
		if err := app.Save(users); err != nil {
			return err
		}

		enterprises := newSyncedCollection("enterprises")
		enterprises.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 200},
			&core.TextField{Name: "uscc", Required: true, Min: 18, Max: 18},
			&core.SelectField{Name: "industry", Required: true, MaxSelect: 1, Values: []string{
				"hardware", "auto_moto", "medical_device", "aerospace", "low_altitude",
				"digital_culture", "new_material", "other"}},
			&core.SelectField{Name: "park", MaxSelect: 1, Values: []string{"shuangqiao_edz", "dazu_hitech", "other"}},
			&core.TextField{Name: "town", Max: 100},
			&core.TextField{Name: "address", Max: 300},
			&core.GeoPointField{Name: "location"},
			&core.TextField{Name: "contact_name", Max: 100},
			&core.TextField{Name: "contact_phone", Max: 20},
			&core.NumberField{Name: "employees", Min: float(0), OnlyInt: true},
			&core.NumberField{Name: "annual_revenue_wan", Min: float(0)},
			&core.NumberField{Name: "rd_spend_wan", Min: float(0)},
		)
		withTimestamps(enterprises)
		enterprises.AddIndex("idx_enterprises_uscc", true, "uscc", "")
		enterprises.AddIndex("idx_enterprises_industry", false, "industry", "")
		enterprises.ListRule = rule(isOfficer + ` || ` + isAdmin)
		enterprises.ViewRule = enterprises.ListRule
		enterprises.CreateRule = enterprises.ListRule
		enterprises.UpdateRule = enterprises.ListRule
		enterprises.DeleteRule = rule(isAdmin)
		if err := app.Save(enterprises); err != nil {
			return err
		}

		forms := newSyncedCollection("survey_forms")
		forms.Fields.Add(
			&core.TextField{Name: "code", Required: true, Max: 50, Pattern: `^[a-z0-9_-]+$`},
			&core.NumberField{Name: "version", Required: true, Min: float(1), OnlyInt: true},
			&core.TextField{Name: "title", Required: true, Max: 200},
			&core.JSONField{Name: "schema", Required: true, MaxSize: 1 << 20},
			&core.BoolField{Name: "published"},
		)
		withTimestamps(forms)
		forms.AddIndex("idx_survey_forms_code_version", true, "code, version", "")
		forms.ListRule = rule(`(published = true && ` + isOfficer + `) || ` + isAdmin)
		forms.ViewRule = forms.ListRule
		forms.CreateRule = rule(isAdmin)
		forms.UpdateRule = rule(isAdmin)
		forms.DeleteRule = rule(isAdmin)
		if err := app.Save(forms); err != nil {
			return err
		}

		surveys := newSyncedCollection("surveys")
		surveys.Fields.Add(
			&core.RelationField{Name: "enterprise", Required: true, MaxSelect: 1, CollectionId: enterprises.Id},
			&core.RelationField{Name: "form", Required: true, MaxSelect: 1, CollectionId: forms.Id},
			&core.RelationField{Name: "officer", Required: true, MaxSelect: 1, CollectionId: users.Id},
			&core.DateField{Name: "visited_at"},
			&core.GeoPointField{Name: "location"},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"draft", "submitted", "reviewed", "returned"}},
			&core.JSONField{Name: "answers", MaxSize: 1 << 20},
			&core.FileField{Name: "photos", MaxSelect: 20, MaxSize: 15 << 20,
				MimeTypes: []string{"image/jpeg", "image/png", "image/webp", "image/heic"}},
			&core.TextField{Name: "notes", Max: 5000},
		)
		withTimestamps(surveys)
		surveys.AddIndex("idx_surveys_officer", false, "officer", "")
		surveys.AddIndex("idx_surveys_enterprise", false, "enterprise", "")
		surveys.AddIndex("idx_surveys_status", false, "status", "")
		ownSurvey := isOfficer + ` && officer = @request.auth.id`
		surveys.ListRule = rule(`officer = @request.auth.id || ` + isAdmin)
		surveys.ViewRule = surveys.ListRule
		// An officer files a survey as a draft or submits it at once; the review statuses are the admins'.
		surveys.CreateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "submitted")) || ` + isAdmin)
		// A draft or a returned survey is the officer's to edit and (re)submit; a submitted or
		// reviewed one is read-only to the officer.
		surveys.UpdateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "returned")` +
			` && (@request.body.status:isset = false || @request.body.status = "draft" || @request.body.status = "submitted")` +
			` && (@request.body.officer:isset = false || @request.body.officer = @request.auth.id)) || ` + isAdmin)
		surveys.DeleteRule = rule(`(` + ownSurvey + ` && status = "draft") || ` + isAdmin)
		if err := app.Save(surveys); err != nil {
			return err
		}

		needs := newSyncedCollection("needs")
		needs.Fields.Add(
			&core.RelationField{Name: "enterprise", Required: true, MaxSelect: 1, CollectionId: enterprises.Id},
			&core.RelationField{Name: "survey", MaxSelect: 1, CollectionId: surveys.Id},
			&core.RelationField{Name: "created_by", Required: true, MaxSelect: 1, CollectionId: users.Id},
			&core.SelectField{Name: "category", Required: true, MaxSelect: 1,
				Values: []string{"technology", "talent", "equipment", "finance", "policy"}},
			&core.TextField{Name: "title", Required: true, Max: 200},
			&core.TextField{Name: "description", Max: 10000},
			&core.NumberField{Name: "budget_wan", Min: float(0)},
			&core.DateField{Name: "deadline"},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"open", "published", "claimed", "resolved", "withdrawn"}},
		)
		withTimestamps(needs)
		needs.AddIndex("idx_needs_enterprise", false, "enterprise", "")
		needs.AddIndex("idx_needs_survey", false, "survey", "")
		needs.AddIndex("idx_needs_created_by", false, "created_by", "")
		needs.AddIndex("idx_needs_status", false, "status", "")
		ownNeed := isOfficer + ` && created_by = @request.auth.id`
		// Engineers see needs the administrators have published as open challenges (揭榜挂帅).
		needs.ListRule = rule(`created_by = @request.auth.id || ` + isAdmin +
			` || (` + isEngineer + ` && (status = "published" || status = "claimed" || status = "resolved"))`)
		needs.ViewRule = needs.ListRule
		needs.CreateRule = rule(`(` + ownNeed + ` && status = "open") || ` + isAdmin)
		// An officer edits or withdraws an open need; publishing it is the administrators' call.
		needs.UpdateRule = rule(`(` + ownNeed + ` && status = "open"` +
			` && (@request.body.status:isset = false || @request.body.status = "open" || @request.body.status = "withdrawn")` +
			` && (@request.body.created_by:isset = false || @request.body.created_by = @request.auth.id)) || ` + isAdmin)
		needs.DeleteRule = rule(isAdmin)
		if err := app.Save(needs); err != nil {
			return err
		}

		engineers := newSyncedCollection("engineers")
		engineers.Fields.Add(
			&core.RelationField{Name: "user", MaxSelect: 1, CollectionId: users.Id},
			&core.TextField{Name: "name", Required: true, Max: 100},
			&core.TextField{Name: "phone", Max: 20},
			&core.TextField{Name: "specialty", Max: 200},
			&core.TextField{Name: "chengdu_employer", Max: 200},
			// The Dazu firm is one of the enterprises the enclave serves.
			&core.RelationField{Name: "dazu_employer", MaxSelect: 1, CollectionId: enterprises.Id},
		)
		withTimestamps(engineers)
		engineers.AddIndex("idx_engineers_user", true, "user", "user != ''")
		if err := app.Save(engineers); err != nil {
			return err
		}

		schedules := newSyncedCollection("schedules")
		schedules.Fields.Add(
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
			&core.DateField{Name: "day"},
			&core.SelectField{Name: "city", Required: true, MaxSelect: 1, Values: []string{"chengdu", "dazu"}},
			&core.TextField{Name: "employer", Max: 200},
			&core.DateField{Name: "starts_at", Required: true},
			&core.DateField{Name: "ends_at", Required: true},
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"work", "training", "leave"}},
		)
		withTimestamps(schedules)
		schedules.AddIndex("idx_schedules_engineer_starts_at", false, "engineer, starts_at", "")

		commutes := newSyncedCollection("commute_logs")
		commutes.Fields.Add(
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
			&core.SelectField{Name: "from_city", Required: true, MaxSelect: 1, Values: []string{"chengdu", "dazu"}},
			&core.SelectField{Name: "to_city", Required: true, MaxSelect: 1, Values: []string{"chengdu", "dazu"}},
			&core.DateField{Name: "depart_at", Required: true},
			&core.DateField{Name: "arrive_at", Required: true},
			&core.SelectField{Name: "mode", Required: true, MaxSelect: 1,
				Values: []string{"hsr", "train", "bus", "car", "carpool", "other"}},
			&core.NumberField{Name: "distance_km", Min: float(0), Max: float(2000)},
			&core.NumberField{Name: "cost_yuan", Min: float(0)},
			&core.FileField{Name: "ticket", MaxSelect: 1, MaxSize: 10 << 20,
				MimeTypes: []string{"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"}},
			&core.TextField{Name: "note", Max: 2000},
		)
		withTimestamps(commutes)
		commutes.AddIndex("idx_commute_logs_engineer_depart_at", false, "engineer, depart_at", "")

		for _, c := range []*core.Collection{schedules, commutes} {
			if err := app.Save(c); err != nil {
				return err
			}
		}

		cohorts := newSyncedCollection("cohorts")
		cohorts.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 200},
			&core.TextField{Name: "program", Max: 200},
			&core.DateField{Name: "starts_on"},
			&core.DateField{Name: "ends_on"},
			&core.RelationField{Name: "coordinator", Required: true, MaxSelect: 1, CollectionId: users.Id},
		)
		withTimestamps(cohorts)
		cohorts.AddIndex("idx_cohorts_coordinator", false, "coordinator", "")
		if err := app.Save(cohorts); err != nil {
			return err
		}

		members := newSyncedCollection("cohort_members")
		members.Fields.Add(
			&core.RelationField{Name: "cohort", Required: true, MaxSelect: 1, CollectionId: cohorts.Id, CascadeDelete: true},
			&core.RelationField{Name: "engineer", Required: true, MaxSelect: 1, CollectionId: engineers.Id, CascadeDelete: true},
		)
		withTimestamps(members)
		members.AddIndex("idx_cohort_members_cohort_engineer", true, "cohort, engineer", "")
		members.AddIndex("idx_cohort_members_engineer", false, "engineer", "")
		coordinatesCohort := isCoordinator + ` && cohort.coordinator = @request.auth.id`
		members.ListRule = rule(ownEngineerRecord + ` || (` + coordinatesCohort + `) || ` + isAdmin)
		members.ViewRule = members.ListRule
		members.CreateRule = rule(`(` + coordinatesCohort + `) || ` + isAdmin)
		members.UpdateRule = rule(`(` + coordinatesCohort + ` && (@request.body.cohort:isset = false || @request.body.cohort.coordinator = @request.auth.id)) || ` + isAdmin)
		members.DeleteRule = rule(`(` + coordinatesCohort + `) || ` + isAdmin)
		if err := app.Save(members); err != nil {
			return err
		}

		// Rules that reach across cohort_members can only be set once it exists.
		ownCohort := isCoordinator + ` && coordinator = @request.auth.id`
		cohorts.ListRule = rule(`coordinator = @request.auth.id || (` + signedIn + ` && cohort_members_via_cohort.engineer.user ?= @request.auth.id) || ` + isAdmin)
		cohorts.ViewRule = cohorts.ListRule
		cohorts.CreateRule = rule(`(` + ownCohort + `) || ` + isAdmin)
		cohorts.UpdateRule = rule(`(` + ownCohort + ` && (@request.body.coordinator:isset = false || @request.body.coordinator = @request.auth.id)) || ` + isAdmin)
		cohorts.DeleteRule = rule(`(` + ownCohort + `) || ` + isAdmin)
		if err := app.Save(cohorts); err != nil {
			return err
		}

		for _, c := range []*core.Collection{schedules, commutes} {
			c.ListRule = rule(ownEngineerRecord + ` || ` + isAdmin + ` || (` + coordinatesEngineer + `)`)
			c.ViewRule = c.ListRule
			c.CreateRule = rule(`(` + isEngineer + ` && ` + ownEngineerRecord + `) || ` + isAdmin)
			c.UpdateRule = rule(`(` + isEngineer + ` && ` + ownEngineerRecord + ` && ` + keepsEngineer + `) || ` + isAdmin)
			c.DeleteRule = rule(`(` + isEngineer + ` && ` + ownEngineerRecord + `) || ` + isAdmin)
			if err := app.Save(c); err != nil {
				return err
			}
		}

		engineers.ListRule = rule(`(` + signedIn + ` && user = @request.auth.id) || ` + isAdmin +
			` || (` + isCoordinator + ` && cohort_members_via_engineer.cohort.coordinator ?= @request.auth.id)`)
		engineers.ViewRule = engineers.ListRule
		engineers.CreateRule = rule(isAdmin)
		engineers.UpdateRule = rule(isAdmin)
		engineers.DeleteRule = rule(isAdmin)
		return app.Save(engineers)
	}, func(app core.App) error {
		for _, name := range []string{"cohort_members", "cohorts", "commute_logs", "schedules",
			"engineers", "needs", "surveys", "survey_forms", "enterprises"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			if err := app.Delete(c); err != nil {
				return err
			}
		}
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.Fields.RemoveByName("phone")
		users.Fields.RemoveByName("role")
		users.RemoveIndex("idx_users_role")
		return app.Save(users)
	})
}
