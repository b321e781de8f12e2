package workbook

import (
	"context"
	"io"
	"slices"

	"github.com/pocketbase/dbx"

	"feidi/hooks/lib/tz"
)

// The sheets of the needs summary, in the order people see them.
var (
	// Needs by category and status, under the summary: what its chart draws.
	categoryStatusSheet = &sheet{Name: "类别状态", File: "category_status.csv", Columns: []column{
		{"类别", "category", text, 12},
		{"待处理", "open", integer, 10},
		{"已发布", "published", integer, 10},
		{"已揭榜", "claimed", integer, 10},
		{"已解决", "resolved", integer, 10},
		{"已撤回", "withdrawn", integer, 10},
		{"合计", "needs", integer, 10},
	}, Charts: []chart{
		{Title: "需求数：按类别与状态", Category: "category", Values: statuses, Stacked: true},
	}}
	needsSummarySheet = &sheet{Name: "汇总", File: "summary.csv", Columns: []column{
		{"行业", "industry", text, 12},
		{"类别", "category", text, 10},
		{"状态", "status", text, 10},
		{"需求数", "needs", integer, 10},
		{"预算合计（万元）", "budget_wan", wan, 16},
	}, Below: categoryStatusSheet}
	enterpriseSheet = &sheet{Name: "企业", File: "enterprises.csv", Columns: []column{
		{"企业ID", "enterprise", text, 18},
		{"企业", "enterprise_name", text, 30},
		{"统一社会信用代码", "uscc", text, 21},
		{"行业", "industry", text, 12},
		{"园区", "park", text, 14},
		{"需求数", "needs", integer, 10},
		{"预算合计（万元）", "budget_wan", wan, 16},
		{"来源问卷数", "surveys", integer, 10},
	}}
	needSheet = &sheet{Name: "需求明细", File: "needs.csv", Columns: []column{
		{"需求ID", "id", text, 18},
		{"企业ID", "enterprise", text, 18},
		{"企业", "enterprise_name", text, 30},
		{"行业", "industry", text, 12},
		{"类别", "category", text, 10},
		{"状态", "status", text, 10},
		{"标题", "title", text, 40},
		{"预算（万元）", "budget_wan", wan, 12},
		{"截止日期", "deadline", date, 11},
		{"来源问卷ID", "survey", text, 18},
		{"登记时间", "created", datetime, 17},
	}}
	surveySheet = &sheet{Name: "来源问卷", File: "surveys.csv", Columns: []column{
		{"问卷ID", "id", text, 18},
		{"企业", "enterprise_name", text, 30},
		{"走访专员", "officer", text, 24},
		{"走访时间", "visited_at", datetime, 17},
		{"问卷状态", "status", text, 10},
		{"需求数", "needs", integer, 10},
	}}
	needsSheets = []*sheet{needsSummarySheet, enterpriseSheet, needSheet, surveySheet}
)

var (
	industries = []string{"hardware", "auto_moto", "medical_device", "aerospace", "low_altitude", "digital_culture", "new_material", "other"}
	categories = []string{"technology", "talent", "equipment", "finance", "policy"}
	statuses   = []string{"open", "published", "claimed", "resolved", "withdrawn"}
	labels     = map[string]string{
		"hardware": "五金", "auto_moto": "汽摩", "medical_device": "医疗器械", "aerospace": "航空航天",
		"low_altitude": "低空制造", "digital_culture": "数字文创", "new_material": "新材料", "other": "其他",
		"technology": "技术", "talent": "人才", "equipment": "设备", "finance": "金融", "policy": "政策",
		"open": "待处理", "published": "已发布", "claimed": "已揭榜", "resolved": "已解决", "withdrawn": "已撤回",
		"shuangqiao_edz": "双桥经开区", "dazu_hitech": "大足高新区",
		"draft": "草稿", "submitted": "已提交", "reviewed": "已审核", "returned": "已退回",
	}
)

type need struct {
	ID             string  `db:"id"`
	Enterprise     string  `db:"enterprise"`
	EnterpriseName string  `db:"enterprise_name"`
	USCC           string  `db:"uscc"`
	Industry       string  `db:"industry"`
	Park           string  `db:"park"`
	Category       string  `db:"category"`
	Status         string  `db:"status"`
	Title          string  `db:"title"`
	Budget         float64 `db:"budget_wan"`
	Deadline       string  `db:"deadline"`
	Survey         string  `db:"survey"`
	Created        string  `db:"created"`
}

type sourceSurvey struct {
	ID             string `db:"id"`
	EnterpriseName string `db:"enterprise_name"`
	Officer        string `db:"officer"`
	VisitedAt      string `db:"visited_at"`
	Status         string `db:"status"`
	Needs          int    `db:"needs"`
}

type needTotal struct {
	needs   int
	budget  float64
	surveys map[string]bool
}

type enterpriseTotal struct {
	need // the enterprise's columns of its first need
	needTotal
}

