package workbook_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

func exportCohort(t *testing.T, format workbook.Format) ([]byte, workbook.Result) {
	t.Helper()
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	p, err := workbook.ParsePeriod(workbooktest.From, workbooktest.To)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := workbook.Cohort(context.Background(), app.DB(), c.ID, p, &buf, workbook.Options{Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}

// open reads a workbook back; it is closed when the test ends.
func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// rawRows reads a sheet back with the values as stored: numbers as numbers, dates as serials.
func rawRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// tables reads a sheet back as the tables on it, one under the other after a blank row; each
// without its header row.
func tables(t *testing.T, f *excelize.File, sheet string) [][][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var out [][][]string
	for len(rows) > 0 {
		end := slices.IndexFunc(rows, func(r []string) bool { return len(r) == 0 })
		if end < 0 {
			end = len(rows)
		}
		out = append(out, rows[1:end])
		rows = rows[min(end+1, len(rows)):]
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func day(t *testing.T, serial string) string {
	t.Helper()
	d, err := excelize.ExcelDateToTime(num(t, serial), false)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format(time.DateOnly)
}

// metrics are the eight metric columns of a monthly or summary row.
type metrics struct {
	chengdu, dazu, both, trips int
	hours, yuan                float64
	training, leave            int
}

func readMetrics(t *testing.T, cells []string) metrics {
	i := func(k int) int { return int(num(t, cells[k])) }
	return metrics{i(0), i(1), i(2), i(3), num(t, cells[4]), num(t, cells[5]), i(6), i(7)}
}

func (m *metrics) add(o metrics) {
	m.chengdu += o.chengdu
	m.dazu += o.dazu
	m.both += o.both
	m.trips += o.trips
	m.hours += o.hours
	m.yuan += o.yuan
	m.training += o.training
	m.leave += o.leave
}

func (m metrics) equal(o metrics) bool {
	round := func(v float64) float64 { return math.Round(v * 1e6) }
	m.hours, o.hours, m.yuan, o.yuan = round(m.hours), round(o.hours), round(m.yuan), round(o.yuan)
	return m == o
}

// TestCohortReconciles reads the workbook back and checks that the summary is the sum of the
// monthly rows, and that each monthly row is what the detail sheets add up to under the day rule.
func TestCohortReconciles(t *testing.T) {
	data, res := exportCohort(t, workbook.XLSX)
	f := open(t, data)
	if got := f.GetSheetList(); strings.Join(got, ",") != "概览,工程师月度,通勤记录,日程" {
		t.Fatalf("sheets %v", got)
	}

	// From the details, by the day rule.
	type key struct{ engineer, month string }
	type days struct{ chengdu, dazu, training, leave map[string]bool }
	fromDetails := map[key]*metrics{}
	dayly := map[key]*days{}
	at := func(engineer, d string) (*metrics, *days) {
		k := key{engineer, d[:7]}
		if fromDetails[k] == nil {
			fromDetails[k] = &metrics{}
			dayly[k] = &days{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}}
		}
		return fromDetails[k], dayly[k]
	}
	mark := func(engineer, d, city string) {
		if d < "2025-01-01" || d > "2025-02-28" {
			return
		}
		_, ds := at(engineer, d)
		map[string]map[string]bool{"成都": ds.chengdu, "大足": ds.dazu}[city][d] = true
	}
	trips := rawRows(t, f, "通勤记录")
	for _, r := range trips {
		m, _ := at(r[1], day(t, r[9]))
		m.trips++
		m.hours += num(t, r[12])
		m.yuan += num(t, r[13])
		mark(r[1], day(t, r[7]), r[3])
		mark(r[1], day(t, r[8]), r[4])
	}
	for _, r := range rawRows(t, f, "日程") {
		d := day(t, r[3])
		_, ds := at(r[1], d)
		switch r[5] {
		case "请假":
			ds.leave[d] = true
		case "培训":
			ds.training[d] = true
			mark(r[1], d, r[4])
		default:
			mark(r[1], d, r[4])
		}
	}
	for k, m := range fromDetails {
		ds := dayly[k]
		m.chengdu, m.dazu, m.training, m.leave = len(ds.chengdu), len(ds.dazu), len(ds.training), len(ds.leave)
		for d := range ds.chengdu {
			if ds.dazu[d] {
				m.both++
			}
		}
	}

	var sum metrics
	byMonth := map[string]*metrics{}
	monthly := rawRows(t, f, "工程师月度")
	if len(monthly) != 4 { // two engineers, two months
		t.Fatalf("%d monthly rows, want 4", len(monthly))
	}
	for _, r := range monthly {
		m := readMetrics(t, r[3:])
		sum.add(m)
		month := day(t, r[2])[:7]
		if byMonth[month] == nil {
			byMonth[month] = &metrics{}
		}
		byMonth[month].add(m)
		want := fromDetails[key{r[0], day(t, r[2])[:7]}]
		if want == nil {
			want = &metrics{}
		}
		if !m.equal(*want) {
			t.Errorf("%s %s %s: monthly row %+v, details add up to %+v", r[1], r[0], day(t, r[2]), m, *want)
		}
	}
	first := tables(t, f, "概览")
	if len(first) != 2 || len(first[0]) != 1 || len(first[1]) != 2 {
		t.Fatalf("概览: %v, want the summary row and two months under it", first)
	}
	summary := first[0]
	for _, r := range first[1] { // the cohort's months: the sum of its engineers' rows
		if m := readMetrics(t, r[1:]); byMonth[r[0]] == nil || !m.equal(*byMonth[r[0]]) {
			t.Errorf("概览 month %s: %+v, engineers' rows add up to %+v", r[0], m, byMonth[r[0]])
		}
	}
	total := readMetrics(t, summary[0][5:])
	if !total.equal(sum) {
		t.Errorf("summary %+v, monthly rows add up to %+v", total, sum)
	}
	// The fixture, counted by hand (see workbooktest.Seed).
	want := metrics{chengdu: 5, dazu: 6, both: 2, trips: 4, hours: (70 + 150 + 165 + 65) / 60.0, yuan: 322.84, training: 2, leave: 1}
	if !total.equal(want) {
		t.Errorf("summary %+v, want %+v", total, want)
	}
	if summary[0][4] != "2" {
		t.Errorf("engineers %s, want 2", summary[0][4])
	}
	if len(trips) != 4 || res.Rows["通勤记录"] != 4 || res.Rows["日程"] != 6 || res.Rows["队列月度"] != 2 || res.Total != 4+6+4+1+2 {
		t.Errorf("rows %+v, %d trips in the sheet", res, len(trips))
	}
}

// TestCohortEdgeCases pins where the edge cases of the day rule land.
func TestCohortEdgeCases(t *testing.T) {
	data, _ := exportCohort(t, workbook.XLSX)
	f := open(t, data)
	rows := rawRows(t, f, "工程师月度")
	byMonth := map[string]metrics{}
	for _, r := range rows {
		byMonth[r[1]+" "+day(t, r[2])[:7]] = readMetrics(t, r[3:])
	}
	// 张三, January: Chengdu on the 6th (work, then leaves), the 11th (arrives after midnight),
	// the 20th (training) and the 31st (leaves before the month ends); Dazu on the 6th
	// (arrives), the 7th and the 10th (leaves before midnight). The leave day on the 15th
	// counts as neither. The trip of the 31st counts in January, its arrival day in February.
	jan := byMonth["张三 2025-01"]
	if jan.chengdu != 4 || jan.dazu != 3 || jan.both != 1 || jan.trips != 3 || jan.leave != 1 || jan.training != 1 {
		t.Errorf("张三 January %+v", jan)
	}
	if feb := byMonth["张三 2025-02"]; feb.dazu != 2 || feb.trips != 0 || feb.chengdu != 0 {
		t.Errorf("张三 February %+v", feb)
	}
	if li := byMonth["李四 2025-01"]; li != (metrics{}) {
		t.Errorf("李四 January %+v, want nothing", li)
	}

	// Times are Beijing time as real Excel dates: the trip across midnight.
	for _, r := range rawRows(t, f, "通勤记录") {
		if r[3] == "大足" && r[2] == "张三" {
			d, _ := excelize.ExcelDateToTime(num(t, r[5]), false)
			if got := d.Format("2006-01-02 15:04"); got != "2025-01-10 23:30" {
				t.Errorf("departure %s, want 2025-01-10 23:30", got)
			}
			if day(t, r[7]) != "2025-01-10" || day(t, r[8]) != "2025-01-11" {
				t.Errorf("days %s → %s", day(t, r[7]), day(t, r[8]))
			}
		}
	}
}

// TestCohortWorkbookLayout checks what Excel and WPS users see: a frozen header, an autofilter,
// widths, and number formats on real numbers and dates.
func TestCohortWorkbookLayout(t *testing.T) {
	data, _ := exportCohort(t, workbook.XLSX)
	f := open(t, data)
	filters := map[string]bool{}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm._FilterDatabase" {
			filters[n.RefersTo] = true
		}
	}
	for _, s := range f.GetSheetList() {
		panes, err := f.GetPanes(s)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: panes %+v, %v", s, panes, err)
		}
		if w, _ := f.GetColWidth(s, "B"); w < 10 {
			t.Errorf("%s: column B width %v", s, w)
		}
	}
	for _, want := range []string{"'通勤记录'!$A$1:$O$5", "'日程'!$A$1:$J$7", "'概览'!$A$1:$M$2", "'工程师月度'!$A$1:$L$5"} {
		if !filters[want] {
			t.Errorf("no autofilter %s in %v", want, filters)
		}
	}
	// 费用（元） of the first trip: a number, shown with two decimals.
	v, _ := f.GetCellValue("通勤记录", "N2", excelize.Options{RawCellValue: true})
	if v != "54.5" {
		t.Errorf("cost raw value %q, want 54.5", v)
	}
	if shown, _ := f.GetCellValue("通勤记录", "N2"); shown != "54.50" {
		t.Errorf("cost shown as %q, want 54.50", shown)
	}
	if shown, _ := f.GetCellValue("通勤记录", "F2"); shown != "2025-01-06 19:00" {
		t.Errorf("departure shown as %q", shown)
	}
	if shown, _ := f.GetCellValue("工程师月度", "C2"); shown != "2025-01" {
		t.Errorf("month shown as %q", shown)
	}
}

