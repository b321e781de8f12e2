package workbook

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"maps"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/presence"
	"feidi/hooks/lib/tz"
)

// The sheets of the cohort workbook, in the order people see them.
var (
	metricColumns = []column{
		{"成都天数", "chengdu_days", integer, 10},
		{"大足天数", "dazu_days", integer, 10},
		{"两地天数", "both_days", integer, 10},
		{"跨城次数", "trips", integer, 10},
		{"通勤小时", "travel_hours", decimal, 10},
		{"通勤费用（元）", "travel_cost_yuan", yuan, 14},
		{"培训天数", "training_days", integer, 10},
		{"请假天数", "leave_days", integer, 10},
	}
	// The cohort's months, under its summary: what the charts of the first sheet draw.
	// Its months are text ("2026-08"): a chart's category labels read the cells' values, and not
	// every reader formats date serials there as the cells show them (LibreOffice prints 46235).
	cohortMonthSheet = &sheet{Name: "队列月度", File: "cohort_months.csv", Columns: append([]column{
		{"月份", "month", text, 10},
	}, metricColumns...), Charts: []chart{
		{Title: "成都、大足天数（人天）", Category: "month", Values: []string{"chengdu_days", "dazu_days"}},
		{Title: "跨城次数", Category: "month", Values: []string{"trips"}},
	}}
	cohortSummarySheet = &sheet{Name: "概览", File: "summary.csv", Columns: append([]column{
		{"队列ID", "cohort", text, 18},
		{"队列", "cohort_name", text, 28},
		{"起始月份", "from", month, 10},
		{"结束月份", "to", month, 10},
		{"工程师人数", "engineers", integer, 10},
	}, metricColumns...), Below: cohortMonthSheet}
	engineerMonthSheet = &sheet{Name: "工程师月度", File: "engineer_months.csv", Columns: append([]column{
		{"工程师ID", "engineer", text, 18},
		{"工程师", "engineer_name", text, 14},
		{"月份", "month", month, 10},
	}, slices.Concat(metricColumns, []column{{"签核", "signoff", text, 10}})...)}
	commuteSheet = &sheet{Name: "通勤记录", File: "commute_logs.csv", Columns: []column{
		{"记录ID", "id", text, 18},
		{"工程师ID", "engineer", text, 18},
		{"工程师", "engineer_name", text, 14},
		{"出发城市", "from_city", text, 9},
		{"到达城市", "to_city", text, 9},
		{"出发时间", "depart_at", datetime, 17},
		{"到达时间", "arrive_at", datetime, 17},
		{"出发日期", "depart_day", date, 11},
		{"到达日期", "arrive_day", date, 11},
		{"计入月份", "month", month, 10},
		{"方式", "mode", text, 8},
		{"里程（公里）", "distance_km", decimal, 12},
		{"时长（小时）", "hours", decimal, 12},
		{"费用（元）", "cost_yuan", yuan, 12},
		{"备注", "note", text, 30},
	}}
	scheduleSheet = &sheet{Name: "日程", File: "schedules.csv", Columns: []column{
		{"记录ID", "id", text, 18},
		{"工程师ID", "engineer", text, 18},
		{"工程师", "engineer_name", text, 14},
		{"日期", "day", date, 11},
		{"城市", "city", text, 8},
		{"类型", "kind", text, 8},
		{"单位", "employer", text, 24},
		{"开始时间", "starts_at", datetime, 17},
		{"结束时间", "ends_at", datetime, 17},
		{"时长（小时）", "hours", decimal, 12},
	}}
	cohortSheets = []*sheet{cohortSummarySheet, engineerMonthSheet, commuteSheet, scheduleSheet}
)

var (
	cityLabels = map[string]string{"chengdu": "成都", "dazu": "大足"}
	modeLabels = map[string]string{"hsr": "高铁", "train": "火车", "bus": "大巴", "car": "自驾", "carpool": "拼车", "other": "其他"}
	kindLabels = map[string]string{"work": "工作", "training": "培训", "leave": "请假"}
)

