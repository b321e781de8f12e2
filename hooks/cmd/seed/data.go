package seed

import (
	"encoding/json"
)

type demoUser struct{ id, email, name, role, phone string }

const (
	coordinatorID = "seedcoordinator"
	cohortID      = "SeedCohort000001"
)

var demoUsers = []demoUser{
	{"seedadmin000001", "admin@feidi.local", "周建国", "admin", "023-43780001"},
	{"seedofficer0001", "officer1@feidi.local", "王芳", "officer", "13808300101"},
	{"seedofficer0002", "officer2@feidi.local", "李强", "officer", "13808300102"},
	{"seedofficer0003", "officer3@feidi.local", "何晓燕", "officer", "13808300103"},
	{coordinatorID, "coordinator@feidi.local", "陈静", "coordinator", "028-85400123"},
}

type demoNeed struct {
	category, title, description string
	budget                       float64
}

type demoEnterprise struct {
	name, industry, park, town, street, contact string
	employees                                   int
	revenue, rd                                 float64
	needs                                       []demoNeed
}

// answers fills the enterprise needs form from what the firm told the officer.
func (e demoEnterprise) answers() string {
	var problems, talent, equipment []map[string]any
	for _, n := range e.needs {
		switch n.category {
		case "technology":
			problems = append(problems, map[string]any{"title": n.title, "field": "工艺优化", "description": n.description, "budget_wan": n.budget})
		case "talent":
			talent = append(talent, map[string]any{"position": n.title, "count": 2, "level": "工程师", "dual_appointment": true})
		case "equipment":
			equipment = append(equipment, map[string]any{"name": n.title, "purpose": n.description, "shared_use_ok": true})
		}
	}
	if problems == nil {
		problems = []map[string]any{}
	}
	if talent == nil {
		talent = []map[string]any{}
	}
	a := map[string]any{
		"rd":                  map[string]any{"spend_wan": e.rd, "revenue_share_pct": round1(100 * e.rd / e.revenue), "staff": e.employees / 12, "has_rd_center": e.rd > 300},
		"technology_problems": problems,
		"talent_needs":        talent,
		"policy_needs":        []string{"研发费用加计扣除", "人才补贴"},
	}
	if equipment != nil {
		a["equipment_needs"] = equipment
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func round1(v float64) float64 { return float64(int(v*10+0.5)) / 10 }

var demoEnterprises = []demoEnterprise{
	{"重庆大足龙水五金制品有限公司", "hardware", "shuangqiao_edz", "龙水镇", "五金大道18号", "刘德明", 260, 18600, 540, []demoNeed{
		{"technology", "刀剪热处理变形控制", "淬火后刀身翘曲率偏高，需要成都高校热处理团队优化工艺曲线。", 120},
		{"talent", "热处理工程师", "熟悉真空热处理与金相分析。", 0}}},
	{"重庆大足锦源刀具有限公司", "hardware", "shuangqiao_edz", "龙水镇", "工业园区二路6号", "张志刚", 140, 7200, 210, []demoNeed{
		{"technology", "新型厨用剪刀结构设计", "需要人体工学设计与新材料刃口方案。", 60}}},
	{"重庆双桥汽摩零部件有限公司", "auto_moto", "shuangqiao_edz", "龙滩子街道", "双桥大道99号", "黄伟", 520, 46000, 1380, []demoNeed{
		{"equipment", "三坐标测量仪共享使用", "每月约40小时检测需求。", 0},
		{"talent", "质量工程师", "熟悉IATF 16949。", 0}}},
	{"重庆大足精工医疗器械有限公司", "medical_device", "dazu_hitech", "棠香街道", "高新大道8号", "罗敏", 180, 9800, 920, []demoNeed{
		{"technology", "手术器械精密抛光", "需要电解抛光工艺验证。", 200},
		{"policy", "医疗器械注册人制度咨询", "申报二类医疗器械注册。", 0}}},
	{"重庆大足航翼精密制造有限公司", "aerospace", "dazu_hitech", "智凤街道", "科创路16号", "唐军", 210, 15200, 1100, []demoNeed{
		{"technology", "钛合金薄壁件加工变形", "五轴加工后变形超差。", 300}}},
	{"重庆飞鹰低空科技有限公司", "low_altitude", "dazu_hitech", "智凤街道", "低空产业园3栋", "谢磊", 90, 4100, 860, []demoNeed{
		{"finance", "无人机产线扩产融资", "计划融资2000万元用于二期产线。", 2000},
		{"talent", "飞控算法工程师", "需要成都团队双聘。", 0}}},
	{"重庆石刻数字文化有限公司", "digital_culture", "other", "宝顶镇", "宝顶山景区路2号", "邓丽", 45, 1600, 240, []demoNeed{
		{"technology", "石刻AR导览与数字藏品", "与成都数字文创团队共建。", 80}}},
	{"重庆大足邮亭机械有限公司", "auto_moto", "other", "邮亭镇", "邮亭工业园7号", "秦海", 310, 21000, 480, []demoNeed{
		{"equipment", "激光焊接设备", "车架焊接自动化改造。", 0},
		{"finance", "设备融资租赁", "融资租赁方式引进焊接机器人。", 600}}},
	{"重庆三驱新材料有限公司", "new_material", "other", "三驱镇", "新材料园5号", "郑涛", 120, 6300, 390, []demoNeed{
		{"technology", "粉末冶金配方优化", "提高烧结件致密度。", 150}}},
	{"重庆珠溪智能装备有限公司", "hardware", "dazu_hitech", "珠溪镇", "智能装备园12号", "许峰", 160, 8800, 510, []demoNeed{
		{"talent", "机器人应用工程师", "产线自动化集成。", 0},
		{"policy", "高新技术企业认定辅导", "", 0}}},
	{"重庆大足雍溪铸造有限公司", "auto_moto", "shuangqiao_edz", "雍溪镇", "铸造园1号", "韩斌", 380, 25500, 600, []demoNeed{
		{"technology", "铸件气孔缺陷分析", "需要CAE模拟与工艺改进。", 100}}},
	{"重庆大足龙岗电子有限公司", "other", "dazu_hitech", "龙岗街道", "电子信息园9号", "曾琳", 230, 13400, 720, []demoNeed{
		{"equipment", "EMC测试实验室共享", "产品认证前预测试。", 0}}},
}

// Specialties are the demo engineers' specialties, as an engineer would write theirs: the field,
// then what they do in it. The matching of challenges is measured against them
// (hooks/lib/match, TestMatchingOnTheSeedsNeeds).
var Specialties = []string{"热处理（真空热处理、淬火回火工艺）", "模具设计（冲压模具、产品结构设计）", "精密加工（五轴加工、薄壁件变形控制）",
	"工业机器人（焊接机器人、产线自动化集成）", "质量管理（IATF 16949、来料检测）", "材料成型（铸造、粉末冶金、CAE模拟）",
	"飞控算法（无人机飞控）", "医疗器械注册（二类医疗器械注册申报）", "数字孪生（AR、数字文创）", "焊接工艺（激光焊接）",
	"表面工程（电解抛光、耐磨涂层）"}

// Need is a need of the demo enterprises, as its officer recorded it.
type Need struct{ Category, Title, Description string }

// Needs are the demo enterprises' needs, in the order they are seeded.
func Needs() []Need {
	var out []Need
	for _, e := range demoEnterprises {
		for _, n := range e.needs {
			out = append(out, Need{n.category, n.title, n.description})
		}
	}
	return out
}

var chengduEmployers = []string{"四川大学", "电子科技大学", "西南交通大学", "西华大学", "中国科学院成都分院", "成都先进制造产业研究院", "成都工业学院"}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
var givenNames = []string{"伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文博", "思远", "雨婷", "子豪", "欣怡", "浩然", "梓涵"}

func personName(i int) string {
	return string(surnames[(i*7)%len(surnames)]) + givenNames[i%len(givenNames)]
}
