package apptest

import (
	"github.com/pocketbase/pocketbase/core"
)

// Well-known fixture ids of the Enclave snapshot: two of each role that owns things, so that
// every test can check both "mine" and "somebody else's".
const (
	OfficerA     = "officer0000000a"
	OfficerB     = "officer0000000b"
	OfficerSpare = "officer0000000c" // owns nothing, so it can be deleted
	EngineerA    = "engineer000000a"
	EngineerB    = "engineer000000b"
	CoordinatorA = "coordinator000a"
	CoordinatorB = "coordinator000b"
	Admin        = "admin000000000a"

	Enterprise       = "Enterprise000001"
	EnterpriseSpare  = "Enterprise000002" // referenced by nothing, so it can be deleted
	DraftForm        = "FormDraft0000001"
	SurveyDraftA     = "SurveyOfficerA01"
	SurveySubmittedA = "SurveyOfficerA02"
	SurveyReturnedA  = "SurveyOfficerA03"
	SurveyDraftB     = "SurveyOfficerB01"
	NeedOpenA        = "NeedOpenOfA00001"
	NeedOpenB        = "NeedOpenOfB00001"
	NeedPublished    = "NeedPublished001"
	EngineerRecA     = "EngineerRecordA1"
	EngineerRecB     = "EngineerRecordB1"
	EngineerNoLogin  = "EngineerNoLogin1" // an engineer without a user account, in cohort B
	ScheduleNoLogin  = "ScheduleNoLogin1"
	CommuteNoLogin   = "CommuteNoLogin01"
	MemberNoLogin    = "MemberNoLogin001"
	ScheduleA        = "ScheduleOfEngA01"
	ScheduleB        = "ScheduleOfEngB01"
	CommuteA         = "CommuteOfEngA001"
	CommuteB         = "CommuteOfEngB001"
	CohortA          = "CohortOfCoordA01"
	CohortB          = "CohortOfCoordB01"
	MemberA          = "MemberA000000001"
	MemberB          = "MemberB000000001"
	RequestA         = "enrolrequesta01"  // coordinator A asks to enrol engineer B, pending
	SignoffA         = "SignoffOfEngA001" // engineer A has submitted 2026-02, not yet approved

	// ReturnedNote is the administrator's reason on SurveyReturnedA.
	ReturnedNote = "请补充近三年研发投入。"

	// ValidUSCC, ValidUSCC2 and ValidUSCC3 are Dazu (500111) credit codes with a correct check
	// character; the first two are taken by the fixtures.
	ValidUSCC  = "91500111MA5U7XKX1L"
	ValidUSCC2 = "91500111MA5U7XKX2P"
	ValidUSCC3 = "91500111MA60000A0T"
	// Password is every fixture user's password.
	Password = "feidi-test-123"
)

// Enclave is a snapshot with users of every role and one record of each kind owned by each.
var Enclave = NewSnapshot(fillEnclave)

// PublishedFormID returns the id of the published enterprise needs form that ships in the
// migrations.
func PublishedFormID(app core.App) (string, error) {
	f, err := app.FindFirstRecordByFilter("survey_forms", "code = 'enterprise_needs' && version = 1")
	if err != nil {
		return "", err
	}
	return f.Id, nil
}

