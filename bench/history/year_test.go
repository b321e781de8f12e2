// Package historybench measures how large record history grows: a year of the demo seed's
// activity scaled to 500 users, written to a real data dir, its size read from SQLite. It holds
// only a benchmark, which runs with -bench and never in a plain `go test ./...`; BENCHMARKS.md
// has the command and the figures.
package historybench

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"

	"feidi/hooks/cmd/seed"
	"feidi/hooks/history"
	"feidi/hooks/lib/apptest"
)

// seedMonths is how many months of activity the seed holds (August to October 2026).
const seedMonths = 3

// BenchmarkHistoryYear seeds a data dir (every seed record leaves its create in history through
// the real hooks), then writes what a year at 500 users adds: the seed's history rows copied
// under new record ids until they stand for twelve months of 500 users, plus one edit of each
// record (its note or a field of that size changed once) and each engineer's twelve sign-offs
// (submitted, then approved). It reports the rows and the bytes record_history and its indexes
// take on disk (SQLite's dbstat), and the bytes per row.
func BenchmarkHistoryYear(b *testing.B) {
	for b.Loop() {
		app := apptest.New(b)
		if _, err := seed.Run(app); err != nil {
			b.Fatal(err)
		}
		db := app.NonconcurrentDB()
		var users, engineers, seeded int
		if err := db.NewQuery(`SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM engineers),
			(SELECT COUNT(*) FROM record_history)`).Row(&users, &engineers, &seeded); err != nil {
			b.Fatal(err)
		}
		copies := (12 / seedMonths) * 500 / users // whole copies of the seed's history
		for c := 1; c < copies; c++ {
			// a copy stands for other people's records: new ids, same contents
			if _, err := db.NewQuery(`INSERT INTO record_history
				(id, [[table]], record_id, version, operation, door, actor, before, after, note, created, updated)
				SELECT printf('c%04d%010d', {:c}, rowid), [[table]], record_id || printf('-%04d', {:c}), version, operation,
					'sync', actor, before, after, note, created, updated
				FROM record_history WHERE record_id NOT LIKE '%-%'`).Bind(dbx.Params{"c": c}).Execute(); err != nil {
				b.Fatal(err)
			}
		}
		// one edit of every record: a changed text field of a note's size, old and new
		if _, err := db.NewQuery(`INSERT INTO record_history
			(id, [[table]], record_id, version, operation, door, actor, before, after, note, created, updated)
			SELECT printf('u%014d', rowid), [[table]], record_id, (SELECT MAX(h.version) FROM record_history h
					WHERE h.[[table]] = record_history.[[table]] AND h.record_id = record_history.record_id) + 1, 'update', 'sync', actor,
				'{"note":"G8594次 二等座 7车12F"}', '{"note":"改签G8596次 二等座 3车7A"}', '', created, updated
			FROM record_history WHERE operation = 'create'`).Execute(); err != nil {
			b.Fatal(err)
		}
		signoffs := 12 * engineers * copies
		for i := range signoffs {
			for v, move := range [][2]string{{"null", `{"engineer":"EngineerRecordA1","month":"2026-09","reason":"","status":"submitted"}`},
				{`{"status":"submitted"}`, `{"status":"approved"}`}} {
				if _, err := db.NewQuery(`INSERT INTO record_history
					(id, [[table]], record_id, version, operation, door, actor, before, after, note, created, updated)
					VALUES ({:id}, 'month_signoffs', {:rid}, {:v}, {:op}, 'sync', 'engineer000000a', {:before}, {:after}, '',
						'2026-10-01 02:00:00.000Z', '2026-10-01 02:00:00.000Z')`).
					Bind(dbx.Params{"id": fmt.Sprintf("s%014d", 2*i+v), "rid": fmt.Sprintf("signoff%09d", i), "v": v + 1,
						"op": []string{"create", "update"}[v], "before": move[0], "after": move[1]}).Execute(); err != nil {
					b.Fatal(err)
				}
			}
		}
		var rows, bytes int64
		if err := db.NewQuery(`SELECT COUNT(*) FROM record_history`).Row(&rows); err != nil {
			b.Fatal(err)
		}
		if err := db.NewQuery(`SELECT SUM(pgsize) FROM dbstat WHERE name = {:t} OR name IN
			(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = {:t})`).
			Bind(dbx.Params{"t": history.Collection}).Row(&bytes); err != nil {
			b.Fatal(err)
		}
		b.Logf("seed: %d users, %d engineers, %d history rows; x%d for a year at 500 users", users, engineers, seeded, copies)
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(bytes)/(1<<20), "MiB")
		b.ReportMetric(float64(bytes)/float64(rows), "B/row")
	}
}
