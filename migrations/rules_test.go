package migrations_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	at "feidi/hooks/lib/apptest"
)

// roles are the callers of the matrix: anonymous ("") and two users of each owning role.
var roles = []string{"", at.OfficerA, at.OfficerB, at.EngineerA, at.EngineerB, at.CoordinatorA, at.CoordinatorB,
	at.ResearcherA, at.ResearcherB, at.Admin}

// signedIn are the callers with a login.
var signedIn = roles[1:]

// grant lists, for one collection, which callers may do what to the A-side fixture record.
type grant struct {
	collection string
	id         string // the record listed, viewed and updated
	deleteID   string // the record deleted (id when empty)
	read       []string
	createBody string // creates the record with id newID
	newID      string
	create     []string
	field      string // updated to value
	value      string
	update     []string
	delete     []string
}

var matrix = []grant{
	{collection: "users", id: at.OfficerA, deleteID: at.OfficerSpare, read: []string{at.OfficerA, at.Admin},
		newID:      "newuser00000001",
		createBody: `{"id":"newuser00000001","email":"new@feidi.test","password":"secret-123456","passwordConfirm":"secret-123456","name":"新人","role":"officer"}`,
		create:     []string{at.Admin},
		field:      "name", value: "王芳芳", update: []string{at.OfficerA, at.Admin},
		delete: []string{at.Admin}},
	{collection: "enterprises", id: at.Enterprise, deleteID: at.EnterpriseSpare,
		read:       []string{at.OfficerA, at.OfficerB, at.Admin},
		newID:      "NewEnterprise001",
		createBody: `{"id":"NewEnterprise001","name":"大足低空智造有限公司","uscc":"` + at.ValidUSCC3 + `","industry":"low_altitude"}`,
		create:     []string{at.OfficerA, at.OfficerB, at.Admin},
		field:      "town", value: "邮亭镇", update: []string{at.OfficerA, at.OfficerB, at.Admin},
		delete: []string{at.Admin}},
	{collection: "survey_forms", id: at.DraftForm, read: []string{at.Admin},
		newID:      "NewFormVersion03",
		createBody: `{"id":"NewFormVersion03","code":"enterprise_needs","version":3,"title":"第三版","schema":{"type":"object"}}`,
		create:     []string{at.Admin},
		field:      "title", value: "修订稿二", update: []string{at.Admin},
		delete: []string{at.Admin}},
	{collection: "surveys", id: at.SurveyDraftA, read: []string{at.OfficerA, at.Admin},
		newID:      "NewSurveyOfA0001",
		createBody: `{"id":"NewSurveyOfA0001","enterprise":"` + at.Enterprise + `","form":"{form}","officer":"` + at.OfficerA + `","status":"draft"}`,
		create:     []string{at.OfficerA, at.Admin},
		field:      "notes", value: "补充了照片", update: []string{at.OfficerA, at.Admin},
		delete: []string{at.OfficerA, at.Admin}},
	{collection: "needs", id: at.NeedOpenA, read: []string{at.OfficerA, at.Admin},
		newID:      "NewNeedOfA000001",
		createBody: `{"id":"NewNeedOfA000001","enterprise":"` + at.Enterprise + `","created_by":"` + at.OfficerA + `","category":"finance","title":"设备融资租赁","status":"open"}`,
		create:     []string{at.OfficerA, at.Admin},
		field:      "description", value: "需要500万", update: []string{at.OfficerA, at.Admin},
		delete: []string{at.Admin}},
	{collection: "needs", id: at.NeedPublished, read: []string{at.OfficerA, at.EngineerA, at.EngineerB, at.Admin}},
	// An engineer without a login is nobody's own record: a guest must not match its empty user.
	{collection: "engineers", id: at.EngineerNoLogin, read: []string{at.CoordinatorB, at.Admin}},
	{collection: "schedules", id: at.ScheduleNoLogin, read: []string{at.CoordinatorB, at.Admin}},
	{collection: "commute_logs", id: at.CommuteNoLogin, read: []string{at.CoordinatorB, at.Admin}},
	{collection: "cohort_members", id: at.MemberNoLogin, read: []string{at.CoordinatorB, at.Admin}},
	{collection: "cohorts", id: at.CohortB, read: []string{at.EngineerB, at.CoordinatorB, at.Admin}},
	{collection: "engineers", id: at.EngineerRecA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewEngineer00001",
		createBody: `{"id":"NewEngineer00001","name":"周杰","phone":"13700137000"}`,
		create:     []string{at.Admin},
		field:      "specialty", value: "数控加工", update: []string{at.Admin},
		delete: []string{at.Admin}},
	{collection: "schedules", id: at.ScheduleA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewScheduleOfA01",
		createBody: `{"id":"NewScheduleOfA01","engineer":"` + at.EngineerRecA + `","city":"dazu","kind":"work","starts_at":"2026-03-04 01:00:00.000Z","ends_at":"2026-03-04 09:00:00.000Z"}`,
		create:     []string{at.EngineerA, at.Admin},
		field:      "employer", value: "重庆大足五金制品有限公司", update: []string{at.EngineerA, at.Admin},
		delete: []string{at.EngineerA, at.Admin}},
	{collection: "commute_logs", id: at.CommuteA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewCommuteOfA001",
		createBody: `{"id":"NewCommuteOfA001","engineer":"` + at.EngineerRecA + `","from_city":"dazu","to_city":"chengdu","mode":"hsr","depart_at":"2026-03-05 10:00:00.000Z","arrive_at":"2026-03-05 11:10:00.000Z"}`,
		create:     []string{at.EngineerA, at.Admin},
		field:      "note", value: "G8594次", update: []string{at.EngineerA, at.Admin},
		delete: []string{at.EngineerA, at.Admin}},
	{collection: "cohorts", id: at.CohortA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewCohortOfA0001",
		createBody: `{"id":"NewCohortOfA0001","name":"2026秋季班","coordinator":"` + at.CoordinatorA + `"}`,
		create:     []string{at.CoordinatorA, at.Admin},
		field:      "program", value: "低空经济", update: []string{at.CoordinatorA, at.Admin},
		delete: []string{at.CoordinatorA, at.Admin}},
	{collection: "cohort_members", id: at.MemberA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewMemberOfA0001",
		createBody: `{"id":"NewMemberOfA0001","cohort":"` + at.CohortA + `","engineer":"` + at.EngineerRecB + `"}`,
		create:     []string{at.Admin}, // a coordinator asks through enrolment_requests
		field:      "engineer", value: at.EngineerRecB, update: []string{at.Admin},
		delete: []string{at.CoordinatorA, at.Admin}},
	{collection: "enrolment_requests", id: at.RequestA, read: []string{at.EngineerB, at.CoordinatorA, at.Admin},
		newID:      "newrequestofa01",
		createBody: `{"id":"newrequestofa01","cohort":"` + at.CohortA + `","engineer":"` + at.EngineerNoLogin + `","requested_by":"` + at.CoordinatorA + `","status":"pending"}`,
		create:     []string{at.CoordinatorA, at.Admin},
		field:      "note", value: "管理员补记", update: []string{at.Admin}, // the engineer answers with a status, see hooks/enrolment
		delete: []string{at.Admin}},
	{collection: "month_signoffs", id: at.SignoffA, read: []string{at.EngineerA, at.CoordinatorA, at.Admin},
		newID:      "NewSignoffOfA001",
		createBody: `{"id":"NewSignoffOfA001","engineer":"` + at.EngineerRecA + `","month":"2026-04","status":"submitted"}`,
		create:     []string{at.EngineerA, at.Admin},
		field:      "reason", value: "补交票据", update: []string{at.Admin}, // the engineer submits, a coordinator decides: see hooks/validate
		delete: []string{at.EngineerA, at.Admin}},
	// The challenge board (揭榜挂帅): everyone signed in sees the teams and the board; a team
	// applies to an open challenge; the enterprise's officer and the admins see the proposals;
	// the awarded team sees and records its milestones.
	{collection: "research_teams", id: at.TeamA, deleteID: at.TeamSpare, read: signedIn,
		newID:      "NewResearchTeam1",
		createBody: `{"id":"NewResearchTeam1","name":"增材制造课题组","institution":"西南交通大学","members":["` + at.ResearcherB + `"]}`,
		create:     []string{at.Admin},
		field:      "specialty", value: "激光熔覆", update: []string{at.Admin},
		delete: []string{at.Admin}},
	{collection: "challenges", id: at.ChallengeOpen, deleteID: at.ChallengeSpare, read: signedIn,
		newID:      "NewChallenge0001",
		createBody: `{"id":"NewChallenge0001","title":"无人机机臂轻量化","problem":"减重30%","enterprise":"` + at.Enterprise + `","officer":"` + at.OfficerB + `","status":"open"}`,
		create:     []string{at.Admin},
		field:      "solved_when", value: "变形量小于0.05毫米", update: []string{at.Admin},
		delete: []string{at.Admin}},
	{collection: "challenges", id: at.ChallengeWorked, read: signedIn},
	{collection: "proposals", id: at.ProposalA, read: []string{at.OfficerA, at.ResearcherA, at.Admin},
		newID:      "NewProposalOfA01",
		createBody: `{"id":"NewProposalOfA01","challenge":"` + at.ChallengeOpen + `","team":"` + at.TeamA + `","submitted_by":"` + at.ResearcherA + `","approach":"真空热处理","status":"submitted"}`,
		create:     []string{at.ResearcherA, at.Admin},
		field:      "timeline", value: "六个月", update: []string{at.ResearcherA, at.Admin},
		delete: []string{at.Admin}},
	{collection: "proposals", id: at.ProposalLost, read: []string{at.OfficerA, at.ResearcherB, at.Admin}},
	{collection: "milestones", id: at.MilestoneA, read: []string{at.OfficerA, at.ResearcherA, at.Admin},
		newID:      "NewMilestoneOfA1",
		createBody: `{"id":"NewMilestoneOfA1","challenge":"` + at.ChallengeWorked + `","title":"中试","status":"pending"}`,
		create:     []string{at.ResearcherA, at.Admin},
		field:      "evidence_note", value: "样件检测报告", update: []string{at.ResearcherA, at.Admin},
		delete: []string{at.Admin}},
	{collection: "challenge_engineers", id: at.ChallengeLinkA, read: []string{at.OfficerA, at.EngineerA, at.ResearcherA, at.Admin},
		newID:      "NewChallengeLink",
		createBody: `{"id":"NewChallengeLink","challenge":"` + at.ChallengeWorked + `","engineer":"` + at.EngineerRecB + `"}`,
		create:     []string{at.Admin},
		field:      "role", value: "模具设计", update: []string{at.Admin},
		delete: []string{at.Admin}},
}