// engineerMonth adds up one engineer's month. Days are bit sets, bit d-1 for day d, so that a
// day marked twice counts once.
type engineerMonth struct {
	chengdu, dazu, training, leave uint32
	trips                          int
	seconds                        int64 // travel time, exact
	fen                            int64 // travel cost, exact
}

func (a *engineerMonth) add(b *engineerMonth) {
	a.trips += b.trips
	a.seconds += b.seconds
	a.fen += b.fen
}

// metrics are the values of metricColumns; days are summed as person-days.
func (a *engineerMonth) metrics(chengdu, dazu, both, training, leave int) []any {
	return []any{chengdu, dazu, both, a.trips, float64(a.seconds) / 3600, a.fen, training, leave}
}

type member struct {
	ID   string `db:"id"`
	Name string `db:"name"`
}

// trip is a row of tripsQuery.
type trip struct {
	ID       string  `db:"id"` // (the tags are for readers by name, such as the indicators)
	From     string  `db:"from_city"`
	To       string  `db:"to_city"`
	DepartAt string  `db:"depart_at"`
	ArriveAt string  `db:"arrive_at"`
	Mode     string  `db:"mode"`
	Distance float64 `db:"distance_km"`
	Cost     float64 `db:"cost_yuan"`
	Note     string  `db:"note"`

	// What PostScan works out from the columns, on the reader's goroutine.
	departDay, arriveDay   time.Time // Shanghai days
	departWall, arriveWall time.Time // Shanghai wall-clock times
	seconds, fen           int64     // travel time and cost, exact
	marks                  [2]presence.Mark
}

// columns are where the columns of tripsQuery go, in its order.
func (r *trip) columns() []any {
	return []any{&r.ID, &r.From, &r.To, &r.DepartAt, &r.ArriveAt, &r.Mode, &r.Distance, &r.Cost, &r.Note}
}

// PostScan works out from the columns what the writer needs, once a row is read.
func (r *trip) PostScan() error {
	depart, arrive := parseDate(r.DepartAt), parseDate(r.ArriveAt)
	r.departDay, r.arriveDay = tz.Day(depart), tz.Day(arrive)
	r.marks = presence.OfTrip(r.From, r.To, depart, arrive)
	r.departWall, r.arriveWall = wall(depart), wall(arrive)
	r.seconds = int64(arrive.Sub(depart) / time.Second)
	r.fen = int64(math.Round(r.Cost * 100))
	return nil
}

// entry is a row of entriesQuery.
type entry struct {
	ID       string `db:"id"`
	City     string `db:"city"`
	Kind     string `db:"kind"`
	Employer string `db:"employer"`
	StartsAt string `db:"starts_at"`
	EndsAt   string `db:"ends_at"`

	// What PostScan works out from the columns, on the reader's goroutine.
	day                time.Time // the Shanghai day it starts on
	startWall, endWall time.Time // Shanghai wall-clock times
	hours              float64
	mark               presence.Mark // where the day rule puts the engineer, if anywhere (marked)
	marked             bool
}

// columns are where the columns of entriesQuery go, in its order.
func (r *entry) columns() []any {
	return []any{&r.ID, &r.City, &r.Kind, &r.Employer, &r.StartsAt, &r.EndsAt}
}

// PostScan works out from the columns what the writer needs, once a row is read.
func (r *entry) PostScan() error {
	start, end := parseDate(r.StartsAt), parseDate(r.EndsAt)
	r.day = tz.Day(start)
	r.mark, r.marked = presence.OfEntry(r.City, r.Kind, start)
	r.startWall, r.endWall = wall(start), wall(end)
	r.hours = end.Sub(start).Hours()
	return nil
}

// cohortExport is one run of Cohort.
type cohortExport struct {
	*writer
	db      dbx.Builder
	period  Period
	cohort  member
	members []member
	months  [][]engineerMonth // [member][month of the period]
}

