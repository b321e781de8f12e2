package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// NeedsFormCode is the code of the enterprise needs survey (企业需求动态摸排) of the article.
const NeedsFormCode = "enterprise_needs"

// needsFormSchema is the JSON Schema of the answers to version 1 of the enterprise needs survey:
// R&D spend, technology problems, talent, equipment, finance and policy needs.
const needsFormSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "企业需求动态摸排问卷",
  "type": "object",
  "additionalProperties": false,
  "required": ["rd", "technology_problems", "talent_needs"],
  "properties": {
    "rd": {
      "title": "研发投入",
      "type": "object",
      "additionalProperties": false,
      "required": ["spend_wan", "staff"],
      "properties": {
        "spend_wan": {"title": "上年度研发投入（万元）", "type": "number", "minimum": 0},
        "revenue_share_pct": {"title": "研发投入占营业收入比例（%）", "type": "number", "minimum": 0, "maximum": 100},
        "staff": {"title": "研发人员数", "type": "integer", "minimum": 0},
        "has_rd_center": {"title": "是否建有研发机构", "type": "boolean"}
      }
    },
    "technology_problems": {
      "title": "技术难题",
      "type": "array",
      "maxItems": 20,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["title"],
        "properties": {
          "title": {"title": "难题名称", "type": "string", "minLength": 2, "maxLength": 200},
          "field": {"title": "技术领域", "type": "string", "enum": ["工艺优化", "产品设计", "材料", "自动化与智能制造", "检测认证", "数字化", "其他"]},
          "description": {"title": "难题描述", "type": "string", "maxLength": 5000},
          "budget_wan": {"title": "愿意投入（万元）", "type": "number", "minimum": 0}
        }
      }
    },
    "talent_needs": {
      "title": "人才需求",
      "type": "array",
      "maxItems": 50,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["position", "count"],
        "properties": {
          "position": {"title": "岗位", "type": "string", "minLength": 1, "maxLength": 100},
          "count": {"title": "人数", "type": "integer", "minimum": 1, "maximum": 1000},
          "level": {"title": "层次", "type": "string", "enum": ["技能工人", "工程师", "高级工程师", "研发带头人"]},
          "dual_appointment": {"title": "可接受双聘", "type": "boolean"}
        }
      }
    },
    "equipment_needs": {
      "title": "设备需求",
      "type": "array",
      "maxItems": 50,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": {
          "name": {"title": "设备名称", "type": "string", "minLength": 1, "maxLength": 200},
          "purpose": {"title": "用途", "type": "string", "maxLength": 1000},
          "shared_use_ok": {"title": "可共享使用", "type": "boolean"}
        }
      }
    },
    "finance_needs": {
      "title": "融资需求",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "amount_wan": {"title": "融资额度（万元）", "type": "number", "minimum": 0},
        "kinds": {"title": "融资方式", "type": "array", "uniqueItems": true,
          "items": {"type": "string", "enum": ["银行贷款", "股权融资", "科技保险", "知识产权质押", "政府基金"]}},
        "purpose": {"title": "资金用途", "type": "string", "maxLength": 1000}
      }
    },
    "policy_needs": {
      "title": "政策需求",
      "type": "array",
      "uniqueItems": true,
      "items": {"type": "string", "enum": ["高新技术企业认定", "研发费用加计扣除", "人才补贴", "科技成果转化", "首台套", "用地用能", "其他"]}
    },
    "remarks": {"title": "其他意见建议", "type": "string", "maxLength": 5000}
  }
}`

func init() {
	m.Register(func(app core.App) error {
		forms, err := app.FindCollectionByNameOrId("survey_forms")
		if err != nil {
			return err
		}
		form := core.NewRecord(forms)
		form.Set("code", NeedsFormCode)
		form.Set("version", 1)
		form.Set("title", "大足区企业需求动态摸排（研发、技术、人才、设备、融资、政策）")
		form.Set("schema", needsFormSchema)
		form.Set("published", true)
		return app.Save(form)
	}, func(app core.App) error {
		form, err := app.FindFirstRecordByFilter("survey_forms", "code = {:code} && version = 1",
			map[string]any{"code": NeedsFormCode})
		if err != nil {
			return err
		}
		return app.Delete(form)
	})
}
