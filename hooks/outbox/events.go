package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
	"feidi/integrations/college"
	"feidi/integrations/sharing"
)

// Event names of the College, as stored in outbox.event (the sharing platform's are in package
// sharing).
const (
	EventEnrolment = "enrolment.changed"
	EventExport    = "export.finished"
	// EventMonthApproved: an engineer's month was signed off and is locked.
	EventMonthApproved = "month.approved"
)

// bindEvents enqueues, in the transaction of each change, the events the enabled targets want.
func bindEvents(app core.App, c Clients) {
	if c.Sharing != nil {
		onSave(app, "surveys", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			if !becomes(before, e.Record, "submitted") {
				return nil
			}
			return func(tx core.App) error {
				data, err := surveyData(tx, e.Record)
				if err != nil {
					return err
				}
				return Enqueue(tx, Message{Target: TargetSharing, Event: sharing.SurveySubmitted, Source: source(e.Record), Payload: data})
			}
		})
		onSave(app, "needs", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			event := ""
			switch {
			case becomes(before, e.Record, "published"):
				event = sharing.NeedPublished
			case becomes(before, e.Record, "resolved"):
				event = sharing.NeedResolved
			default:
				return nil
			}
			return func(tx core.App) error {
				data, err := needData(tx, e.Record)
				if err != nil {
					return err
				}
				return Enqueue(tx, Message{Target: TargetSharing, Event: event, Source: source(e.Record), Payload: data})
			}
		})
	}
	if c.College != nil {
		onSave(app, "engineers", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			if before != nil && !changed(before, e.Record, "name", "phone", "specialty", "chengdu_employer", "dazu_employer") {
				return nil
			}
			return func(tx core.App) error { return enqueueEnrolment(tx, e.Record.Id) }
		})
		app.OnRecordDeleteExecute("engineers").BindFunc(func(e *core.RecordEvent) error {
			return inTx(e, always(func(tx core.App) error {
				return Enqueue(tx, Message{Target: TargetCollege, Event: EventEnrolment, Source: source(e.Record),
					Payload: college.Enrolment{EngineerID: e.Record.Id, Name: e.Record.GetString("name"),
						Cohorts: []college.Cohort{}, ChangedAt: time.Now().UTC()}})
			}))
		})
		members := func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			engineers := []string{e.Record.GetString("engineer")}
			if before != nil {
				if was := before.GetString("engineer"); was != engineers[0] {
					engineers = append(engineers, was)
				} else if !changed(before, e.Record, "cohort") {
					return nil
				}
			}
			return func(tx core.App) error {
				for _, id := range engineers {
					if err := enqueueEnrolment(tx, id); err != nil {
						return err
					}
				}
				return nil
			}
		}
		onSave(app, "cohort_members", members)
		app.OnRecordDeleteExecute("cohort_members").BindFunc(func(e *core.RecordEvent) error {
			return inTx(e, always(func(tx core.App) error { return enqueueEnrolment(tx, e.Record.GetString("engineer")) }))
		})
		onSave(app, "month_signoffs", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			if !becomes(before, e.Record, "approved") {
				return nil
			}
			return func(tx core.App) error {
				data, err := approvalData(tx, e.Record)
				if err != nil {
					return err
				}
				return Enqueue(tx, Message{Target: TargetCollege, Event: EventMonthApproved, Source: source(e.Record), Payload: data})
			}
		})
		onSave(app, "exports", func(e *core.RecordEvent, before *core.Record) func(core.App) error {
			if !becomes(before, e.Record, "done") || e.Record.GetString("cohort") == "" {
				return nil // only cohort exports go to the College
			}
			return func(tx core.App) error {
				return Enqueue(tx, Message{Target: TargetCollege, Event: EventExport, Source: source(e.Record), Payload: exportData(e.Record)})
			}
		})
	}
}

