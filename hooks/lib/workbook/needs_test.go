package workbook_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

// TestNeedsReconciles: the summary by industry, category and status and the per-enterprise
// sheet add up to the detail rows.
func TestNeedsReconciles(t *testing.T) {
	app := apptest.New(t)
	officer := workbooktest.User(t, app, "officer@example.com", "officer")
	collection := func(name string) *core.Collection {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	enterprise := func(name, uscc, industry string) string {
		r := core.NewRecord(collection("enterprises"))
		r.Set("name", name)
		r.Set("uscc", uscc)
		r.Set("industry", industry)
		return apptest.Save(t, app, r).Id
	}
	need := func(enterprise, category, status string, budget float64) {
		r := core.NewRecord(collection("needs"))
		r.Set("enterprise", enterprise)
		r.Set("created_by", officer.Id)
		r.Set("category", category)
		r.Set("status", status)
		r.Set("title", "热处理工艺优化")
		r.Set("budget_wan", budget)
		apptest.Save(t, app, r)
	}
	hardware := enterprise("大足五金刀具厂", "91500111MA5U000013", "hardware")
	medical := enterprise("成都医疗器械公司", "91350100M000100Y43", "medical_device")
	need(hardware, "technology", "open", 50)
	need(hardware, "technology", "open", 30.5)
	need(hardware, "talent", "published", 0)
	need(medical, "technology", "open", 120)

	now := time.Now().In(tz.Shanghai).Format("2006-01") // needs.created is now
	p, err := workbook.ParsePeriod(now, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res, err := workbook.Needs(context.Background(), app.DB(), p, &buf, workbook.Options{Format: workbook.XLSX})
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	detail := rawRows(t, f, "需求明细")
	var budget float64
	for _, r := range detail {
		budget += num(t, r[7])
	}
	for _, s := range []struct {
		sheet         string
		count, budget int
	}{{"汇总", 3, 4}, {"企业", 5, 6}} {
		var n, b float64
		for _, r := range tables(t, f, s.sheet)[0] {
			n += num(t, r[s.count])
			b += num(t, r[s.budget])
		}
		if int(n) != len(detail) || b != budget {
			t.Errorf("%s: %v needs, %v 万元; details %d, %v", s.sheet, n, b, len(detail), budget)
		}
	}
	first := tables(t, f, "汇总")
	summary := first[0]
	// Under it, needs by category and status: each cell counts the detail rows.
	if len(first) != 2 || len(first[1]) != 5 {
		t.Fatalf("汇总: %v, want the summary and five categories under it", first)
	}
	for _, r := range first[1] {
		total := 0
		for i, status := range []string{"待处理", "已发布", "已揭榜", "已解决", "已撤回"} {
			n := 0
			for _, d := range detail {
				if d[4] == r[0] && d[5] == status {
					n++
				}
			}
			if r[1+i] != strconv.Itoa(n) {
				t.Errorf("%s %s: %s needs, details have %d", r[0], status, r[1+i], n)
			}
			total += n
		}
		if r[6] != strconv.Itoa(total) {
			t.Errorf("%s: total %s, want %d", r[0], r[6], total)
		}
	}
	if len(detail) != 4 || budget != 200.5 || len(summary) != 3 || summary[0][0] != "五金" || summary[0][3] != "2" {
		t.Errorf("detail %d rows, %v 万元; summary %v", len(detail), budget, summary)
	}
	if res.Rows["企业"] != 2 || res.Rows["来源问卷"] != 0 {
		t.Errorf("rows %v", res.Rows)
	}
}
