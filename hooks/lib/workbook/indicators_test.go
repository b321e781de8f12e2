package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
)

func computeIndicators(t *testing.T, app core.App) workbook.Indicators {
	t.Helper()
	p, err := workbook.ParsePeriod("2026-02", "2026-04")
	if err != nil {
		t.Fatal(err)
	}
	ind, err := workbook.ComputeIndicators(app.DB(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ind
}

// TestIndicatorsReconcileWithTheirRows: every figure of every group is what its drill-down
// rows add up to, and the groups are what the fixture's rows make under docs/indicators.md.
func TestIndicatorsReconcileWithTheirRows(t *testing.T) {
	ind := computeIndicators(t, at.Indicators.App(t))
	for _, g := range ind.Groups {
		name := g.Month + "/" + g.Park + "/" + g.Industry
		var rd, revenue, value float64
		for _, r := range g.Rows.RD {
			rd += r.RDSpendWan
			revenue += r.RevenueWan
		}
		for _, r := range g.Rows.Awarded {
			value += r.ContractValueWan
		}
		days, trips, reach := 0, 0, 0
		for _, r := range g.Rows.Engineers {
			days += len(r.DazuDays)
			trips += len(r.Trips)
		}
		for _, r := range g.Rows.Chain {
			reach += len(r.Enterprises)
		}
		if rd != g.RDSpendWan || revenue != g.RevenueWan || value != g.TransactionValueWan ||
			len(g.Rows.Published) != g.Published || len(g.Rows.Awarded) != g.Awarded || len(g.Rows.Accepted) != g.Accepted ||
			days != g.DazuDays || trips != g.Trips || len(g.Rows.Chain) != g.Awarded {
			t.Errorf("%s: figures do not add up from the rows: %+v", name, g)
		}
		if (g.RDIntensityPct == nil) != (revenue == 0) || g.RDIntensityPct != nil && math.Abs(*g.RDIntensityPct-rd/revenue*100) > 1e-9 {
			t.Errorf("%s: intensity %v from %v / %v", name, g.RDIntensityPct, rd, revenue)
		}
		if (g.ChainMultiplier == nil) != (g.Awarded == 0) || g.ChainMultiplier != nil && *g.ChainMultiplier != float64(reach)/float64(g.Awarded) {
			t.Errorf("%s: multiplier %v from %d over %d", name, g.ChainMultiplier, reach, g.Awarded)
		}
	}
	got := map[string]string{}
	for _, g := range ind.Groups {
		pct, mult := "-", "-"
		if g.RDIntensityPct != nil {
			pct = fmt.Sprintf("%.2f", *g.RDIntensityPct)
		}
		if g.ChainMultiplier != nil {
			mult = fmt.Sprintf("%.2f", *g.ChainMultiplier)
		}
		got[g.Month+"/"+g.Park+"/"+g.Industry] = fmt.Sprintf("rd %v/%v=%s%% value %v pub %d awd %d acc %d dazu %d trips %d chain %s",
			g.RDSpendWan, g.RevenueWan, pct, g.TransactionValueWan, g.Published, g.Awarded, g.Accepted, g.DazuDays, g.Trips, mult)
	}
	want := map[string]string{
		// The worked challenge was published in February.
		"2026-02/shuangqiao_edz/hardware": "rd 0/0=-% value 0 pub 1 awd 0 acc 0 dazu 0 trips 0 chain -",
		// Survey of 10 March; the award of 5 March reaches its own firm and engineer B's
		// employer; engineer A was in Dazu on 2 and 3 March and travelled once.
		"2026-03/shuangqiao_edz/hardware": "rd 120/4000=3.00% value 65 pub 0 awd 1 acc 0 dazu 2 trips 1 chain 2.00",
		// 23:30 on 31 March is March; engineer B left Dazu on 2 March.
		"2026-03/dazu_hitech/medical_device": "rd 50/1000=5.00% value 0 pub 0 awd 0 acc 0 dazu 1 trips 1 chain -",
		// 00:10 on 1 April is April; the spare challenge was published then; the worked one accepted.
		"2026-04/shuangqiao_edz/hardware": "rd 120/4000=3.00% value 0 pub 1 awd 0 acc 1 dazu 0 trips 0 chain -",
	}
	if len(got) != len(want) {
		t.Errorf("groups %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], w)
		}
	}
	march := ind.Groups[2] // after February and March's Dazu Hi-tech Zone
	if march.Park != "shuangqiao_edz" || len(march.Rows.RD) != 1 || len(march.Rows.RD[0].Surveys) != 1 || march.Rows.RD[0].Surveys[0] != at.SurveySubmittedA {
		t.Errorf("March's R&D rows: %+v", march.Rows.RD)
	}
}

// TestCommitteeWorkbook: the workbook's first sheet is the groups, row for row, and the
// period's months under them, which its two charts draw; each detail sheet has a row per
// drill-down row.
func TestCommitteeWorkbook(t *testing.T) {
	ind := computeIndicators(t, at.Indicators.App(t))
	var buf bytes.Buffer
	if _, err := workbook.CommitteeWorkbook(context.Background(), ind, &buf, workbook.Options{Format: workbook.XLSX}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	f := open(t, data)
	first := tables(t, f, "指标")
	if len(first) != 2 || len(first[0]) != len(ind.Groups) || len(first[1]) != 3 {
		t.Fatalf("指标: %v", first)
	}
	if r := first[0][2]; r[0] != "2026-03" || r[1] != "双桥经开区" || r[2] != "五金" || num(t, r[5]) != 3 || num(t, r[6]) != 65 || num(t, r[12]) != 2 {
		t.Errorf("March's row %v", r)
	}
	if m := first[1][1]; m[0] != "2026-03" || num(t, m[1]) != 65 || m[3] != "1" || m[5] != "3" || m[6] != "2" {
		t.Errorf("March's total %v", m)
	}
	reconcile(t, f, firstSheetCharts(t, data), [][]string{{"技术交易额（万元）"}, {"发布榜数", "揭榜数", "验收数"}})
	count := map[string]int{}
	for _, g := range ind.Groups {
		count["研发投入明细"] += len(g.Rows.RD)
		count["榜单明细"] += len(g.Rows.Published) + len(g.Rows.Awarded) + len(g.Rows.Accepted)
		count["工程师明细"] += len(g.Rows.Engineers)
		count["带动明细"] += len(g.Rows.Chain)
	}
	for sheet, n := range count {
		if got := len(rawRows(t, f, sheet)); got != n {
			t.Errorf("%s has %d rows, want %d", sheet, got, n)
		}
	}
}

// TestCommitteeWorkbookReadsBackInOpenpyxl: another reader sees every row of every sheet.
func TestCommitteeWorkbookReadsBackInOpenpyxl(t *testing.T) {
	python := openpyxl(t)
	ind := computeIndicators(t, at.Indicators.App(t))
	var buf bytes.Buffer
	res, err := workbook.CommitteeWorkbook(context.Background(), ind, &buf, workbook.Options{Format: workbook.XLSX})
	if err != nil {
		t.Fatal(err)
	}
	sheets := readBack(t, python, buf.Bytes())
	for name, n := range res.Rows {
		if s, ok := sheets[name]; ok && len(s.ReadOnly) < n+1 {
			t.Errorf("%s: %d rows read-only, %d written", name, len(s.ReadOnly), n)
		}
	}
	if got := len(sheets["工程师明细"].ReadOnly); got != 3 {
		t.Errorf("工程师明细: %d rows, want the header and engineers A and B", got)
	}
}