// Cohort writes the workbook of a cohort for a period to out: the summary, one row per engineer
// per month, every commute log and every schedule entry of the cohort's engineers in the period.
// The summary is the sum of the monthly rows, which are what the detail sheets add up to under
// the day rule of README.md.
func Cohort(ctx context.Context, db dbx.Builder, cohortID string, p Period, out io.Writer, opts Options) (Result, error) {
	x := &cohortExport{db: db, period: p}
	err := db.NewQuery("SELECT id, name FROM cohorts WHERE id = {:id}").Bind(dbx.Params{"id": cohortID}).One(&x.cohort)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, ErrUnknownCohort
	}
	if err != nil {
		return Result{}, err
	}
	err = db.NewQuery(`SELECT e.id, e.name FROM cohort_members m JOIN engineers e ON e.id = m.engineer
		WHERE m.cohort = {:cohort} ORDER BY e.name, e.id`).Bind(dbx.Params{"cohort": cohortID}).All(&x.members)
	if err != nil {
		return Result{}, err
	}
	x.months = make([][]engineerMonth, len(x.members))
	for i := range x.months {
		x.months[i] = make([]engineerMonth, p.Months())
	}
	if x.writer, err = newWriter(ctx, out, cohortSheets, opts); err != nil {
		return Result{}, err
	}
	// Details first, adding up as they stream; the summaries they feed come last.
	return x.run([]step{
		{commuteSheet, x.trips},
		{scheduleSheet, x.entries},
		{engineerMonthSheet, x.engineerMonths},
		{cohortSummarySheet, x.summary},
		{cohortMonthSheet, x.cohortMonths},
	})
}

// at is the month of member e that day (a date at 00:00 UTC) falls in, or nil outside the period.
func (x *cohortExport) at(e int, day time.Time) *engineerMonth {
	i := x.period.monthIndex(day)
	if i < 0 {
		return nil
	}
	return &x.months[e][i]
}

// markCity records that member e spent part of day in city.
func (x *cohortExport) markCity(e int, day time.Time, city string) {
	if m := x.at(e, day); m != nil {
		bit := uint32(1) << (day.Day() - 1)
		switch city {
		case "chengdu":
			m.chengdu |= bit
		case "dazu":
			m.dazu |= bit
		}
	}
}

// tripsQuery reads a page of an engineer's trips of the period. Every column it reads is in
// the index idx_commute_logs_export, in its order, so SQLite reads the index alone
// (TestTripsReadTheCoveringIndex).
const tripsQuery = `SELECT id, from_city, to_city, depart_at, arrive_at, mode, distance_km, cost_yuan, note
	FROM commute_logs WHERE engineer = {:engineer} AND depart_at >= {:start} AND depart_at < {:end}
	AND (depart_at > {:at} OR (depart_at = {:at} AND id > {:id})) ORDER BY depart_at, id LIMIT {:limit}`

func (x *cohortExport) trips(t table) error {
	return engineerPages(x, tripsQuery, func(r trip) (string, string) { return r.DepartAt, r.ID }, func(e int, r trip) error {
		m := x.members[e]
		// A trip counts in the month it departs; where it puts the engineer is the day rule's.
		if a := x.at(e, r.departDay); a != nil {
			a.add(&engineerMonth{trips: 1, seconds: r.seconds, fen: r.fen})
		}
		for _, m := range r.marks {
			x.markCity(e, m.Day, m.City)
		}
		return t.row(r.ID, m.ID, m.Name, cityLabels[r.From], cityLabels[r.To], r.departWall, r.arriveWall,
			r.departDay, r.arriveDay, x.period.month(x.period.monthIndex(r.departDay)), modeLabels[r.Mode],
			r.Distance, float64(r.seconds)/3600, r.fen, r.Note)
	})
}

// entriesQuery reads a page of an engineer's schedule entries of the period.
const entriesQuery = `SELECT id, city, kind, employer, starts_at, ends_at
	FROM schedules WHERE engineer = {:engineer} AND starts_at >= {:start} AND starts_at < {:end}
	AND (starts_at > {:at} OR (starts_at = {:at} AND id > {:id})) ORDER BY starts_at, id LIMIT {:limit}`