// TestAccessMatrix proves every cell of the access matrix through the HTTP API: for each
// collection, action and caller, the grant works or the denial holds and nothing is written.
func TestAccessMatrix(t *testing.T) {
	setup := at.Enclave.App(t)
	form, err := at.PublishedFormID(setup)
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]map[string]string{"": nil}
	for _, r := range roles[1:] {
		auth[r] = map[string]string{"Authorization": at.Token(t, setup, r)}
	}
	name := map[string]string{"": "anonymous"}
	for _, r := range roles[1:] {
		name[r] = strings.TrimRight(r, "0")
	}

	var scenarios []tests.ApiScenario
	for _, g := range matrix {
		base := "/api/collections/" + g.collection + "/records"
		for _, role := range roles {
			label := g.collection + "/" + g.id + "/" + name[role]
			canRead := slices.Contains(g.read, role)
			scenarios = append(scenarios,
				readScenario(label+"/list", base+"?perPage=500", g.id, canRead, auth[role]),
				readScenario(label+"/view", base+"/"+g.id, g.id, canRead, auth[role]),
			)
			if g.createBody == "" {
				continue
			}
			scenarios = append(scenarios,
				createScenario(label+"/create", g, strings.ReplaceAll(g.createBody, "{form}", form), slices.Contains(g.create, role), auth[role]),
				updateScenario(label+"/update", g, slices.Contains(g.update, role), auth[role]),
				deleteScenario(label+"/delete", g, slices.Contains(g.delete, role), auth[role]),
			)
		}
	}
	// The published form is for every officer to read.
	for _, role := range roles {
		canRead := slices.Contains([]string{at.OfficerA, at.OfficerB, at.Admin}, role)
		scenarios = append(scenarios, readScenario("survey_forms/published/"+name[role]+"/view",
			"/api/collections/survey_forms/records/"+form, form, canRead, auth[role]))
	}
	// A read writes nothing: the reads share one app (without rate limits, which would count
	// them all as one client), each write gets a fresh copy of the fixtures.
	setup.Settings().RateLimits.Enabled = false
	for _, s := range scenarios {
		s.TestAppFactory = at.Enclave.UnmanagedApp
		if s.Method == http.MethodGet {
			s.TestAppFactory = func(testing.TB) *tests.TestApp { return setup }
			s.DisableTestAppCleanup = true
		}
		s.Test(t)
	}
}