// TestCohortCSV checks the zip: one file per sheet, UTF-8 with a BOM, the same totals.
func TestCohortCSV(t *testing.T) {
	data, _ := exportCohort(t, workbook.CSV)
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, zf := range z.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s has no BOM", zf.Name)
		}
		files[zf.Name], err = csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) != 5 || len(files["cohort_months.csv"]) != 3 || len(files["commute_logs.csv"]) != 5 || len(files["schedules.csv"]) != 7 {
		t.Fatalf("files %v", files)
	}
	summary := files["summary.csv"]
	if got := strings.Join(summary[0][:3], ","); got != "队列ID,队列,起始月份" {
		t.Errorf("header %s", got)
	}
	if got := strings.Join(summary[1][2:], ","); got != "2025-01,2025-02,2,5,6,2,4,7.50,322.84,2,1" {
		t.Errorf("summary row %s", got)
	}
}

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct{ from, to, err string }{
		{"2026-01", "2026-06", ""},
		{"2026-06", "2026-01", "after"},
		{"2024-01", "2026-01", "at most 24"},
		{"2026-13", "2026-01", "not a month"},
	} {
		_, err := workbook.ParsePeriod(c.from, c.to)
		if (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s..%s: %v, want %q", c.from, c.to, err, c.err)
		}
	}
}
