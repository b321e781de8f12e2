package syncbench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"feidi/hooks/lib/apptest"
)

// pullWorld gives engineer A 50,000 records (10,000 days of an entry and four trips) and
// engineer B 50, among others' trips.
func pullWorld(others int) world { return world{history: 10000, small: 10, others: others} }

// BenchmarkPull compares a first pull by engineer A, who has 50,000 records (40,000 trips and
// 10,000 schedule entries), over loopback HTTP with a plain SQL scan of the same rows in the
// same app.
//
//   - sync-cold: the user's first pull ever: reach is computed from the list rules and 50,000
//     rows of _sync_reach are written before the rows stream out.
//   - sync-warm: a new device of a user whose reach is stored (a second phone, a reinstall),
//     something having been written since the user's last pull: reach is computed from the list
//     rules and found unchanged, nothing is written.
//   - sync-warm-idle: the same with nothing written since: the reach refresh is skipped.
//   - raw-scan: SELECT of the same columns of the same rows, every value scanned.
//   - raw-scan-json: the same, each row then written as a JSON object by encoding/json.
func BenchmarkPull(b *testing.B) {
	s := newServer(b, pullWorld(1000))
	token := apptest.Token(b, s.app, apptest.EngineerA)
	records := s.pull(b, token, 0).records() // the fixtures' own few records of engineer A come too
	if records < 50000 {
		b.Fatalf("the first pull has %d records, want at least 50,000", records)
	}
	var size counter
	do(b, http.MethodGet, s.url+"/api/sync/pull?schema_version=1", token, nil, &size)
	b.Logf("first pull: %d records, %d bytes", records, size)

	// before readies the database for the next pull, untimed.
	pull := func(b *testing.B, before ...string) {
		var peak uint64
		cpu := newCPUMeter(b)
		defer cpu.report()
		for b.Loop() {
			b.StopTimer()
			for _, q := range before {
				if _, err := s.app.DB().NewQuery(q).Bind(dbx.Params{"user": apptest.EngineerA}).Execute(); err != nil {
					b.Fatal(err)
				}
			}
			var n counter
			h := watchHeap()
			b.StartTimer()
			cpu.start()

			status, _ := do(b, http.MethodGet, s.url+"/api/sync/pull?schema_version=1", token, nil, &n)

			cpu.stop()
			b.StopTimer()
			peak = max(peak, h.Stop())
			if status != http.StatusOK || n != size {
				b.Fatalf("pull: status %d, %d bytes, want 200 and %d", status, n, size)
			}
			b.StartTimer()
		}
		report(b, records, peak)
	}
	b.Run("sync-cold", func(b *testing.B) {
		pull(b, "DELETE FROM _sync_reach WHERE user_id = {:user}", "DELETE FROM _sync_users WHERE user_id = {:user}")
	})
	b.Run("sync-warm", func(b *testing.B) {
		pull(b, "UPDATE _sync_state SET seq = seq + 1, written = seq + 1 WHERE id = 1") // as any write does
	})
	b.Run("sync-warm-idle", func(b *testing.B) { pull(b) })

	// The synced columns of each table, as the pull selects them, for engineer A's rows.
	var queries []string
	for _, table := range []string{"schedules", "commute_logs"} {
		c, err := s.app.FindCollectionByNameOrId(table)
		if err != nil {
			b.Fatal(err)
		}
		var cols []string
		for _, f := range c.Fields {
			if !f.GetHidden() {
				cols = append(cols, f.GetName())
			}
		}
		queries = append(queries, `SELECT `+strings.Join(cols, ",")+` FROM `+table+` WHERE engineer = ?`)
	}
	db := s.app.ConcurrentDB().(*dbx.DB).DB()
	scan := func(b *testing.B, each func(cols []string, values []any) error) {
		var peak uint64
		n := 0
		for b.Loop() {
			b.StopTimer()
			h := watchHeap()
			b.StartTimer()

			n = 0
			for _, q := range queries {
				rows, err := db.Query(q, apptest.EngineerRecA)
				if err != nil {
					b.Fatal(err)
				}
				cols, _ := rows.Columns()
				values := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range values {
					ptrs[i] = &values[i]
				}
				for rows.Next() {
					if err := rows.Scan(ptrs...); err != nil {
						b.Fatal(err)
					}
					if err := each(cols, values); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}

			b.StopTimer()
			peak = max(peak, h.Stop())
			if n < 50000 {
				b.Fatalf("scanned %d rows, want at least 50,000", n)
			}
			b.StartTimer()
		}
		report(b, n, peak)
	}
	b.Run("raw-scan", func(b *testing.B) {
		scan(b, func([]string, []any) error { return nil })
	})
	b.Run("raw-scan-json", func(b *testing.B) {
		w := bufio.NewWriterSize(io.Discard, 64<<10)
		enc := json.NewEncoder(w)
		row := map[string]any{}
		scan(b, func(cols []string, values []any) error {
			clear(row)
			for i, c := range cols {
				row[c] = values[i]
			}
			return enc.Encode(row)
		})
	})
}

// BenchmarkPullIncremental is the pull a device makes every few seconds: since its last pull,
// after an unrelated write elsewhere (another engineer's trip, with plain SQL, untimed), so that
// the answer is empty. For a user with 50 records in reach (engineer B) and one with 50,000
// (engineer A), in a database whose other engineers hold 1,000 and 1,000,000 trips. The world of
// a million is built once per run with plain SQL (logged: about a minute here).
func BenchmarkPullIncremental(b *testing.B) {
	for _, others := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			start := time.Now()
			s := newServer(b, pullWorld(others))
			b.Logf("server on the world of %d others' trips ready in %.1f s", others, time.Since(start).Seconds())
			db := s.app.NonconcurrentDB().(*dbx.DB).DB()
			next := (others/otherEngineers)*perDay/4 + 1000 // a record index past engineer 0's history
			for _, user := range []struct {
				name, id string
			}{{"reach=50", apptest.EngineerB}, {"reach=50000", apptest.EngineerA}} {
				b.Run(user.name, func(b *testing.B) {
					token := apptest.Token(b, s.app, user.id)
					first := s.pull(b, token, 0)
					b.Logf("%s: first pull of %d records", user.name, first.records())
					last := first.Timestamp
					for b.Loop() {
						b.StopTimer()
						next++
						if err := insertRecords(db, []record{recordAt(2, otherEngineer(0), next)}); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()

						a := s.pull(b, token, last)

						b.StopTimer()
						if n := a.records(); n != 0 || a.Timestamp <= last {
							b.Fatalf("incremental pull: %d records, timestamp %d after %d", n, a.Timestamp, last)
						}
						last = a.Timestamp
						b.StartTimer()
					}
				})
			}
		})
	}
}