func readScenario(name, url, id string, allowed bool, headers map[string]string) tests.ApiScenario {
	s := tests.ApiScenario{Name: name, Method: http.MethodGet, URL: url, Headers: headers}
	switch {
	case allowed:
		s.ExpectedStatus, s.ExpectedContent = 200, []string{`"id":"` + id + `"`}
	case strings.Contains(url, "?"): // a list answers with what the caller may see, here nothing of id
		s.ExpectedStatus, s.NotExpectedContent = 200, []string{`"id":"` + id + `"`}
	default:
		s.ExpectedStatus, s.NotExpectedContent = 404, []string{`"id":"` + id + `"`}
	}
	return s
}

func createScenario(name string, g grant, body string, allowed bool, headers map[string]string) tests.ApiScenario {
	s := tests.ApiScenario{Name: name, Method: http.MethodPost, URL: "/api/collections/" + g.collection + "/records",
		Body: strings.NewReader(body), Headers: headers}
	if allowed {
		s.ExpectedStatus, s.ExpectedContent = 200, []string{`"id":"` + g.newID + `"`}
	} else {
		s.ExpectedStatus, s.ExpectedContent = 400, []string{"Failed to create record"}
	}
	s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		_, err := app.FindRecordById(g.collection, g.newID)
		if exists := err == nil; exists != allowed {
			t.Errorf("record %s exists=%v after create, want %v", g.newID, exists, allowed)
		}
	}
	return s
}