func fillEnclave(app core.App) error {
	form, err := PublishedFormID(app)
	if err != nil {
		return err
	}
	rows := []struct {
		collection string
		id         string
		data       map[string]any
	}{
		{"users", OfficerA, map[string]any{"email": "officer.a@feidi.test", "name": "王芳", "role": "officer", "phone": "13800138001"}},
		{"users", OfficerB, map[string]any{"email": "officer.b@feidi.test", "name": "李强", "role": "officer", "phone": "13800138002"}},
		{"users", OfficerSpare, map[string]any{"email": "officer.c@feidi.test", "name": "孙丽", "role": "officer"}},
		{"users", EngineerA, map[string]any{"email": "engineer.a@feidi.test", "name": "张伟", "role": "engineer"}},
		{"users", EngineerB, map[string]any{"email": "engineer.b@feidi.test", "name": "刘洋", "role": "engineer"}},
		{"users", CoordinatorA, map[string]any{"email": "coordinator.a@feidi.test", "name": "陈静", "role": "coordinator"}},
		{"users", CoordinatorB, map[string]any{"email": "coordinator.b@feidi.test", "name": "杨磊", "role": "coordinator"}},
		{"users", Admin, map[string]any{"email": "admin@feidi.test", "name": "赵敏", "role": "admin"}},
		{"enterprises", Enterprise, map[string]any{"name": "重庆大足五金制品有限公司", "uscc": ValidUSCC, "industry": "hardware",
			"park": "shuangqiao_edz", "town": "龙水镇", "contact_phone": "023-43721234"}},
		{"enterprises", EnterpriseSpare, map[string]any{"name": "大足精密医疗器械有限公司", "uscc": ValidUSCC2, "industry": "medical_device"}},
		{"survey_forms", DraftForm, map[string]any{"code": "enterprise_needs", "version": 2, "title": "企业需求摸排（修订稿）",
			"schema": `{"type":"object"}`, "published": false}},
		{"surveys", SurveyDraftA, map[string]any{"enterprise": Enterprise, "form": form, "officer": OfficerA, "status": "draft"}},
		{"surveys", SurveySubmittedA, map[string]any{"enterprise": Enterprise, "form": form, "officer": OfficerA, "status": "submitted", "answers": MinimalAnswers}},
		{"surveys", SurveyReturnedA, map[string]any{"enterprise": Enterprise, "form": form, "officer": OfficerA, "status": "submitted", "answers": MinimalAnswers}},
		{"surveys", SurveyDraftB, map[string]any{"enterprise": Enterprise, "form": form, "officer": OfficerB, "status": "draft"}},
		{"needs", NeedOpenA, map[string]any{"enterprise": Enterprise, "survey": SurveySubmittedA, "created_by": OfficerA, "category": "technology", "title": "热处理工艺优化", "status": "open"}},
		{"needs", NeedOpenB, map[string]any{"enterprise": Enterprise, "created_by": OfficerB, "category": "talent", "title": "模具设计工程师", "status": "open"}},
		{"needs", NeedPublished, map[string]any{"enterprise": Enterprise, "created_by": OfficerA, "category": "equipment", "title": "共享三坐标测量仪", "status": "published"}},
		{"engineers", EngineerRecA, map[string]any{"user": EngineerA, "name": "张伟", "phone": "13900139001", "specialty": "热处理", "chengdu_employer": "四川大学", "dazu_employer": Enterprise}},
		{"engineers", EngineerRecB, map[string]any{"user": EngineerB, "name": "刘洋", "phone": "13900139002", "specialty": "模具设计", "chengdu_employer": "电子科技大学"}},
		{"engineers", EngineerNoLogin, map[string]any{"name": "孙敏", "specialty": "表面工程", "chengdu_employer": "西华大学"}},
		{"schedules", ScheduleNoLogin, map[string]any{"engineer": EngineerNoLogin, "city": "dazu", "kind": "work", "starts_at": "2026-03-03 01:00:00.000Z", "ends_at": "2026-03-03 09:00:00.000Z"}},
		{"commute_logs", CommuteNoLogin, map[string]any{"engineer": EngineerNoLogin, "from_city": "chengdu", "to_city": "dazu", "mode": "bus",
			"depart_at": "2026-03-02 08:00:00.000Z", "arrive_at": "2026-03-02 11:30:00.000Z", "distance_km": 240, "cost_yuan": 75}},
		{"schedules", ScheduleA, map[string]any{"engineer": EngineerRecA, "city": "dazu", "kind": "work", "starts_at": "2026-03-03 01:00:00.000Z", "ends_at": "2026-03-03 09:00:00.000Z"}},
		{"schedules", ScheduleB, map[string]any{"engineer": EngineerRecB, "city": "chengdu", "kind": "work", "starts_at": "2026-03-03 01:00:00.000Z", "ends_at": "2026-03-03 09:00:00.000Z"}},
		{"commute_logs", CommuteA, map[string]any{"engineer": EngineerRecA, "from_city": "chengdu", "to_city": "dazu", "mode": "hsr",
			"depart_at": "2026-03-02 10:00:00.000Z", "arrive_at": "2026-03-02 11:15:00.000Z", "distance_km": 230, "cost_yuan": 96.5}},
		{"commute_logs", CommuteB, map[string]any{"engineer": EngineerRecB, "from_city": "dazu", "to_city": "chengdu", "mode": "car",
			"depart_at": "2026-03-02 10:00:00.000Z", "arrive_at": "2026-03-02 13:00:00.000Z", "distance_km": 240, "cost_yuan": 180}},
		{"cohorts", CohortA, map[string]any{"name": "2026春季定向培养一班", "program": "智能制造", "coordinator": CoordinatorA}},
		{"cohorts", CohortB, map[string]any{"name": "2026春季定向培养二班", "program": "精密医疗器械", "coordinator": CoordinatorB}},
		{"cohort_members", MemberA, map[string]any{"cohort": CohortA, "engineer": EngineerRecA}},
		{"cohort_members", MemberB, map[string]any{"cohort": CohortB, "engineer": EngineerRecB}},
		{"cohort_members", MemberNoLogin, map[string]any{"cohort": CohortB, "engineer": EngineerNoLogin}},
		{"enrolment_requests", RequestA, map[string]any{"cohort": CohortA, "engineer": EngineerRecB, "requested_by": CoordinatorA, "status": "pending"}},
		{"month_signoffs", SignoffA, map[string]any{"engineer": EngineerRecA, "month": "2026-02", "status": "submitted"}},
	}
	for _, row := range rows {
		c, err := app.FindCachedCollectionByNameOrId(row.collection)
		if err != nil {
			return err
		}
		r := core.NewRecord(c)
		r.Id = row.id
		r.Load(row.data)
		if c.IsAuth() {
			r.SetPassword(Password)
			r.SetVerified(true)
		}
		if err := app.Save(r); err != nil {
			return err
		}
	}
	returned, err := app.FindRecordById("surveys", SurveyReturnedA)
	if err != nil {
		return err
	}
	returned.Set("status", "returned")
	returned.Set("review_note", ReturnedNote)
	if err := app.Save(returned); err != nil {
		return err
	}
	return fillBoard(app)
}

// MinimalAnswers satisfies the enterprise needs form's schema.
const MinimalAnswers = `{"rd":{"spend_wan":120,"staff":8},"technology_problems":[{"title":"热处理变形控制"}],"talent_needs":[{"position":"热处理工程师","count":2}]}`
