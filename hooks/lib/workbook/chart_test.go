package workbook_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"feidi/hooks/lib/workbook"
)

// series is one series of a chart as its XML says: the formulas of its name, categories and
// values.
type series struct {
	Name       string `xml:"tx>strRef>f"`
	Categories string `xml:"cat>strRef>f"`
	Values     string `xml:"val>numRef>f"`
}

// firstSheetCharts reads the charts drawn on the workbook's first sheet from the zip itself,
// following the sheet's relationships to its drawing and the drawing's to its charts.
func firstSheetCharts(t *testing.T, data []byte) [][]series {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		f, err := z.Open(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return b
	}
	targets := func(part string) []string {
		var rels struct {
			Rel []struct {
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		dir, file := path.Split(part)
		if err := xml.Unmarshal(read(dir+"_rels/"+file+".rels"), &rels); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rels.Rel {
			out = append(out, path.Join(dir, r.Target))
		}
		return out
	}
	var charts [][]series
	for _, drawing := range targets("xl/worksheets/sheet1.xml") {
		for _, chart := range targets(drawing) {
			var c struct {
				Series []series `xml:"chart>plotArea>barChart>ser"`
			}
			if err := xml.Unmarshal(read(chart), &c); err != nil {
				t.Fatal(err)
			}
			charts = append(charts, c.Series)
		}
	}
	return charts
}

// cells resolves a formula such as '概览'!$B$5:$B$7 to its sheet's raw cell values.
func cells(t *testing.T, f *excelize.File, ref string) (sheet string, values []string, rows [2]int) {
	t.Helper()
	i := strings.LastIndex(ref, "!")
	sheet = strings.Trim(ref[:i], "'")
	bounds := strings.Split(strings.ReplaceAll(ref[i+1:], "$", ""), ":")
	if len(bounds) == 1 {
		bounds = append(bounds, bounds[0])
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(bounds[0])
	c2, r2, err2 := excelize.CellNameToCoordinates(bounds[1])
	if err1 != nil || err2 != nil || c1 != c2 {
		t.Fatalf("%s: not one column", ref)
	}
	for r := r1; r <= r2; r++ {
		cell, _ := excelize.CoordinatesToCellName(c1, r)
		v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		values = append(values, v)
	}
	return sheet, values, [2]int{r1, r2}
}

// reconcile checks each series against the table under the first sheet's summary: its name is
// the header of a value column, its categories the table's first column and its values that
// column, row for row and nothing more.
func reconcile(t *testing.T, f *excelize.File, charts [][]series, want [][]string) {
	t.Helper()
	if len(charts) != len(want) {
		t.Fatalf("%d charts on the first sheet, want %d", len(charts), len(want))
	}
	first := f.GetSheetList()[0]
	table := tables(t, f, first)[1]
	for i, ch := range charts {
		var names []string
		for _, s := range ch {
			sheet, name, rows := cells(t, f, s.Name)
			names = append(names, name[0])
			if sheet != first || rows[0] != rows[1] {
				t.Errorf("chart %d: series name %s is not a header cell of %s", i+1, s.Name, first)
			}
			_, cats, catRows := cells(t, f, s.Categories)
			_, vals, valRows := cells(t, f, s.Values)
			if catRows[0] != rows[0]+1 || valRows != catRows || len(cats) != len(table) {
				t.Errorf("chart %d %s: categories %s, values %s; the table under the header %s has %d rows",
					i+1, name[0], s.Categories, s.Values, s.Name, len(table))
				continue
			}
			hdr, _ := f.GetRows(first)
			k := slices.Index(hdr[rows[0]-1], name[0])
			for r := range table {
				if cats[r] != table[r][0] || k < 0 || vals[r] != table[r][k] {
					t.Errorf("chart %d %s row %d: category %s value %s; table %v", i+1, name[0], r+1, cats[r], vals[r], table[r])
				}
			}
		}
		if strings.Join(names, ",") != strings.Join(want[i], ",") {
			t.Errorf("chart %d draws %v, want %v", i+1, names, want[i])
		}
	}
}

// TestCohortCharts: 概览 carries two native charts, Chengdu and Dazu days and trips by month,
// whose ranges are the cohort's month rows under its summary.
func TestCohortCharts(t *testing.T) {
	data, _ := exportCohort(t, workbook.XLSX)
	reconcile(t, open(t, data), firstSheetCharts(t, data), [][]string{{"成都天数", "大足天数"}, {"跨城次数"}})
}

// TestNeedsChart: 汇总 carries needs by category and status, stacked.
func TestNeedsChart(t *testing.T) {
	data := needsExport(t, workbook.XLSX, func(_ core.App, ent func(string, string) string, need func(string, map[string]any)) {
		e := ent("大足五金厂", "91500111MA5U000013")
		need(e, nil)
		need(e, map[string]any{"category": "talent", "status": "claimed"})
	})
	reconcile(t, open(t, data), firstSheetCharts(t, data), [][]string{{"待处理", "已发布", "已揭榜", "已解决", "已撤回"}})
}