// Needs writes the needs summary of the enclave committee for the needs registered in the
// period: counts and budgets by industry, category and status, per enterprise, every need, and
// the surveys they came from.
func Needs(ctx context.Context, db dbx.Builder, p Period, out io.Writer, opts Options) (Result, error) {
	w, err := newWriter(ctx, out, needsSheets, opts)
	if err != nil {
		return Result{}, err
	}
	groups := map[[3]string]*needTotal{}
	var enterprises []*enterpriseTotal // in the order of the needs: by enterprise name
	return w.run([]step{
		{needSheet, func(t table) error {
			const q = `SELECT n.id, n.enterprise, e.name AS enterprise_name, e.uscc, e.industry, e.park, n.category,
				n.status, n.title, n.budget_wan, n.deadline, n.survey, n.created
				FROM needs n JOIN enterprises e ON e.id = n.enterprise
				WHERE n.created >= {:start} AND n.created < {:end}
				AND (e.name, e.id, n.id) > ({:name}, {:enterprise}, {:id})
				ORDER BY e.name, e.id, n.id LIMIT {:limit}` // names are not unique: e.id keeps a firm's needs together
			params := dbx.Params{"name": "", "enterprise": "", "id": ""}
			p.bind(params)
			after := func(last need, p dbx.Params) {
				p["name"], p["enterprise"], p["id"] = last.EnterpriseName, last.Enterprise, last.ID
			}
			return pages(w, db, q, []dbx.Params{params}, after, func(_ int, n need) error {
				k := [3]string{n.Industry, n.Category, n.Status}
				if groups[k] == nil {
					groups[k] = &needTotal{}
				}
				groups[k].needs++
				groups[k].budget += n.Budget
				if len(enterprises) == 0 || enterprises[len(enterprises)-1].Enterprise != n.Enterprise {
					enterprises = append(enterprises, &enterpriseTotal{need: n, needTotal: needTotal{surveys: map[string]bool{}}})
				}
				e := enterprises[len(enterprises)-1]
				e.needs++
				e.budget += n.Budget
				if n.Survey != "" {
					e.surveys[n.Survey] = true
				}
				var deadline any
				if n.Deadline != "" {
					deadline = tz.AsDay(parseDate(n.Deadline)) // a device may send Shanghai midnight as an instant
				}
				return t.row(n.ID, n.Enterprise, n.EnterpriseName, labels[n.Industry], labels[n.Category], labels[n.Status],
					n.Title, n.Budget, deadline, n.Survey, wall(parseDate(n.Created)))
			})
		}},
		{surveySheet, func(t table) error {
			const q = `SELECT s.id, e.name AS enterprise_name, COALESCE(NULLIF(u.name, ''), u.email, '') AS officer,
				s.visited_at, s.status, COUNT(n.id) AS needs
				FROM needs n JOIN surveys s ON s.id = n.survey JOIN enterprises e ON e.id = s.enterprise
				LEFT JOIN users u ON u.id = s.officer
				WHERE n.created >= {:start} AND n.created < {:end} AND s.id > {:id}
				GROUP BY s.id ORDER BY s.id LIMIT {:limit}`
			params := dbx.Params{"id": ""}
			p.bind(params)
			after := func(last sourceSurvey, p dbx.Params) { p["id"] = last.ID }
			return pages(w, db, q, []dbx.Params{params}, after, func(_ int, s sourceSurvey) error {
				var visited any
				if s.VisitedAt != "" {
					visited = wall(parseDate(s.VisitedAt))
				}
				return t.row(s.ID, s.EnterpriseName, s.Officer, visited, labels[s.Status], s.Needs)
			})
		}},
		{enterpriseSheet, func(t table) error {
			for _, e := range enterprises {
				if err := t.row(e.Enterprise, e.EnterpriseName, e.USCC, labels[e.Industry], labels[e.Park],
					e.needs, e.budget, len(e.surveys)); err != nil {
					return err
				}
			}
			return nil
		}},
		{needsSummarySheet, func(t table) error {
			keys := make([][3]string, 0, len(groups))
			for k := range groups {
				keys = append(keys, k)
			}
			order := func(values []string, v string) int { return slices.Index(values, v) }
			slices.SortFunc(keys, func(a, b [3]string) int {
				for i, values := range [][]string{industries, categories, statuses} {
					if d := order(values, a[i]) - order(values, b[i]); d != 0 {
						return d
					}
				}
				return 0
			})
			for _, k := range keys {
				if err := t.row(labels[k[0]], labels[k[1]], labels[k[2]], groups[k].needs, groups[k].budget); err != nil {
					return err
				}
			}
			return nil
		}},
		{categoryStatusSheet, func(t table) error {
			// Every category, with or without needs, so that the chart's axis does not move.
			for _, c := range categories {
				row, total := []any{labels[c]}, 0
				for _, s := range statuses {
					n := 0
					for k, g := range groups {
						if k[1] == c && k[2] == s {
							n += g.needs
						}
					}
					row = append(row, n)
					total += n
				}
				if err := t.row(append(row, total)...); err != nil {
					return err
				}
			}
			return nil
		}},
	})
}
