package seed

import (
	"fmt"
	"slices"
	"time"

	"feidi/hooks/challenges"
	"feidi/hooks/lib/tz"
)

// demoTeam is a research team of a Chengdu institution, with one researcher who logs in.
type demoTeam struct {
	id, name, institution, specialty string
	researcher                       demoUser
}

var demoTeams = []demoTeam{
	{"SeedTeam00000001", "先进热处理课题组", "四川大学", "热处理 真空热处理 表面改性 金相分析",
		demoUser{"seedresearch001", "research1@feidi.local", "何静", "research", ""}},
	{"SeedTeam00000002", "精密制造与检测实验室", "电子科技大学", "精密加工 五轴加工 电解抛光 精密检测",
		demoUser{"seedresearch002", "research2@feidi.local", "邓超", "research", ""}},
	{"SeedTeam00000003", "材料成型与粉末冶金团队", "西南交通大学", "粉末冶金 铸造 CAE模拟 烧结",
		demoUser{"seedresearch003", "research3@feidi.local", "罗佳", "research", ""}},
	{"SeedTeam00000004", "工业设计与数字文创中心", "西华大学", "产品结构设计 人体工学 数字文创 AR",
		demoUser{"seedresearch004", "research4@feidi.local", "苏晴", "research", ""}},
}

// demoChallenge publishes one of the demo needs (enterprise i, need j) and takes it as far as
// status: the proposals of the teams (by index; the first wins an award), the contract's value,
// the engineers linked (by index) and the milestones (title, done).
type demoChallenge struct {
	enterprise, need int
	status           string
	teams            []int
	valueWan         float64
	engineers        []int
	milestones       []demoMilestone
	keywords         string
}

type demoMilestone struct {
	title string
	done  bool
}

var demoChallenges = []demoChallenge{
	{enterprise: 0, status: "open", teams: []int{0, 1}, keywords: "热处理 淬火 变形"},
	{enterprise: 1, status: "open", teams: []int{3}, keywords: "结构设计 人体工学"},
	{enterprise: 3, status: "accepted", teams: []int{1, 0}, valueWan: 180, engineers: []int{10, 21},
		milestones: []demoMilestone{{"电解抛光工艺验证", true}, {"小批量试产", true}}, keywords: "抛光 表面"},
	{enterprise: 4, status: "open", teams: []int{1}, keywords: "五轴加工 薄壁件"},
	{enterprise: 6, status: "open", teams: []int{3}, keywords: "AR 数字文创"},
	{enterprise: 8, status: "in_progress", teams: []int{2}, valueWan: 140, engineers: []int{5, 16},
		milestones: []demoMilestone{{"配方正交试验", true}, {"烧结致密度达标", false}}, keywords: "粉末冶金 烧结"},
	{enterprise: 10, status: "awarded", teams: []int{2, 1}, valueWan: 90, engineers: []int{10},
		milestones: []demoMilestone{{"CAE浇注模拟", false}}, keywords: "铸造 CAE"},
}

// path is the way a demo challenge goes from open to its status.
var path = []string{"open", "awarded", "in_progress", "delivered", "accepted"}

