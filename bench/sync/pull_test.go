package syncbench

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"feidi/hooks/apptest"
)

// pullSize is how many commute logs engineer A has for the first pull.
const pullSize = 50000

// BenchmarkPull compares a first pull by engineer A, who has 50,000 commute logs, over
// loopback HTTP with a plain SQL scan of the same rows in the same app.
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
	s := newServer(b)
	if err := insertTrips(s.app.NonconcurrentDB().(*dbx.DB).DB(), 0, pullSize); err != nil {
		b.Fatal(err)
	}
	records, _ := s.firstPull(b) // the fixtures' own few records of engineer A come too
	if records < pullSize {
		b.Fatalf("the first pull has %d records, want at least %d", records, pullSize)
	}
	var size counter
	s.do(b, http.MethodGet, "/api/sync/pull?schema_version=1", nil, &size)
	b.Logf("first pull: %d records, %d bytes", records, size)

	// before readies the database for the next pull, untimed.
	pull := func(b *testing.B, before ...string) {
		var peak uint64
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

			status, _ := s.do(b, http.MethodGet, "/api/sync/pull?schema_version=1", nil, &n)

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

	// The synced columns of commute_logs, as the pull selects them.
	c, err := s.app.FindCollectionByNameOrId("commute_logs")
	if err != nil {
		b.Fatal(err)
	}
	var cols []string
	for _, f := range c.Fields {
		if !f.GetHidden() {
			cols = append(cols, f.GetName())
		}
	}
	db := s.app.ConcurrentDB().(*dbx.DB).DB()
	scan := func(b *testing.B, each func(values []any) error) {
		var peak uint64
		n := 0
		for b.Loop() {
			b.StopTimer()
			h := watchHeap()
			b.StartTimer()

			rows, err := db.Query(`SELECT `+strings.Join(cols, ",")+` FROM commute_logs WHERE engineer = ?`, apptest.EngineerRecA)
			if err != nil {
				b.Fatal(err)
			}
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			n = 0
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					b.Fatal(err)
				}
				if err := each(values); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			rows.Close()

			b.StopTimer()
			peak = max(peak, h.Stop())
			if n < pullSize {
				b.Fatalf("scanned %d rows, want at least %d", n, pullSize)
			}
			b.StartTimer()
		}
		report(b, n, peak)
	}
	b.Run("raw-scan", func(b *testing.B) {
		scan(b, func([]any) error { return nil })
	})
	b.Run("raw-scan-json", func(b *testing.B) {
		w := bufio.NewWriterSize(io.Discard, 64<<10)
		enc := json.NewEncoder(w)
		row := make(map[string]any, len(cols))
		scan(b, func(values []any) error {
			for i, c := range cols {
				row[c] = values[i]
			}
			return enc.Encode(row)
		})
	})
}
