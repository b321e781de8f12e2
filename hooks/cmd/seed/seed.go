// Package seed fills a data dir with realistic demo data of the enclave: Dazu enterprises,
// officers and their surveys, 32 dual-employed engineers with three months of schedules and
// trips that agree with each other, a cohort with its coordinator, and a living challenge board
// (research teams, challenges open, awarded, in progress and accepted, proposals, milestones). Every id is fixed and
// every value comes from a fixed random source, so running it twice changes nothing.
package seed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/lib/tz"
	"feidi/hooks/outbox"
	"feidi/hooks/validate"
)

// Password is the password of every demo login. The demo data is for trying Feidi out; never
// seed a production data dir.
const Password = "feidi-demo-2026"

// The three months the demo schedules and trips cover, fixed so that a second run adds nothing.
var (
	periodStart = time.Date(2026, 8, 1, 0, 0, 0, 0, tz.Shanghai)
	periodEnd   = time.Date(2026, 11, 1, 0, 0, 0, 0, tz.Shanghai)
)

// Command returns `feidi seed`.
func Command(app core.App) *cobra.Command {
	return &cobra.Command{
		Use:   "seed",
		Short: "Fill the data dir with demo data of the enclave (idempotent) and print a login per role",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			created, err := Run(app)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "seeded %d new records into %s\n\n", created, app.DataDir())
			PrintLogins(cmd.OutOrStdout())
			return nil
		},
	}
}

// PrintLogins writes the demo login of each role.
func PrintLogins(w io.Writer) {
	fmt.Fprintf(w, "%-12s %-28s %s\n", "ROLE", "LOGIN", "PASSWORD")
	fmt.Fprintf(w, "%-12s %-28s %s   (admin UI at /_/)\n", "superuser", SuperuserEmail, Password)
	for _, l := range [][2]string{
		{"admin", "admin@feidi.local"},
		{"officer", "officer1@feidi.local"},
		{"engineer", "engineer01@feidi.local"},
		{"coordinator", "coordinator@feidi.local"},
		{"research", "research1@feidi.local"},
	} {
		fmt.Fprintf(w, "%-12s %-28s %s\n", l[0], l[1], Password)
	}
	fmt.Fprintln(w, "\nusers log in with POST /api/collections/users/auth-with-password {\"identity\",\"password\"}")
}

// SuperuserEmail is the demo superuser, who can open the admin UI.
const SuperuserEmail = "superuser@feidi.local"

// Run inserts whatever demo records are missing, in one transaction, and returns how many. The
// records queue no deliveries: demo people are never sent to the outside systems.
func Run(app core.App) (int, error) {
	var created int
	err := app.RunInTransaction(func(tx core.App) error {
		s := &seeder{app: tx, ctx: outbox.WithoutDelivery(context.Background()), rnd: rand.New(rand.NewPCG(2026, 111))}
		if err := s.load(); err != nil {
			return err
		}
		steps := []func() error{s.superuser, s.users, s.enterprises, s.surveys, s.engineers, s.cohort, s.timetables, s.board}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		created = s.created
		return nil
	})
	return created, err
}

type seeder struct {
	app     core.App
	ctx     context.Context // every save's: it queues no deliveries
	rnd     *rand.Rand
	exists  map[string]bool // collection/id of every record already there
	created int
}

func (s *seeder) load() error {
	s.exists = map[string]bool{}
	for _, c := range []string{"users", "enterprises", "surveys", "needs", "engineers", "cohorts",
		"cohort_members", "schedules", "commute_logs", "research_teams", "challenges", "proposals", "milestones",
		"challenge_engineers"} {
		var ids []string
		if err := s.app.DB().Select("id").From(c).Column(&ids); err != nil {
			return err
		}
		for _, id := range ids {
			s.exists[c+"/"+id] = true
		}
	}
	return nil
}

// put saves a record with a fixed id unless it is already there.
func (s *seeder) put(collection, id string, data map[string]any) error {
	if s.exists[collection+"/"+id] {
		return nil
	}
	c, err := s.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	r := core.NewRecord(c)
	r.Id = id
	r.Load(data)
	if c.IsAuth() {
		r.SetPassword(Password)
		r.SetVerified(true)
	}
	if err := s.app.SaveWithContext(s.ctx, r); err != nil {
		return fmt.Errorf("seed %s %s: %w", collection, id, err)
	}
	s.exists[collection+"/"+id] = true
	s.created++
	return nil
}

