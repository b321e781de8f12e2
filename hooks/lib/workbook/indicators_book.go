package workbook

import (
	"context"
	"io"
	"strings"
)

// The sheets of the committee workbook of the indicators, in the order people see them.
var (
	// The period's months, under the indicators: what the charts of the first sheet draw.
	committeeMonthSheet = &sheet{Name: "月度合计", File: "months.csv", Columns: []column{
		{"月份", "month", text, 10},
		{"技术交易额（万元）", "transaction_value_wan", wan, 18},
		{"发布榜数", "challenges_published", integer, 10},
		{"揭榜数", "challenges_awarded", integer, 10},
		{"验收数", "challenges_accepted", integer, 10},
		{"大足天数", "dazu_days", integer, 10},
		{"跨城次数", "trips", integer, 10},
	}, Charts: []chart{
		{Title: "技术交易额（万元）", Category: "month", Values: []string{"transaction_value_wan"}},
		{Title: "榜单数：发布、揭榜、验收", Category: "month", Values: []string{"challenges_published", "challenges_awarded", "challenges_accepted"}},
	}}
	committeeSheet = &sheet{Name: "指标", File: "indicators.csv", Columns: append(groupColumns,
		column{"研发投入（万元）", "rd_spend_wan", wan, 16},
		column{"营业收入（万元）", "revenue_wan", wan, 16},
		column{"研发投入强度（%）", "rd_intensity_pct", decimal, 16},
		column{"技术交易额（万元）", "transaction_value_wan", wan, 18},
		column{"发布榜数", "challenges_published", integer, 10},
		column{"揭榜数", "challenges_awarded", integer, 10},
		column{"验收数", "challenges_accepted", integer, 10},
		column{"大足天数", "dazu_days", integer, 10},
		column{"跨城次数", "trips", integer, 10},
		column{"产业链带动系数", "chain_multiplier", decimal, 14},
	), Below: committeeMonthSheet}
	rdRowSheet = &sheet{Name: "研发投入明细", File: "rd.csv", Columns: append(groupColumns,
		column{"企业ID", "enterprise", text, 18},
		column{"企业", "enterprise_name", text, 30},
		column{"研发投入（万元）", "rd_spend_wan", wan, 16},
		column{"营业收入（万元）", "revenue_wan", wan, 16},
		column{"问卷ID", "surveys", text, 36},
	)}
	challengeRowSheet = &sheet{Name: "榜单明细", File: "challenges.csv", Columns: append(groupColumns,
		column{"计入", "figure", text, 8},
		column{"榜单ID", "challenge", text, 18},
		column{"榜单", "title", text, 30},
		column{"企业ID", "enterprise", text, 18},
		column{"时间", "at", datetime, 17},
		column{"技术交易额（万元）", "contract_value_wan", wan, 18},
	)}
	engineerRowSheet = &sheet{Name: "工程师明细", File: "engineers.csv", Columns: append(groupColumns,
		column{"工程师ID", "engineer", text, 18},
		column{"工程师", "engineer_name", text, 14},
		column{"大足单位ID", "employer", text, 18},
		column{"大足天数", "dazu_days", integer, 10},
		column{"跨城次数", "trips", integer, 10},
		column{"大足日期", "days", text, 40},
	)}
	chainRowSheet = &sheet{Name: "带动明细", File: "chain.csv", Columns: append(groupColumns,
		column{"榜单ID", "challenge", text, 18},
		column{"榜单", "title", text, 30},
		column{"带动企业数", "enterprises", integer, 10},
		column{"企业ID", "enterprise_ids", text, 40},
	)}
	committeeSheets = []*sheet{committeeSheet, rdRowSheet, challengeRowSheet, engineerRowSheet, chainRowSheet}
)

// groupColumns name the group of every row of the committee workbook. A fresh slice each time it
// is appended to: its capacity is its length.
var groupColumns = []column{
	{"月份", "month", text, 10},
	{"园区", "park", text, 12},
	{"行业", "industry", text, 10},
}[:3:3]

