package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// survey_review_note: an administrator who returns a survey says why, and the officer reads it
// beside the survey, on the phone, offline (issue 12). The note is the administrators' to write:
// an officer may neither file a survey with one nor change it (a device that pushes the note it
// pulled unchanged does not set it; see changedValues in hooks/watermelon). That a return carries
// a note is checked by hooks/validate. The column is synced (schema version 4): an app that
// migrates pulls every survey whole once, with the notes written before it did.
func init() {
	m.Register(func(app core.App) error {
		surveys, err := app.FindCollectionByNameOrId("surveys")
		if err != nil {
			return err
		}
		surveys.Fields.Add(&core.TextField{Name: "review_note", Max: 2000})
		const (
			isAdmin   = `@request.auth.role = "admin"`
			ownSurvey = `@request.auth.role = "officer" && officer = @request.auth.id`
		)
		surveys.CreateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "submitted") && review_note = "") || ` + isAdmin)
		surveys.UpdateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "returned")` +
			` && (@request.body.status:isset = false || @request.body.status = "draft" || @request.body.status = "submitted")` +
			` && (@request.body.officer:isset = false || @request.body.officer = @request.auth.id)` +
			` && @request.body.review_note:isset = false) || ` + isAdmin)
		return app.Save(surveys)
	}, func(app core.App) error {
		surveys, err := app.FindCollectionByNameOrId("surveys")
		if err != nil {
			return err
		}
		const (
			isAdmin   = `@request.auth.role = "admin"`
			ownSurvey = `@request.auth.role = "officer" && officer = @request.auth.id`
		)
		surveys.Fields.RemoveByName("review_note")
		surveys.CreateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "submitted")) || ` + isAdmin)
		surveys.UpdateRule = rule(`(` + ownSurvey + ` && (status = "draft" || status = "returned")` +
			` && (@request.body.status:isset = false || @request.body.status = "draft" || @request.body.status = "submitted")` +
			` && (@request.body.officer:isset = false || @request.body.officer = @request.auth.id)) || ` + isAdmin)
		return app.Save(surveys)
	})
}
