package workbook

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	_ "feidi/migrations" // the schema and its indexes
)

// TestTripsReadTheCoveringIndex checks with EXPLAIN QUERY PLAN that a page of an engineer's
// trips is a range of idx_commute_logs_export read alone: no lookup of each row in the table and
// no sort of the page (BENCHMARKS.md, Exports).
func TestTripsReadTheCoveringIndex(t *testing.T) {
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	p, err := ParsePeriod("2026-01", "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	params := dbx.Params{"engineer": "e", "at": "2026-01-05 00:00:00.000Z", "id": "i", "limit": pageSize}
	p.bind(params)
	var plan []struct {
		Detail string `db:"detail"`
	}
	if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + tripsQuery).Bind(params).All(&plan); err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	const want = "SEARCH commute_logs USING COVERING INDEX idx_commute_logs_export (engineer=? AND depart_at>? AND depart_at<?)"
	if got := strings.Join(details, "; "); got != want {
		t.Errorf("plan of the trips' query is %q, want %q", got, want)
	}
}