// board seeds the challenge board: teams and their researchers, challenges published from the
// demo needs, proposals, awards, milestones and linked engineers. Each move is made once, as an
// admin would, and then given the demo calendar's time (August to October 2026).
func (s *seeder) board() error {
	for _, t := range demoTeams {
		if err := s.put("users", t.researcher.id, map[string]any{"email": t.researcher.email, "name": t.researcher.name,
			"role": t.researcher.role}); err != nil {
			return err
		}
		if err := s.put(challenges.Teams, t.id, map[string]any{"name": t.name, "institution": t.institution,
			"specialty": t.specialty, "members": []string{t.researcher.id}}); err != nil {
			return err
		}
	}
	for k, c := range demoChallenges {
		e := demoEnterprises[c.enterprise]
		n := e.needs[c.need]
		id := fmt.Sprintf("SeedChallenge%03d", k+1)
		// The need was surveyed in September (surveys()); it is published a week later.
		published := time.Date(2026, 9, 8+c.enterprise, 2, 0, 0, 0, time.UTC)
		if err := s.put(challenges.Challenges, id, map[string]any{"title": n.title, "problem": n.description,
			"solved_when": "企业验收通过：" + n.title, "budget_wan": n.budget, "budget_private": c.enterprise%3 == 2,
			"deadline": tz.Day(published.AddDate(0, 6, 0)), "enterprise": enterpriseID(c.enterprise),
			"survey": fmt.Sprintf("SeedSurvey%06d", c.enterprise+1), "need": fmt.Sprintf("SeedNeed%04d%04d", c.enterprise+1, c.need+1),
			"keywords": c.keywords, "status": "open"}); err != nil {
			return err
		}
		for p, team := range c.teams {
			t := demoTeams[team]
			if err := s.put(challenges.Proposals, fmt.Sprintf("SeedProposal%02d%02d", k+1, p+1), map[string]any{
				"challenge": id, "team": t.id, "submitted_by": t.researcher.id, "status": "submitted",
				"approach":   t.name + "：" + t.specialty + "，针对「" + n.title + "」提出工艺方案。",
				"budget_wan": n.budget * (0.8 + 0.1*float64(p)), "timeline": "六个月，分两个里程碑"}); err != nil {
				return err
			}
		}
		// Milestones and engineers belong to a challenge being worked on: the award first,
		// then them, then the rest of the way.
		if err := s.advance(id, k, c, published, min(slices.Index(path, c.status), 1)); err != nil {
			return err
		}
		for _, i := range c.engineers {
			if err := s.put(challenges.Engineers, fmt.Sprintf("SeedLink%02d%06d", k+1, i+1), map[string]any{
				"challenge": id, "engineer": engineerID(i), "role": "驻厂攻关"}); err != nil {
				return err
			}
		}
		for m, ms := range c.milestones {
			data := map[string]any{"challenge": id, "title": ms.title, "status": "pending",
				"due_on": tz.Day(published.AddDate(0, 1+m, 0))}
			if ms.done {
				data["status"], data["evidence_note"] = "done", "检测报告已上传，企业确认。"
			}
			if err := s.put(challenges.Milestones, fmt.Sprintf("SeedMilestone%d%02d", k+1, m+1), data); err != nil {
				return err
			}
		}
		if err := s.advance(id, k, c, published, slices.Index(path, c.status)); err != nil {
			return err
		}
	}
	return nil
}

// advance moves challenge id from where it is along path up to path[target], the first team's
// proposal awarded, and gives each step the demo calendar's time: a week after the one before
// it, from publication. A step made already is not made again, so a second run changes nothing.
func (s *seeder) advance(id string, k int, c demoChallenge, published time.Time, target int) error {
	r, err := s.app.FindRecordById(challenges.Challenges, id)
	if err != nil {
		return err
	}
	at := slices.Index(path, r.GetString("status"))
	if at < 0 || at > target { // closed by hand since, or further already
		return nil
	}
	for i := at + 1; i <= target; i++ {
		if path[i] == "awarded" {
			r.Set("awarded_proposal", fmt.Sprintf("SeedProposal%02d01", k+1))
			r.Set("contract_value_wan", c.valueWan)
		}
		r.Set("status", path[i])
		if err := s.app.SaveWithContext(s.ctx, r); err != nil {
			return fmt.Errorf("seed challenge %s to %s: %w", id, path[i], err)
		}
	}
	stamps := map[string]string{"open": "published_at", "awarded": "awarded_at", "in_progress": "started_at",
		"delivered": "delivered_at", "accepted": "accepted_at"}
	changed := false
	for i := 0; i <= target; i++ {
		when := published.AddDate(0, 0, 7*i)
		if !r.GetDateTime(stamps[path[i]]).Time().Equal(when) {
			r.Set(stamps[path[i]], when)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.app.SaveWithContext(s.ctx, r)
}