func (s *seeder) superuser() error {
	if _, err := s.app.FindAuthRecordByEmail(core.CollectionNameSuperusers, SuperuserEmail); err == nil {
		return nil
	}
	c, err := s.app.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	su := core.NewRecord(c)
	su.SetEmail(SuperuserEmail)
	su.SetPassword(Password)
	s.created++
	return s.app.SaveWithContext(s.ctx, su)
}

func (s *seeder) users() error {
	for _, u := range demoUsers {
		if err := s.put("users", u.id, map[string]any{"email": u.email, "name": u.name, "role": u.role, "phone": u.phone}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) enterprises() error {
	for i, e := range demoEnterprises {
		first17 := fmt.Sprintf("91500111MA%07d", 6000000+i*7919)
		uscc := first17 + string(validate.USCCCheckChar(first17))
		if err := s.put("enterprises", enterpriseID(i), map[string]any{
			"name": e.name, "uscc": uscc, "industry": e.industry, "park": e.park, "town": e.town,
			"address":      "重庆市大足区" + e.town + e.street,
			"location":     map[string]any{"lon": 105.72 + float64(i%5)*0.012, "lat": 29.70 + float64(i%4)*0.01},
			"contact_name": e.contact, "contact_phone": fmt.Sprintf("023-4372%04d", 1000+i*37),
			"employees": e.employees, "annual_revenue_wan": e.revenue, "rd_spend_wan": e.rd,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) surveys() error {
	form, err := s.app.FindFirstRecordByFilter("survey_forms", "code = 'enterprise_needs' && version = 1")
	if err != nil {
		return err
	}
	statuses := []string{"reviewed", "submitted", "submitted", "draft", "returned"}
	for i, e := range demoEnterprises {
		officer := demoUsers[1+i%3].id
		status := statuses[i%len(statuses)]
		surveyID := fmt.Sprintf("SeedSurvey%06d", i+1)
		// A survey is filed as submitted and reviewed or returned afterwards, as in the field.
		filed := status
		if status == "reviewed" || status == "returned" {
			filed = "submitted"
		}
		if err := s.put("surveys", surveyID, map[string]any{
			"enterprise": enterpriseID(i), "form": form.Id, "officer": officer, "status": filed,
			"visited_at": time.Date(2026, 9, 1+i, 2, 30, 0, 0, time.UTC),
			"location":   map[string]any{"lon": 105.72 + float64(i%5)*0.012, "lat": 29.70 + float64(i%4)*0.01},
			"answers":    e.answers(), "notes": "现场走访，企业负责人" + e.contact + "接待。",
		}); err != nil {
			return err
		}
		if filed != status {
			r, err := s.app.FindRecordById("surveys", surveyID)
			if err != nil {
				return err
			}
			if r.GetString("status") == filed {
				r.Set("status", status)
				if status == "returned" {
					r.Set("review_note", "请补充企业近三年研发投入和技术人员人数，再重新提交。")
				}
				if err := s.app.SaveWithContext(s.ctx, r); err != nil {
					return err
				}
			}
		}
		needStatuses := []string{"published", "open", "claimed", "resolved", "open", "withdrawn"}
		for j, n := range e.needs {
			if err := s.put("needs", fmt.Sprintf("SeedNeed%04d%04d", i+1, j+1), map[string]any{
				"enterprise": enterpriseID(i), "survey": surveyID, "created_by": officer,
				"category": n.category, "title": n.title, "description": n.description, "budget_wan": n.budget,
				"deadline": time.Date(2027, time.Month(1+(i+j)%12), 28, 0, 0, 0, 0, time.UTC),
				"status":   needStatuses[(i+j)%len(needStatuses)],
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// EngineerCount is how many dual-employed engineers the demo has.
const EngineerCount = 32

func (s *seeder) engineers() error {
	for i := 0; i < EngineerCount; i++ {
		userID := fmt.Sprintf("seedengineer%03d", i+1)
		if err := s.put("users", userID, map[string]any{"email": fmt.Sprintf("engineer%02d@feidi.local", i+1),
			"name": personName(i), "role": "engineer"}); err != nil {
			return err
		}
		if err := s.put("engineers", engineerID(i), map[string]any{
			"user": userID, "name": personName(i), "phone": fmt.Sprintf("139%08d", 20260000+i*131),
			"specialty":        Specialties[i%len(Specialties)],
			"chengdu_employer": chengduEmployers[i%len(chengduEmployers)],
			"dazu_employer":    enterpriseID(i % len(demoEnterprises)),
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) cohort() error {
	if err := s.put("cohorts", cohortID, map[string]any{"name": "成渝工程师学院2026秋季定向培养班", "program": "智能制造与精密加工",
		"starts_on": "2026-08-01", "ends_on": "2027-01-31", "coordinator": coordinatorID}); err != nil {
		return err
	}
	for i := 0; i < 24; i++ {
		if err := s.put("cohort_members", fmt.Sprintf("SeedMember%06d", i+1), map[string]any{"cohort": cohortID, "engineer": engineerID(i)}); err != nil {
			return err
		}
	}
	return nil
}

// timetables writes each engineer's three months: work in Chengdu early in the week, a
// high-speed train (or a car) to Dazu, work in Dazu, and back before the weekend; now and then
// a training day at the college or a day of leave.
func (s *seeder) timetables() error {
	for i := 0; i < EngineerCount; i++ {
		var schedules, trips int
		dazuFrom := time.Wednesday + time.Weekday(i%2) // half go on Wednesday, half on Thursday
		for day := periodStart; day.Before(periodEnd); day = day.AddDate(0, 0, 1) {
			wd := day.Weekday()
			if wd == time.Saturday || wd == time.Sunday {
				continue
			}
			city, kind := "chengdu", "work"
			if wd >= dazuFrom {
				city = "dazu"
			}
			switch r := s.rnd.IntN(20); {
			case r == 0:
				kind = "leave"
			case r <= 2 && city == "chengdu":
				kind = "training"
			}
			start, end := at(day, 9, 0), at(day, 17, 30)
			employer := chengduEmployers[i%len(chengduEmployers)]
			if city == "dazu" {
				employer = demoEnterprises[i%len(demoEnterprises)].name
			}
			if kind == "training" {
				employer = "成渝工程师学院"
			}
			if kind == "leave" {
				start, end = at(day, 0, 0), at(day.AddDate(0, 0, 1), 0, 0)
			}
			schedules++
			if err := s.put("schedules", fmt.Sprintf("SeedSch%02d%07d", i, schedules), map[string]any{
				"engineer": engineerID(i), "day": tz.Day(day), "city": city, "kind": kind, "employer": employer,
				"starts_at": start, "ends_at": end,
			}); err != nil {
				return err
			}
			// The trip to Dazu the evening before the first Dazu day, and home on Friday evening.
			var from, to string
			switch {
			case wd == dazuFrom-1:
				from, to = "chengdu", "dazu"
			case wd == time.Friday:
				from, to = "dazu", "chengdu"
			default:
				continue
			}
			trips++
			if err := s.put("commute_logs", fmt.Sprintf("SeedTrip%02d%06d", i, trips), s.trip(i, day, from, to)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *seeder) trip(i int, day time.Time, from, to string) map[string]any {
	depart := at(day, 18, 10+s.rnd.IntN(40))
	mode, minutes, km, cost := "hsr", 68+s.rnd.IntN(20), 231.0, 96.5
	if i%5 == 4 { // a few drive the 渝蓉高速
		mode, minutes, km, cost = "car", 150+s.rnd.IntN(40), 242.0, 110+float64(s.rnd.IntN(60))
	}
	return map[string]any{
		"engineer": engineerID(i), "from_city": from, "to_city": to, "mode": mode,
		"depart_at": depart, "arrive_at": depart.Add(time.Duration(minutes) * time.Minute),
		"distance_km": km, "cost_yuan": cost, "note": map[string]string{"hsr": "成都东—大足南", "car": "渝蓉高速"}[mode],
	}
}

func at(day time.Time, hour, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, tz.Shanghai).UTC()
}

func enterpriseID(i int) string { return fmt.Sprintf("SeedEnterpr%05d", i+1) }
func engineerID(i int) string   { return fmt.Sprintf("SeedEngineer%04d", i+1) }
