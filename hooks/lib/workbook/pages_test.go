package workbook_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
	"feidi/hooks/lib/workbook/workbooktest"
)

// TestTripsPageThroughTiesAndEngineers gives one engineer more than two pages of trips (pages
// are 1,000 rows), in threes that depart at the same instant so that page ends fall inside a
// tie, with ids out of time order, and checks that the trips' table lists every trip of the
// period once, engineer by engineer, in (departure, id) order: the keyset moves past a page
// and on to the next engineer without losing or repeating a row.
func TestTripsPageThroughTiesAndEngineers(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	li := c.Engineers[1]
	const many = 2345 // 2 full pages and a part; 1,000 is not a multiple of 3
	start := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]bool{}
	err := app.RunInTransaction(func(tx core.App) error {
		for k := range many {
			depart := start.Add(time.Duration(k/3) * 15 * time.Minute)
			id := fmt.Sprintf("pg%013d", k*7919%100000) // unique, and not in time order
			want[id] = true
			_, err := tx.DB().Insert("commute_logs", dbx.Params{
				"id": id, "engineer": li, "from_city": "chengdu", "to_city": "dazu",
				"depart_at": depart.Format(types.DefaultDateLayout),
				"arrive_at": depart.Add(70 * time.Minute).Format(types.DefaultDateLayout),
				"mode":      "hsr", "distance_km": 240, "cost_yuan": 48,
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	p, err := workbook.ParsePeriod(workbooktest.From, workbooktest.To)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := workbook.Cohort(context.Background(), app.DB(), c.ID, p, &out, workbook.Options{Sheet: "commute_logs.csv"}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:] // the header
	var engineers []string
	seen := map[string]bool{}
	for i, r := range rows {
		id, engineer, depart := r[0], r[1], r[5]
		if seen[id] {
			t.Fatalf("row %d: trip %s listed twice", i, id)
		}
		seen[id] = true
		if len(engineers) == 0 || engineers[len(engineers)-1] != engineer {
			if slices.Contains(engineers, engineer) {
				t.Fatalf("row %d: engineer %s's trips are not together", i, engineer)
			}
			engineers = append(engineers, engineer)
		} else if prev := rows[i-1]; prev[5] > depart || prev[5] == depart && prev[0] > id {
			t.Fatalf("row %d: trip %s (%s) after %s (%s): not in (departure, id) order", i, id, depart, prev[0], prev[5])
		}
	}
	for id := range want {
		if !seen[id] {
			t.Fatalf("trip %s is missing", id)
		}
	}
	// 张三's three trips of the period and 李四's one, besides the many.
	if len(rows) != many+4 || len(engineers) != 2 {
		t.Errorf("%d trips of %d engineers, want %d of 2", len(rows), len(engineers), many+4)
	}
}
