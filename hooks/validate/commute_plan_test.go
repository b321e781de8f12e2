package validate

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tests"

	_ "feidi/migrations" // the schema and its indexes; apptest would import this package
)

// TestOverlapQueriesReadOnlyNeighbours checks with EXPLAIN QUERY PLAN that each overlap query is
// a range of the (engineer, start) index bounded on both sides, so that its cost does not grow
// with the engineer's history.
func TestOverlapQueriesReadOnlyNeighbours(t *testing.T) {
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Cleanup()
	params := dbx.Params{"engineer": "e", "id": "i", "start": "2026-01-01 00:00:00.000Z", "end": "2026-01-01 01:00:00.000Z",
		"tripsFrom": "2025-12-31 12:00:00.000Z", "entriesFrom": "2025-12-31 00:00:00.000Z"}
	for query, want := range map[string]string{
		tripsOverlapping: "USING INDEX idx_commute_logs_engineer_depart_at (engineer=? AND depart_at>? AND depart_at<?)",
		entriesOverlapping + " ORDER BY starts_at": "USING INDEX idx_schedules_engineer_starts_at (engineer=? AND starts_at>? AND starts_at<?)",
		workOverlapping + " ORDER BY starts_at":    "USING INDEX idx_schedules_engineer_starts_at (engineer=? AND starts_at>? AND starts_at<?)",
	} {
		var plan []struct {
			Detail string `db:"detail"`
		}
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + query).Bind(params).All(&plan); err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, p := range plan {
			details = append(details, p.Detail)
		}
		if got := strings.Join(details, "; "); !strings.Contains(got, want) {
			t.Errorf("plan of\n%s\nis %q, want it %s", query, got, want)
		}
	}
}