// onSave binds decide to every create and update of collection. In one transaction, decide
// compares the record with its stored state (before, nil for a create) and returns what to
// enqueue or nil; then the record is written and the enqueue runs. The stored state is read
// rather than Record.Original(), which PocketBase does not refresh when one record value is
// saved twice.
func onSave(app core.App, collection string, decide func(e *core.RecordEvent, before *core.Record) func(tx core.App) error) {
	handler := func(e *core.RecordEvent) error {
		isNew := e.Record.IsNew()
		return inTx(e, func(tx core.App) (func(core.App) error, error) {
			if isNew {
				return decide(e, nil), nil
			}
			before, err := tx.FindRecordById(collection, e.Record.Id)
			if err != nil {
				return nil, err
			}
			return decide(e, before), nil
		})
	}
	app.OnRecordCreateExecute(collection).BindFunc(handler)
	app.OnRecordUpdateExecute(collection).BindFunc(handler)
}

type noDeliveryKey struct{}

// WithoutDelivery marks ctx so that records saved or deleted with it (app.SaveWithContext) queue
// no deliveries: the demo data of `feidi seed` is never sent outside.
func WithoutDelivery(ctx context.Context) context.Context {
	return context.WithValue(ctx, noDeliveryKey{}, true)
}

// inTx runs, in one transaction, decide, the write of e's record, and what decide returned.
// PocketBase's Save opens no transaction for a create or an update (a delete has its own, which
// this joins), so the hook opens it here, the way core's onRecordDeleteExecute does; inside a
// caller's transaction it joins that one.
func inTx(e *core.RecordEvent, decide func(tx core.App) (func(tx core.App) error, error)) error {
	if e.Context != nil && e.Context.Value(noDeliveryKey{}) != nil {
		return e.Next()
	}
	outer := e.App
	defer func() { e.App = outer }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		enqueue, err := decide(tx)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil || enqueue == nil {
			return err
		}
		return enqueue(tx)
	})
}

// always is a decision for inTx that always enqueues.
func always(enqueue func(tx core.App) error) func(core.App) (func(core.App) error, error) {
	return func(core.App) (func(core.App) error, error) { return enqueue, nil }
}

// becomes reports whether r is being saved with status and did not have it before.
func becomes(before, r *core.Record, status string) bool {
	return r.GetString("status") == status && (before == nil || before.GetString("status") != status)
}

func changed(before, r *core.Record, fields ...string) bool {
	for _, f := range fields {
		if before.GetString(f) != r.GetString(f) {
			return true
		}
	}
	return false
}

func source(r *core.Record) string { return r.Collection().Name + "/" + r.Id }

func surveyData(tx core.App, r *core.Record) (sharing.Survey, error) {
	ent, err := enterprise(tx, r.GetString("enterprise"))
	if err != nil {
		return sharing.Survey{}, err
	}
	form, err := tx.FindRecordById("survey_forms", r.GetString("form"))
	if err != nil {
		return sharing.Survey{}, err
	}
	answers := json.RawMessage(r.GetString("answers"))
	if len(answers) == 0 {
		answers = json.RawMessage("null")
	}
	s := sharing.Survey{ID: r.Id, Enterprise: ent, FormCode: form.GetString("code"),
		FormVersion: form.GetInt("version"), Answers: answers}
	if v := r.GetDateTime("visited_at"); !v.IsZero() {
		s.VisitedAt = v.Time().Format(time.RFC3339)
	}
	return s, nil
}

func needData(tx core.App, r *core.Record) (sharing.Need, error) {
	ent, err := enterprise(tx, r.GetString("enterprise"))
	if err != nil {
		return sharing.Need{}, err
	}
	n := sharing.Need{ID: r.Id, Enterprise: ent, SurveyID: r.GetString("survey"), Category: r.GetString("category"),
		Title: r.GetString("title"), Description: r.GetString("description"), BudgetWan: r.GetFloat("budget_wan"),
		Status: r.GetString("status")}
	if d := r.GetDateTime("deadline"); !d.IsZero() {
		n.Deadline = tz.AsDay(d.Time()).Format(time.DateOnly)
	}
	return n, nil
}