// BenchmarkPullAfterOthersWrote is the incremental pull of a user with little in reach
// (engineer B) after other engineers wrote n trips since it (plain SQL, untimed): on a Monday
// morning every pull comes after the pushes of hundreds of other devices, none of them in
// this user's reach. What it costs should not grow with n.
func BenchmarkPullAfterOthersWrote(b *testing.B) {
	s := newServer(b, pullWorld(1000))
	db := s.app.NonconcurrentDB().(*dbx.DB).DB()
	next := (1000/otherEngineers)*perDay/4 + 1000
	for _, n := range []int{1, 100, 2000} {
		b.Run(fmt.Sprintf("written=%d", n), func(b *testing.B) {
			token := apptest.Token(b, s.app, apptest.EngineerB)
			last := s.pull(b, token, 0).Timestamp
			cpu := newCPUMeter(b)
			defer cpu.report()
			for b.Loop() {
				b.StopTimer()
				recs := make([]record, n)
				for i := range recs {
					next++
					recs[i] = recordAt(2+i%otherEngineers, otherEngineer(i%otherEngineers), next)
				}
				if err := insertRecords(db, recs); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()

				cpu.start()
				a := s.pull(b, token, last)
				cpu.stop()

				b.StopTimer()
				if r := a.records(); r != 0 || a.Timestamp <= last {
					b.Fatalf("incremental pull: %d records, timestamp %d after %d", r, a.Timestamp, last)
				}
				last = a.Timestamp
				b.StartTimer()
			}
		})
	}
}

// BenchmarkFirstPullOfAll is an admin's first pull of every trip and schedule entry, in a
// world of 10,000 and of 1,000,000 other engineers' trips, next to a raw scan (one streaming SELECT) of the
// same rows written by encoding/json, in the same run: the pull streams the rows and its reach,
// so its peak heap should not grow with the rows.
func BenchmarkFirstPullOfAll(b *testing.B) {
	for _, others := range []int{10000, 1000000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			start := time.Now()
			s := newServer(b, pullWorld(others))
			b.Logf("world of %d others' trips ready in %.1f s", others, time.Since(start).Seconds())
			token := apptest.Token(b, s.app, apptest.Admin)
			records := s.pull(b, token, 0).records()
			b.Run("sync-cold", func(b *testing.B) {
				var peak uint64
				cpu := newCPUMeter(b)
				defer cpu.report()
				for b.Loop() {
					b.StopTimer()
					for _, q := range []string{"DELETE FROM _sync_reach WHERE user_id = {:user}", "DELETE FROM _sync_users WHERE user_id = {:user}"} {
						if _, err := s.app.DB().NewQuery(q).Bind(dbx.Params{"user": apptest.Admin}).Execute(); err != nil {
							b.Fatal(err)
						}
					}
					runtime.GC()
					h := watchHeap()
					b.StartTimer()
					cpu.start()

					var size counter // the answer is counted, not kept: the heap is the server's
					status, _ := do(b, http.MethodGet, s.url+"/api/sync/pull?schema_version=1", token, nil, &size)

					cpu.stop()
					b.StopTimer()
					peak = max(peak, h.Stop())
					if status != http.StatusOK || size == 0 {
						b.Fatalf("first pull: %d, %d bytes", status, size)
					}
					b.StartTimer()
				}
				report(b, records, peak)
			})
			b.Run("raw-scan-json", func(b *testing.B) {
				db := s.app.ConcurrentDB().(*dbx.DB).DB()
				var peak uint64
				n := 0
				cpu := newCPUMeter(b)
				defer cpu.report()
				for b.Loop() {
					b.StopTimer()
					runtime.GC()
					h := watchHeap()
					b.StartTimer()
					cpu.start()
					w := bufio.NewWriterSize(io.Discard, 64<<10)
					enc := json.NewEncoder(w)
					n = 0
					for _, table := range []string{"schedules", "commute_logs"} {
						rows, err := db.Query(`SELECT * FROM ` + table)
						if err != nil {
							b.Fatal(err)
						}
						cols, _ := rows.Columns()
						values, ptrs := make([]any, len(cols)), make([]any, len(cols))
						for i := range values {
							ptrs[i] = &values[i]
						}
						row := map[string]any{}
						for rows.Next() {
							if err := rows.Scan(ptrs...); err != nil {
								b.Fatal(err)
							}
							for i, c := range cols {
								row[c] = values[i]
							}
							if err := enc.Encode(row); err != nil {
								b.Fatal(err)
							}
							n++
						}
						rows.Close()
					}
					cpu.stop()
					b.StopTimer()
					peak = max(peak, h.Stop())
					b.StartTimer()
				}
				report(b, n, peak)
			})
		})
	}
}