func (x *cohortExport) entries(t table) error {
	return engineerPages(x, entriesQuery, func(r entry) (string, string) { return r.StartsAt, r.ID }, func(e int, r entry) error {
		m := x.members[e]
		day := r.day
		bit := uint32(1) << (day.Day() - 1)
		if a := x.at(e, day); a != nil {
			switch r.Kind {
			case "leave":
				a.leave |= bit
			case "training":
				a.training |= bit
			}
		}
		if r.marked { // the day rule's: work and training put the engineer in the city
			x.markCity(e, r.mark.Day, r.mark.City)
		}
		return t.row(r.ID, m.ID, m.Name, day, cityLabels[r.City], kindLabels[r.Kind], r.Employer,
			r.startWall, r.endWall, r.hours)
	})
}

func (x *cohortExport) engineerMonths(t table) error {
	signoffs, err := x.signoffs()
	if err != nil {
		return err
	}
	for e, m := range x.members {
		for i := range x.months[e] {
			a := &x.months[e][i]
			row := append([]any{m.ID, m.Name, x.period.month(i)},
				a.metrics(days(a.chengdu), days(a.dazu), days(a.chengdu&a.dazu), days(a.training), days(a.leave))...)
			status := signoffs[m.ID+"/"+x.period.month(i).Format(monthLayout)]
			if status == "" {
				status = "open"
			}
			if err := t.row(append(row, signoffLabels[status])...); err != nil {
				return err
			}
		}
	}
	return nil
}

// signoffLabels name the sign-off statuses of month_signoffs; a month with none is open.
var signoffLabels = map[string]string{"open": "未提交", "submitted": "已提交", "approved": "已批准", "returned": "已退回"}

// signoffs reads the sign-off status of the members' months in the period, by "engineer/YYYY-MM".
func (x *cohortExport) signoffs() (map[string]string, error) {
	var rows []struct {
		Engineer string `db:"engineer"`
		Month    string `db:"month"`
		Status   string `db:"status"`
	}
	err := x.db.NewQuery(`SELECT s.engineer, s.month, s.status FROM month_signoffs s
		JOIN cohort_members m ON m.engineer = s.engineer AND m.cohort = {:cohort}
		WHERE s.month >= {:from} AND s.month <= {:to}`).
		Bind(dbx.Params{"cohort": x.cohort.ID, "from": x.period.From.Format(monthLayout), "to": x.period.To.Format(monthLayout)}).All(&rows)
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Engineer+"/"+r.Month] = r.Status
	}
	return out, err
}

func (x *cohortExport) summary(t table) error {
	row := append([]any{x.cohort.ID, x.cohort.Name, x.period.From, x.period.To, len(x.members)},
		x.total(0, x.period.Months())...)
	return t.row(row...)
}

func (x *cohortExport) cohortMonths(t table) error {
	for i := range x.period.Months() {
		if err := t.row(append([]any{x.period.month(i).Format(monthLayout)}, x.total(i, i+1)...)...); err != nil {
			return err
		}
	}
	return nil
}

// total is the metrics of the cohort over months [from, to) of the period, days as person-days.
func (x *cohortExport) total(from, to int) []any {
	var total engineerMonth
	var chengdu, dazu, both, training, leave int
	for e := range x.members {
		for i := from; i < to; i++ {
			a := &x.months[e][i]
			total.add(a)
			chengdu += days(a.chengdu)
			dazu += days(a.dazu)
			both += days(a.chengdu & a.dazu)
			training += days(a.training)
			leave += days(a.leave)
		}
	}
	return total.metrics(chengdu, dazu, both, training, leave)
}

func days(set uint32) int { return bits.OnesCount32(set) }

