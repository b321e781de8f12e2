package feed

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/workbook"
)

// createBody is what POST /api/feeds takes.
type createBody struct {
	Name   string `json:"name"`
	Cohort string `json:"cohort"` // empty: the needs (admins)
}

// created is what POST /api/feeds answers: the key, shown this once, and the URL of each table.
type created struct {
	ID     string            `json:"id"`
	Name   string            `json:"name"`
	Cohort string            `json:"cohort"`
	Key    string            `json:"key"`
	URLs   map[string]string `json:"urls"`
}

// createKey makes a feed key of a cohort the caller coordinates (or, for admins, any cohort or
// the needs).
func createKey(e *core.RequestEvent) error {
	var body createBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not a JSON object like {\"name\": \"…\", \"cohort\": \"…\"}.", nil)
	}
	errs := validation.Errors{}
	name := strings.TrimSpace(body.Name)
	switch {
	case name == "":
		errs["name"] = validation.NewError("validation_required", "Name the feed, e.g. after the workbook it feeds.")
	case utf8.RuneCountInString(name) > 100:
		errs["name"] = validation.NewError("validation_length_too_long", "A feed's name has at most 100 characters.")
	}
	var cohort *core.Record
	if body.Cohort != "" {
		c, err := e.App.FindRecordById("cohorts", body.Cohort)
		if err != nil {
			errs["cohort"] = validation.NewError("validation_unknown_cohort", fmt.Sprintf("There is no cohort %q.", body.Cohort))
		}
		cohort = c
	} else if !isAdmin(e.Auth) {
		errs["cohort"] = validation.NewError("validation_required", "A coordinator's feed is of one of the cohorts they coordinate: give its id.")
	}
	if len(errs) > 0 {
		return e.BadRequestError("The feed key cannot be made.", errs)
	}
	if !mayFeed(e.Auth, cohort) {
		return e.ForbiddenError(fmt.Sprintf("Cohort %q is coordinated by somebody else: a coordinator makes feeds of the cohorts they coordinate.",
			cohort.GetString("name")), nil)
	}
	col, err := e.App.FindCachedCollectionByNameOrId(keys)
	if err != nil {
		return err
	}
	key := newKey()
	r := core.NewRecord(col)
	r.Set("name", name)
	r.Set("cohort", body.Cohort)
	r.Set("created_by", e.Auth.Id)
	r.Set("key_hash", hash(key))
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The feed key cannot be made.", err)
	}
	out := created{ID: r.Id, Name: name, Cohort: body.Cohort, Key: key, URLs: map[string]string{}}
	for _, file := range workbook.Files(kindOf(r)) {
		table := strings.TrimSuffix(file, ".csv")
		out.URLs[table] = tableURL(e.Request, key, file)
	}
	return e.JSON(http.StatusCreated, out)
}

// revokeKey revokes a key at once: its next request answers 401. Its maker or an admin may;
// revoking it again changes nothing.
func revokeKey(e *core.RequestEvent) error {
	r, err := e.App.FindRecordById(keys, e.Request.PathValue("id"))
	if err != nil || (r.GetString("created_by") != e.Auth.Id && !isAdmin(e.Auth)) {
		return e.NotFoundError("There is no such feed key of yours.", nil)
	}
	if r.GetDateTime("revoked_at").IsZero() {
		r.Set("revoked_at", time.Now())
		if err := e.App.Save(r); err != nil {
			return err
		}
	}
	return e.JSON(http.StatusOK, r)
}

// kindOf is what a key feeds: its cohort's tables, or without a cohort the needs.
func kindOf(key *core.Record) workbook.Kind {
	if key.GetString("cohort") == "" {
		return workbook.KindNeeds
	}
	return workbook.KindCohort
}
