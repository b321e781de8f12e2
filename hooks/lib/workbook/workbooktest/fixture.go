// Package exporttest seeds the data the export tests read back: a cohort whose logs hold the
// edge cases of the day rule (a trip across midnight, a trip across a month end, a leave day, a
// day in both cities), and an engineer outside the cohort whose logs must not appear.
package workbooktest

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/tz"
)

// Cohort is what Seed made.
type Cohort struct {
	ID          string
	Coordinator *core.Record // coordinates the cohort
	Other       *core.Record // a coordinator of another cohort
	Admin       *core.Record
	Engineers   []string // ids of the cohort's engineers, 张三 then 李四
}

// The ids of the fixture's cohorts, fixed so that requests can be written before the app exists.
const (
	CohortID      = "springcohort2025"
	OtherCohortID = "othercohort20250"
)

// Period of the fixture: January and February 2025.
const From, To = "2025-01", "2025-02"

// At is a Shanghai wall-clock time of the fixture, "2025-01-06 09:00".
func At(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, tz.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// Seed fills app with the fixture cohort, validating every record as the API would.
func Seed(t testing.TB, app core.App) Cohort {
	t.Helper()
	c := Cohort{
		Coordinator: User(t, app, "coord@example.com", "coordinator"),
		Other:       User(t, app, "other@example.com", "coordinator"),
		Admin:       User(t, app, "admin@example.com", "admin"),
	}
	cohorts := collection(t, app, "cohorts")
	cohort := core.NewRecord(cohorts)
	cohort.Id = CohortID
	cohort.Set("name", "2025 春季定向培养班")
	cohort.Set("coordinator", c.Coordinator.Id)
	c.ID = apptest.Save(t, app, cohort).Id
	other := core.NewRecord(cohorts)
	other.Id = OtherCohortID
	other.Set("name", "另一个班")
	other.Set("coordinator", c.Other.Id)
	apptest.Save(t, app, other)

	zhang, li, wang := Engineer(t, app, "张三"), Engineer(t, app, "李四"), Engineer(t, app, "王五")
	c.Engineers = []string{zhang, li}
	for _, e := range c.Engineers {
		m := core.NewRecord(collection(t, app, "cohort_members"))
		m.Set("cohort", c.ID)
		m.Set("engineer", e)
		apptest.Save(t, app, m)
	}

	Entry(t, app, zhang, "chengdu", "work", "2025-01-06 09:00", "2025-01-06 18:00")
	Trip(t, app, zhang, "chengdu", "dazu", "2025-01-06 19:00", "2025-01-06 20:10", 54.5) // both cities on the 6th
	Entry(t, app, zhang, "dazu", "work", "2025-01-07 09:00", "2025-01-07 18:00")
	Trip(t, app, zhang, "dazu", "chengdu", "2025-01-10 23:30", "2025-01-11 02:00", 120.35) // across midnight
	Entry(t, app, zhang, "chengdu", "leave", "2025-01-15 09:00", "2025-01-15 18:00")       // a leave day: no city
	Entry(t, app, zhang, "chengdu", "training", "2025-01-20 09:00", "2025-01-20 17:00")
	Trip(t, app, zhang, "chengdu", "dazu", "2025-01-31 22:30", "2025-02-01 01:15", 99.99) // across the month end
	Entry(t, app, zhang, "dazu", "work", "2025-02-03 09:00", "2025-02-03 18:00")

	Trip(t, app, li, "dazu", "chengdu", "2025-02-10 08:00", "2025-02-10 09:05", 48)
	Entry(t, app, li, "chengdu", "training", "2025-02-10 10:00", "2025-02-10 17:00")
	Trip(t, app, li, "chengdu", "dazu", "2025-03-01 08:00", "2025-03-01 09:05", 48) // after the period

	Trip(t, app, wang, "chengdu", "dazu", "2025-01-08 08:00", "2025-01-08 09:05", 48) // not in the cohort
	return c
}

// User saves a user with role.
func User(t testing.TB, app core.App, email, role string) *core.Record {
	t.Helper()
	u := core.NewRecord(collection(t, app, "users"))
	u.SetEmail(email)
	u.SetPassword("1234567890")
	u.Set("role", role)
	return apptest.Save(t, app, u)
}

// Engineer saves an engineers record and returns its id.
func Engineer(t testing.TB, app core.App, name string) string {
	t.Helper()
	e := core.NewRecord(collection(t, app, "engineers"))
	e.Set("name", name)
	return apptest.Save(t, app, e).Id
}

// Trip saves a commute log between Shanghai wall-clock times.
func Trip(t testing.TB, app core.App, engineer, from, to, depart, arrive string, cost float64) {
	t.Helper()
	r := core.NewRecord(collection(t, app, "commute_logs"))
	r.Set("engineer", engineer)
	r.Set("from_city", from)
	r.Set("to_city", to)
	r.Set("depart_at", At(depart))
	r.Set("arrive_at", At(arrive))
	r.Set("mode", "hsr")
	r.Set("distance_km", 240)
	r.Set("cost_yuan", cost)
	apptest.Save(t, app, r)
}

// Entry saves a schedule entry between Shanghai wall-clock times.
func Entry(t testing.TB, app core.App, engineer, city, kind, start, end string) {
	t.Helper()
	r := core.NewRecord(collection(t, app, "schedules"))
	r.Set("engineer", engineer)
	r.Set("city", city)
	r.Set("kind", kind)
	r.Set("starts_at", At(start))
	r.Set("ends_at", At(end))
	apptest.Save(t, app, r)
}

func collection(t testing.TB, app core.App, name string) *core.Collection {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
