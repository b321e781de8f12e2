package match_test

import (
	"strings"
	"testing"

	"feidi/hooks/cmd/seed"
	"feidi/hooks/lib/match"
)

// expected are the seed's needs whose best engineer a reader names at once, by the field that
// begins the specialty; the others (a shared measuring machine, a loan) fit nobody in particular.
var expected = map[string]string{
	"刀剪热处理变形控制":   "热处理",
	"热处理工程师":      "热处理",
	"新型厨用剪刀结构设计":  "模具设计",
	"质量工程师":       "质量管理",
	"手术器械精密抛光":    "表面工程",
	"医疗器械注册人制度咨询": "医疗器械注册",
	"钛合金薄壁件加工变形":  "精密加工",
	"飞控算法工程师":     "飞控算法",
	"石刻AR导览与数字藏品": "数字孪生",
	"激光焊接设备":      "焊接工艺",
	"粉末冶金配方优化":    "材料成型",
	"机器人应用工程师":    "工业机器人",
	"铸件气孔缺陷分析":    "材料成型",
}

// bestOf ranks the seed's specialties for each need and returns how many needs of expected get
// their expected specialty first.
func bestOf(t *testing.T, tok match.Tokenizer) int {
	t.Helper()
	x, err := match.New([]match.Column{{Name: "specialty", Weight: 1}}, tok)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, s := range seed.Specialties {
		if err := x.Add(s, s); err != nil {
			t.Fatal(err)
		}
	}
	right := 0
	for _, n := range seed.Needs() {
		want, ok := expected[n.Title]
		hits, err := x.Search(n.Title+" "+n.Description, 3)
		if err != nil {
			t.Fatal(err)
		}
		best := ""
		if len(hits) > 0 {
			best = hits[0].ID
		}
		if ok && strings.HasPrefix(best, want) {
			right++
		}
		t.Logf("%v %s → %q %v", tok, n.Title, best, match.Shared(best, n.Title+" "+n.Description))
	}
	return right
}

// TestMatchingOnTheSeedsNeeds measures the ranking on the seed's needs and specialties: with
// two-character terms every need with an obvious engineer gets that engineer first; FTS5's
// trigram tokenizer alone is logged for comparison (it misses two-character words).
func TestMatchingOnTheSeedsNeeds(t *testing.T) {
	bigrams := bestOf(t, match.Bigrams)
	trigrams := bestOf(t, match.Trigrams)
	t.Logf("best match right: bigrams %d of %d, trigrams %d of %d", bigrams, len(expected), trigrams, len(expected))
	if bigrams != len(expected) {
		t.Errorf("bigrams: %d of %d needs got their expected engineer first", bigrams, len(expected))
	}
}

// TestShared: why a document matched, in its own words.
func TestShared(t *testing.T) {
	got := match.Shared("热处理（真空热处理、淬火回火工艺）", "刀剪热处理变形控制 淬火后刀身翘曲率偏高，需要优化工艺曲线。")
	if strings.Join(got, ",") != "热处理,淬火,工艺" {
		t.Errorf("shared %v", got)
	}
	if got := match.Shared("材料成型（CAE模拟）", "需要cae模拟"); strings.Join(got, ",") != "cae,模拟" {
		t.Errorf("shared %v", got)
	}
}
