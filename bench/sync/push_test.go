package syncbench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// pushSize is how many records one push carries.
const pushSize = 1000

// BenchmarkPush compares a push of 1,000 new commute logs by engineer A over loopback HTTP —
// parsed, checked for conflicts, the create rule, validation with its overlap queries, saved,
// marked in the reach, in one transaction — with a plain SQL insert of 1,000 such rows into
// the same table in one transaction, in the same app. It does so on a nearly empty table and
// on one that already holds 50,000 trips, since some checks cost more as the table grows.
//
// PocketBase checks that a new record's id is free with `id = ? COLLATE NOCASE` whenever the
// collection's id pattern is not its default, as for every synced table; the index on
// id COLLATE NOCASE (migrations/1764058200_id_nocase_indexes.go) serves that check, which was
// a scan of the table per record before.
func BenchmarkPush(b *testing.B) {
	for _, rows := range []int{0, pullSize} {
		b.Run(fmt.Sprintf("table=%d", rows), func(b *testing.B) { benchmarkPush(b, rows) })
	}
}

func benchmarkPush(b *testing.B, rows int) {
	s := newServer(b)
	if err := insertTrips(s.app.NonconcurrentDB().(*dbx.DB).DB(), 0, rows); err != nil {
		b.Fatal(err)
	}
	_, last := s.firstPull(b)
	next := rows // the next free trip slot; pushes and inserts take turns from the same slots

	b.Run("sync", func(b *testing.B) {
		var peak uint64
		for b.Loop() {
			b.StopTimer()
			raws := make([]map[string]any, pushSize)
			for i := range raws {
				raws[i] = tripAt(next + i).raw()
			}
			next += pushSize
			body, err := json.Marshal(map[string]any{"changes": map[string]any{
				"commute_logs": map[string]any{"created": raws, "updated": []any{}, "deleted": []any{}}}})
			if err != nil {
				b.Fatal(err)
			}
			h := watchHeap()
			b.StartTimer()

			status, answer := s.do(b, http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", last), body, nil)

			b.StopTimer()
			peak = max(peak, h.Stop())
			if status != http.StatusOK || strings.TrimSpace(string(answer)) != "{}" {
				b.Fatalf("push: %d %.2000s", status, answer)
			}
			b.StartTimer()
		}
		report(b, pushSize, peak)
	})

	b.Run("raw-insert", func(b *testing.B) {
		db := s.app.NonconcurrentDB().(*dbx.DB).DB()
		var peak uint64
		for b.Loop() {
			b.StopTimer()
			from := next
			next += pushSize
			h := watchHeap()
			b.StartTimer()

			if err := insertTrips(db, from, pushSize); err != nil {
				b.Fatal(err)
			}

			b.StopTimer()
			peak = max(peak, h.Stop())
			b.StartTimer()
		}
		report(b, pushSize, peak)
	})
}