// pages runs the keyset query q from each of starts in turn, page by page, and hands each row
// to emit with the index of its start; after moves the keyset parameters past the last row of a
// page. The pages are read in the background while the one before is written, across starts
// too (the next engineer's first page is read while this one's last is written), so that SQLite
// and the writer each have a core; what a row type's PostScan works out (a trip's dates parsed
// and its days counted in Shanghai) is done there too. At most three pages are in memory, and
// their slices are used again.
func pages[T any](w *writer, db dbx.Builder, q string, starts []dbx.Params, after func(last T, p dbx.Params), emit func(start int, r T) error) error {
	next, free, stop := make(chan page[T]), make(chan []T, 1), make(chan struct{})
	go readPages(db, q, starts, after, next, free, stop)
	defer func() {
		close(stop)
		for range next { // wait for the reader, so that no query outlives the export's transaction
		}
	}()
	for p := range next {
		if p.err != nil {
			return p.err
		}
		for _, r := range p.rows {
			if err := emit(p.start, r); err != nil {
				return err
			}
		}
		select {
		case free <- p.rows[:0]: // the reader fills it next
		default:
		}
		w.inSheet += len(p.rows)
		if err := w.report(); err != nil {
			return err
		}
	}
	return nil
}

// page is one page of a keyset query, the index of the start it was read from, or why it could
// not be read.
type page[T any] struct {
	start int
	rows  []T
	err   error
}

// readPages reads the pages of pages into out until they are all read, one fails or stop is
// closed, into the slices the writer is done with (free) when there are. The writer does not
// query while it writes, so the reader has the connection (or the transaction) to itself.
func readPages[T any](db dbx.Builder, q string, starts []dbx.Params, after func(last T, p dbx.Params), out chan<- page[T], free <-chan []T, stop <-chan struct{}) {
	defer close(out)
	for i, params := range starts {
		params = maps.Clone(params)
		params["limit"] = pageSize
		for more := true; more; {
			p := page[T]{start: i}
			select {
			case p.rows = <-free:
			default:
			}
			p.err = readPage(db.NewQuery(q).Bind(params), &p.rows)
			// The keyset of the next page, before the writer has this one.
			if more = p.err == nil && len(p.rows) == pageSize; more {
				params = maps.Clone(params)
				after(p.rows[len(p.rows)-1], params)
			}
			select {
			case out <- p:
			case <-stop:
				return
			}
			if p.err != nil {
				return
			}
		}
	}
}

// scanned is a row type that says where each column of its query goes, in the query's order:
// read so, a row costs less than through dbx's mapping by name (a reflected struct and a slice
// of pointers per row), which counted at 100,000 trips.
type scanned interface {
	columns() []any
	PostScan() error
}

// readPage appends the rows of q to rows: by the row type's columns when it has them, else
// by dbx's mapping of columns to fields by name (which calls PostScan too, when there is one).
func readPage[T any](q *dbx.Query, rows *[]T) error {
	var r T
	s, ok := any(&r).(scanned)
	if !ok {
		return q.All(rows)
	}
	cursor, err := q.Rows()
	if err != nil {
		return err
	}
	defer cursor.Close()
	into := s.columns()
	for cursor.Next() {
		if err := cursor.Scan(into...); err != nil {
			return err
		}
		if err := s.PostScan(); err != nil {
			return err
		}
		*rows = append(*rows, r)
	}
	return cursor.Err()
}

// engineerPages pages through every member's rows of the period in (timestamp, id) order,
// member after member, and hands each row to emit with the member's index.
func engineerPages[T any](x *cohortExport, q string, key func(T) (string, string), emit func(e int, r T) error) error {
	starts := make([]dbx.Params, len(x.members))
	for e, m := range x.members {
		starts[e] = dbx.Params{"engineer": m.ID, "at": "", "id": ""}
		x.period.bind(starts[e])
	}
	return pages(x.writer, x.db, q, starts, func(last T, p dbx.Params) { p["at"], p["id"] = key(last) }, emit)
}

// parseDate reads a stored date; a form other than PocketBase's own is read as PocketBase
// reads it, and nothing readable is the zero time.
func parseDate(s string) time.Time {
	if t, err := tz.ParseStored(s); err == nil {
		return t
	}
	d, _ := types.ParseDateTime(s)
	return d.Time()
}