func updateScenario(name string, g grant, allowed bool, headers map[string]string) tests.ApiScenario {
	s := tests.ApiScenario{Name: name, Method: http.MethodPatch, URL: "/api/collections/" + g.collection + "/records/" + g.id,
		Body: strings.NewReader(`{"` + g.field + `":"` + g.value + `"}`), Headers: headers}
	if allowed {
		s.ExpectedStatus, s.ExpectedContent = 200, []string{`"` + g.field + `":"` + g.value + `"`}
	} else {
		s.ExpectedStatus, s.NotExpectedContent = 404, []string{g.value}
	}
	s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		r, err := app.FindRecordById(g.collection, g.id)
		if err != nil {
			t.Fatal(err)
		}
		if changed := r.GetString(g.field) == g.value; changed != allowed {
			t.Errorf("%s.%s changed=%v, want %v", g.collection, g.field, changed, allowed)
		}
	}
	return s
}

func deleteScenario(name string, g grant, allowed bool, headers map[string]string) tests.ApiScenario {
	id := g.deleteID
	if id == "" {
		id = g.id
	}
	s := tests.ApiScenario{Name: name, Method: http.MethodDelete, URL: "/api/collections/" + g.collection + "/records/" + id, Headers: headers}
	if allowed {
		s.ExpectedStatus = 204
	} else {
		s.ExpectedStatus, s.NotExpectedContent = 404, []string{`"id"`}
	}
	s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		_, err := app.FindRecordById(g.collection, id)
		if gone := err != nil; gone != allowed {
			t.Errorf("record %s gone=%v after delete, want %v", id, gone, allowed)
		}
	}
	return s
}
