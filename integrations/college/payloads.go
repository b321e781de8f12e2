package college

import "time"

// Enrolment is an engineer's record as the College keeps it, sent whole on every change.
type Enrolment struct {
	EngineerID string `json:"engineer_id"`
	// Active is false once the engineer has been removed from Feidi.
	Active          bool      `json:"active"`
	Name            string    `json:"name"`
	Phone           string    `json:"phone"` // E.164, e.g. +8613800138000
	Specialty       string    `json:"specialty,omitempty"`
	ChengduEmployer string    `json:"chengdu_employer"`
	DazuEmployer    *Employer `json:"dazu_employer"` // null when none
	Cohorts         []Cohort  `json:"cohorts"`
	// ChangedAt orders the changes of one engineer: a receiver keeps the latest and ignores an
	// older one arriving late (after a retry).
	ChangedAt time.Time `json:"changed_at"`
}

// Employer is the Dazu enterprise of a dual-employed engineer.
type Employer struct {
	ID   string `json:"id"`
	USCC string `json:"uscc"`
	Name string `json:"name"`
}

// Cohort is a training cohort the engineer belongs to.
type Cohort struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Program string `json:"program,omitempty"`
}

// Export describes an uploaded cohort export. Periods are YYYY-MM-DD days in Asia/Shanghai.
type Export struct {
	ExportID   string `json:"export_id"`
	CohortID   string `json:"cohort_id"`
	PeriodFrom string `json:"period_from"`
	PeriodTo   string `json:"period_to"`
	Format     string `json:"format"` // e.g. xlsx
	FileName   string `json:"file_name"`
}

// MonthApproval tells the College that an engineer's month of schedules and trips has been
// signed off (approved by a coordinator or an admin) and is locked: what it holds is final
// unless an admin unlocks it, in which case a later approval is sent again.
type MonthApproval struct {
	SignoffID  string    `json:"signoff_id"`
	EngineerID string    `json:"engineer_id"`
	Name       string    `json:"name"`
	Month      string    `json:"month"` // YYYY-MM, Asia/Shanghai
	Trips      int       `json:"trips"` // commute logs departing in the month
	Entries    int       `json:"schedule_entries"`
	ApprovedAt time.Time `json:"approved_at"`
}
