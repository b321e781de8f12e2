// Package enrolment turns an approved enrolment request into a cohort membership. A
// coordinator sees the trips and schedules of their cohorts' members, so a coordinator alone
// must not make somebody a member: they ask, and the engineer (or an admin) says yes. The
// membership is written in the same transaction as the approval.
package enrolment

import (
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// Collection is the requests' collection; cohort_members is where an approval lands.
const Collection = "enrolment_requests"

// Register binds the request's life cycle to every door that writes it.
func Register(app core.App) {
	app.OnRecordValidate(Collection).BindFunc(func(e *core.RecordEvent) error {
		if err := checkMove(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if r := e.Record; r.GetString("status") != r.Original().GetString("status") && e.Auth != nil && !e.Auth.IsSuperuser() {
			r.Set("decided_by", e.Auth.Id)
		}
		return e.Next()
	})
	app.OnRecordUpdateExecute(Collection).BindFunc(func(e *core.RecordEvent) error {
		r := e.Record
		decided := r.GetString("status") != r.Original().GetString("status")
		if decided {
			r.Set("decided_at", time.Now().UTC())
		}
		if err := e.Next(); err != nil {
			return err
		}
		if decided && r.GetString("status") == "approved" {
			return enrol(e.App, r.GetString("cohort"), r.GetString("engineer"))
		}
		return nil
	})
}

// checkMove allows pending on creation, then one answer to a pending request; who, what
// and where of a request never change.
func checkMove(r *core.Record) error {
	status := r.GetString("status")
	if r.IsNew() {
		if status != "pending" {
			return validation.Errors{"status": validation.NewError("enrolment_not_pending", "A new enrolment request is pending until it is answered.")}
		}
		return nil
	}
	old := r.Original()
	errs := validation.Errors{}
	for _, f := range []string{"cohort", "engineer", "requested_by"} {
		if r.GetString(f) != old.GetString(f) {
			errs[f] = validation.NewError("enrolment_fixed", "An enrolment request's "+f+" cannot change; make a new request.")
		}
	}
	if was := old.GetString("status"); status != was && was != "pending" {
		errs["status"] = validation.NewError("enrolment_answered", "This request was answered already ("+was+").")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// enrol makes the engineer a member of the cohort unless they are one already.
func enrol(tx core.App, cohort, engineer string) error {
	if _, err := tx.FindFirstRecordByFilter("cohort_members", "cohort = {:c} && engineer = {:e}",
		map[string]any{"c": cohort, "e": engineer}); err == nil {
		return nil
	}
	c, err := tx.FindCachedCollectionByNameOrId("cohort_members")
	if err != nil {
		return err
	}
	m := core.NewRecord(c)
	m.Set("cohort", cohort)
	m.Set("engineer", engineer)
	return tx.Save(m)
}