func enterprise(tx core.App, id string) (sharing.Enterprise, error) {
	r, err := tx.FindRecordById("enterprises", id)
	if err != nil {
		return sharing.Enterprise{}, err
	}
	return sharing.Enterprise{ID: r.Id, USCC: r.GetString("uscc"), Name: r.GetString("name"),
		Industry: r.GetString("industry"), Park: r.GetString("park")}, nil
}

// enqueueEnrolment sends the engineer's whole record as it is now in tx. An engineer already gone
// (a membership removed by the engineer's own deletion) has had its last enrolment sent.
func enqueueEnrolment(tx core.App, engineerID string) error {
	eng, err := tx.FindRecordById("engineers", engineerID)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	en := college.Enrolment{EngineerID: eng.Id, Active: true, Name: eng.GetString("name"), Phone: eng.GetString("phone"),
		Specialty: eng.GetString("specialty"), ChengduEmployer: eng.GetString("chengdu_employer"),
		Cohorts: []college.Cohort{}, ChangedAt: time.Now().UTC()}
	if id := eng.GetString("dazu_employer"); id != "" {
		ent, err := enterprise(tx, id)
		if err != nil {
			return err
		}
		en.DazuEmployer = &college.Employer{ID: ent.ID, USCC: ent.USCC, Name: ent.Name}
	}
	var cohorts []struct {
		ID      string `db:"id"`
		Name    string `db:"name"`
		Program string `db:"program"`
	}
	err = tx.DB().NewQuery(`SELECT c.id, c.name, c.program FROM cohort_members m JOIN cohorts c ON c.id = m.cohort
		WHERE m.engineer = {:engineer} ORDER BY c.name, c.id`).Bind(dbx.Params{"engineer": eng.Id}).All(&cohorts)
	if err != nil {
		return err
	}
	for _, c := range cohorts {
		en.Cohorts = append(en.Cohorts, college.Cohort{ID: c.ID, Name: c.Name, Program: c.Program})
	}
	return Enqueue(tx, Message{Target: TargetCollege, Event: EventEnrolment, Source: "engineers/" + eng.Id, Payload: en})
}

func exportData(r *core.Record) college.Export {
	return college.Export{ExportID: r.Id, CohortID: r.GetString("cohort"), PeriodFrom: r.GetString("period_from"),
		PeriodTo: r.GetString("period_to"), Format: r.GetString("format"), FileName: r.GetString("file")}
}

// approvalData describes an approved month: the engineer, and how many trips (by departure) and
// schedule entries of theirs the month holds in Asia/Shanghai.
func approvalData(tx core.App, r *core.Record) (college.MonthApproval, error) {
	eng, err := tx.FindRecordById("engineers", r.GetString("engineer"))
	if err != nil {
		return college.MonthApproval{}, err
	}
	first, err := time.ParseInLocation("2006-01", r.GetString("month"), tz.Shanghai)
	if err != nil {
		return college.MonthApproval{}, err
	}
	a := college.MonthApproval{SignoffID: r.Id, EngineerID: eng.Id, Name: eng.GetString("name"), Month: r.GetString("month"),
		ApprovedAt: time.Now().UTC()}
	p := dbx.Params{"e": eng.Id, "from": tz.Stored(first), "to": tz.Stored(first.AddDate(0, 1, 0))}
	err = tx.DB().NewQuery(`SELECT (SELECT COUNT(*) FROM commute_logs WHERE engineer = {:e} AND depart_at >= {:from} AND depart_at < {:to}),
		(SELECT COUNT(*) FROM schedules WHERE engineer = {:e} AND starts_at >= {:from} AND starts_at < {:to})`).
		Bind(p).Row(&a.Trips, &a.Entries)
	return a, err
}

func isNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
