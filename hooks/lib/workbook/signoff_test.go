package workbook_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

// TestEngineerMonthsShowTheSignOff: each engineer-month row ends with its sign-off status, open
// when the month has none.
func TestEngineerMonthsShowTheSignOff(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	col, err := app.FindCollectionByNameOrId("month_signoffs")
	if err != nil {
		t.Fatal(err)
	}
	s := core.NewRecord(col)
	s.Load(map[string]any{"engineer": c.Engineers[0], "month": "2025-02", "status": "approved"})
	apptest.Save(t, app, s)
	s = core.NewRecord(col)
	s.Load(map[string]any{"engineer": c.Engineers[1], "month": "2025-01", "status": "submitted"})
	apptest.Save(t, app, s)
	s.Load(map[string]any{"status": "returned", "reason": "缺票据"})
	apptest.Save(t, app, s)

	p, err := workbook.ParsePeriod(workbooktest.From, workbooktest.To)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := workbook.Cohort(context.Background(), app.DB(), c.ID, p, &buf, workbook.Options{Format: workbook.XLSX}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rawRows(t, open(t, buf.Bytes()), "工程师月度") {
		got[row[0]+"/"+day(t, row[2])[:7]] = row[len(row)-1]
	}
	want := map[string]string{c.Engineers[0] + "/2025-01": "未提交", c.Engineers[0] + "/2025-02": "已批准",
		c.Engineers[1] + "/2025-01": "已退回", c.Engineers[1] + "/2025-02": "未提交"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], w, got)
		}
	}
}