// CommitteeWorkbook writes the committee workbook of ind to out: the figures per month, park and
// industry with the period's months and two charts under them, then one sheet of the rows of
// each figure. Every figure is what its rows add up to (docs/indicators.md).
func CommitteeWorkbook(ctx context.Context, ind Indicators, out io.Writer, opts Options) (Result, error) {
	p, err := ParsePeriod(ind.From, ind.To)
	if err != nil {
		return Result{}, err
	}
	w, err := newWriter(ctx, out, committeeSheets, opts)
	if err != nil {
		return Result{}, err
	}
	each := func(emit func(g IndicatorGroup, key []any) error) error {
		for _, g := range ind.Groups {
			if err := emit(g, []any{g.Month, groupLabel(g.Park), groupLabel(g.Industry)}); err != nil {
				return err
			}
		}
		return nil
	}
	return w.run([]step{
		{committeeSheet, func(t table) error {
			return each(func(g IndicatorGroup, key []any) error {
				return t.row(append(key, g.RDSpendWan, g.RevenueWan, orNil(g.RDIntensityPct), g.TransactionValueWan,
					g.Published, g.Awarded, g.Accepted, g.DazuDays, g.Trips, orNil(g.ChainMultiplier))...)
			})
		}},
		{committeeMonthSheet, func(t table) error {
			for i := range p.Months() {
				m := p.month(i).Format(monthLayout)
				var total IndicatorGroup
				for _, g := range ind.Groups {
					if g.Month == m {
						total.TransactionValueWan += g.TransactionValueWan
						total.Published += g.Published
						total.Awarded += g.Awarded
						total.Accepted += g.Accepted
						total.DazuDays += g.DazuDays
						total.Trips += g.Trips
					}
				}
				if err := t.row(m, total.TransactionValueWan, total.Published, total.Awarded, total.Accepted,
					total.DazuDays, total.Trips); err != nil {
					return err
				}
			}
			return nil
		}},
		{rdRowSheet, func(t table) error {
			return each(func(g IndicatorGroup, key []any) error {
				for _, r := range g.Rows.RD {
					if err := t.row(append(key, r.Enterprise, r.Name, r.RDSpendWan, r.RevenueWan, strings.Join(r.Surveys, " "))...); err != nil {
						return err
					}
				}
				return nil
			})
		}},
		{challengeRowSheet, func(t table) error {
			return each(func(g IndicatorGroup, key []any) error {
				for _, part := range []struct {
					figure string
					rows   []ChallengeRow
				}{{"发布", g.Rows.Published}, {"揭榜", g.Rows.Awarded}, {"验收", g.Rows.Accepted}} {
					for _, r := range part.rows {
						if err := t.row(append(key, part.figure, r.Challenge, r.Title, r.Enterprise, wall(r.At), r.ContractValueWan)...); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}},
		{engineerRowSheet, func(t table) error {
			return each(func(g IndicatorGroup, key []any) error {
				for _, r := range g.Rows.Engineers {
					if err := t.row(append(key, r.Engineer, r.Name, r.Employer, len(r.DazuDays), len(r.Trips), strings.Join(r.DazuDays, " "))...); err != nil {
						return err
					}
				}
				return nil
			})
		}},
		{chainRowSheet, func(t table) error {
			return each(func(g IndicatorGroup, key []any) error {
				for _, r := range g.Rows.Chain {
					if err := t.row(append(key, r.Challenge, r.Title, len(r.Enterprises), strings.Join(r.Enterprises, " "))...); err != nil {
						return err
					}
				}
				return nil
			})
		}},
	})
}

// groupLabel is the Chinese name of a park or an industry; 未填 when not recorded.
func groupLabel(v string) string {
	if v == "" {
		return "未填"
	}
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}

// orNil is a figure that may be missing, as a cell value: empty when missing.
func orNil(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
