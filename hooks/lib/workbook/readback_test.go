package workbook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

// pySheet is a sheet as openpyxl reads it (testdata/openpyxl_readback.py).
type pySheet struct {
	Dimension string     `json:"dimension"`
	ReadOnly  [][]string `json:"read_only"`
	Normal    [][]string `json:"normal"`
}

// openpyxl returns a python3 that has openpyxl: the one on PATH, or Debian's, where
// python3-openpyxl installs it. Without one the test is skipped, unless
// FEIDI_REQUIRE_OPENPYXL=1 (as in CI).
func openpyxl(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			return p
		}
	}
	msg := "reading the workbooks back needs python3 with openpyxl (Debian: apt-get install python3-openpyxl)"
	if os.Getenv("FEIDI_REQUIRE_OPENPYXL") == "1" {
		t.Fatal(msg + " (FEIDI_REQUIRE_OPENPYXL=1)")
	}
	t.Skip(msg + "; set FEIDI_REQUIRE_OPENPYXL=1 to make its absence a failure")
	return ""
}

// readBack reads the workbook with openpyxl, a reader other than excelize, and checks every
// sheet: the declared dimension is the used range, read-only mode (which trusts it) sees what
// normal mode sees, and both see the rows excelize wrote. It returns the sheets by name.
func readBack(t *testing.T, python string, data []byte) map[string]pySheet {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(python, "testdata/openpyxl_readback.py", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, stderr.Bytes())
	}
	sheets := map[string]pySheet{}
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatal(err)
	}
	f := open(t, data)
	for _, name := range f.GetSheetList() {
		s, ok := sheets[name]
		if !ok {
			t.Errorf("openpyxl does not see sheet %s", name)
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		last, _ := excelize.CoordinatesToCellName(width, len(rows))
		if s.Dimension != "A1:"+last {
			t.Errorf("%s declares %s, holds A1:%s", name, s.Dimension, last)
		}
		if len(s.ReadOnly) != len(rows) || len(s.Normal) != len(rows) {
			t.Errorf("%s: openpyxl reads %d rows read-only and %d normally; excelize wrote %d",
				name, len(s.ReadOnly), len(s.Normal), len(rows))
			continue
		}
		for i, r := range rows {
			r = append(r, "") // a blank row between two tables has no cells
			if !slices.Equal(s.ReadOnly[i], s.Normal[i]) || len(s.ReadOnly[i]) != width || s.ReadOnly[i][0] != r[0] {
				t.Errorf("%s row %d: read-only %q, normal %q, excelize %q", name, i+1, s.ReadOnly[i], s.Normal[i], r)
				break
			}
		}
	}
	return sheets
}

// TestWorkbooksReadBackInOpenpyxl reads the cohort workbook and the needs summary back with
// openpyxl, for a period with rows and for an empty one.
func TestWorkbooksReadBackInOpenpyxl(t *testing.T) {
	python := openpyxl(t)
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	for _, period := range [][2]string{{workbooktest.From, workbooktest.To}, {"2030-01", "2030-03"}} {
		p, err := workbook.ParsePeriod(period[0], period[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []workbook.Request{{Kind: workbook.KindCohort, Cohort: c.ID, Period: p}, {Kind: workbook.KindNeeds, Period: p}} {
			t.Run(string(req.Kind)+"_"+p.String(), func(t *testing.T) {
				var buf bytes.Buffer
				res, err := workbook.Write(context.Background(), app.DB(), req, &buf, workbook.Options{Format: workbook.XLSX})
				if err != nil {
					t.Fatal(err)
				}
				sheets := readBack(t, python, buf.Bytes())
				for name, n := range res.Rows {
					if s, ok := sheets[name]; ok && len(s.ReadOnly) < n+1 {
						t.Errorf("%s: %d rows read-only, %d written", name, len(s.ReadOnly), n)
					}
				}
			})
		}
	}
}

// TestNeedsReadBackInOpenpyxl: the needs summary with needs in it.
func TestNeedsReadBackInOpenpyxl(t *testing.T) {
	python := openpyxl(t)
	data := needsExport(t, workbook.XLSX, func(app core.App, ent func(string, string) string, need func(string, map[string]any)) {
		e := ent("大足五金厂", "91500111MA5U000013")
		need(e, nil)
		need(e, map[string]any{"category": "talent", "status": "published"})
	})
	if rows := readBack(t, python, data)["需求明细"].ReadOnly; len(rows) != 3 {
		t.Errorf("需求明细 read-only: %d rows, want header and 2", len(rows))
	}
}
