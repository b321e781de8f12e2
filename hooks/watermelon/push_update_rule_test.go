package watermelon_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/watermelon"
)

// TestEditsJudgedTogetherGetEachRecordsOwnVerdict: a push's edits of a table are judged by the
// update rule in one query for each request body the rule reads; the verdicts must be those of
// judging every edit by itself (as a REST PATCH is), record by record — allowed and refused
// edits mixed, on rows the rule lets through and rows it does not, with bodies it reads and
// bodies it does not.
func TestEditsJudgedTogetherGetEachRecordsOwnVerdict(t *testing.T) {
	pushes := []struct {
		user    string
		changes map[string]map[string]any
	}{
		{at.OfficerA, map[string]map[string]any{
			"surveys": set(nil, []map[string]any{
				wm("updated", map[string]any{"id": at.SurveyDraftA, "notes": "草稿补充"}),        // own draft: allowed
				wm("updated", map[string]any{"id": at.SurveyReturnedA, "notes": "按退回意见补充"}),  // own, returned: allowed
				wm("updated", map[string]any{"id": at.SurveySubmittedA, "notes": "已提交的不能改"}), // own, submitted: refused
				wm("updated", map[string]any{"id": at.SurveyDraftB, "notes": "别人的草稿"}),       // another officer's: refused
			}),
			"needs": set(nil, []map[string]any{
				wm("updated", map[string]any{"id": at.NeedOpenA, "status": "withdrawn"}),     // body read, allowed
				wm("updated", map[string]any{"id": at.NeedOpenB, "status": "withdrawn"}),     // the same body, another's: refused
				wm("updated", map[string]any{"id": at.NeedPublished, "status": "withdrawn"}), // not open
			}),
		}},
		{at.EngineerA, map[string]map[string]any{
			"commute_logs": set(nil, []map[string]any{
				wm("updated", map[string]any{"id": at.CommuteA, "note": "改签了"}),                                   // own: allowed
				wm("updated", map[string]any{"id": at.CommuteB, "note": "不是我的"}),                                  // another's: refused
				wm("updated", map[string]any{"id": at.CommuteNoLogin, "engineer": at.EngineerRecA, "note": "归我"}), // body names me, row is not mine
			}),
			"schedules": set(nil, []map[string]any{
				wm("updated", map[string]any{"id": at.ScheduleA, "engineer": at.EngineerRecB}), // own row, body gives it away: refused
				wm("updated", map[string]any{"id": at.ScheduleB, "engineer": at.EngineerRecA}), // another's row
			}),
		}},
	}
	run := func() (outcome []string) {
		app, first := newDevice(t, pushes[0].user)
		for _, p := range pushes {
			d := first.as(p.user, app)
			d.pull()
			status, answer := d.push(tables(p.changes))
			outcome = append(outcome, fmt.Sprintf("%s: %d %s", p.user, status, jsonOf(answer)))
			for table, set := range p.changes {
				for _, raw := range set["updated"].([]map[string]any) {
					r, err := app.FindRecordById(table, raw["id"].(string))
					if err != nil {
						t.Fatal(err)
					}
					stored, _ := r.MarshalJSON()
					outcome = append(outcome, fmt.Sprintf("%s/%s: %s", table, r.Id, stripTimes(string(stored))))
				}
			}
		}
		rejects, err := app.FindRecordsByFilter("sync_rejects", "", "record_id", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rejects {
			outcome = append(outcome, "reject "+r.GetString("table")+"/"+r.GetString("record_id")+": "+r.GetString("message"))
		}
		slices.Sort(outcome)
		return outcome
	}
	together := run()
	restore := watermelon.JudgeUpdatesOneByOne()
	oneByOne := run()
	restore()

	if !slices.Equal(together, oneByOne) {
		t.Errorf("judged together:\n%s\n\njudged one by one:\n%s", strings.Join(together, "\n"), strings.Join(oneByOne, "\n"))
	}
	text := strings.Join(together, "\n")
	for _, want := range []string{"草稿补充", "按退回意见补充", "改签了", `"status":"withdrawn"`, "do not let you update this record"} {
		if !strings.Contains(text, want) {
			t.Errorf("the push does not have both verdicts (%q missing):\n%s", want, text)
		}
	}
	for _, refused := range []string{"已提交的不能改", "别人的草稿", "不是我的"} {
		if strings.Contains(text, `"notes":"`+refused) || strings.Contains(text, `"note":"`+refused) {
			t.Errorf("a refused edit (%q) was written:\n%s", refused, text)
		}
	}
}

// stripTimes drops a record's timestamps, which differ from run to run.
func stripTimes(s string) string {
	return regexp.MustCompile(`"(created|updated)":"[^"]*",?`).ReplaceAllString(s, "")
}
