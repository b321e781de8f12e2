package syncbench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"feidi/hooks/history"
	"feidi/hooks/lib/apptest"
	"feidi/hooks/narrowupdate"
)

// BenchmarkPush pushes engineer A's next records — schedule entries and trips, day after day,
// forward in time after everything the account holds, as people log them — at 1, 20 and 1,000
// records a push, into an empty account and into one that holds 50,000 trips (and 12,500
// entries), in a database of 200 other engineers. Each leaf starts from its own copy of the
// same data and writes the same rows:
//
//   - sync: POST /api/sync/push over loopback HTTP on Feidi — parsed, conflicts checked, the
//     create rule, validation with its overlap queries, saved with every hook, marked in the
//     reach, in one transaction; every push is checked to be accepted whole.
//   - sync-without-history: the same with hooks/history's recording hooks unbound: what
//     keeping every version costs a push.
//   - raw-insert: prepared INSERTs of the same rows in one transaction, on the same Feidi
//     database (its sync triggers fire, as on any write).
//   - pb-batch: POST /api/batch (one create request per record, all in one batch) over loopback
//     HTTP on a stock PocketBase app with the same collections, no Feidi hook, no rule.
//   - sync-edit, pb-batch-edit: edits of records pushed before, through each door.
//   - sync-edit-pb-update: sync-edit with hooks/narrowupdate unbound, so each edit is written by
//     PocketBase's own UPDATE (its id in the SET list): what leaving the id out saves.
func BenchmarkPush(b *testing.B) {
	for _, account := range []int{0, 12500} {
		w := world{history: account, others: 1000}
		for _, n := range []int{1, 20, 1000} {
			b.Run(fmt.Sprintf("account=%d/records=%d", account*4, n), func(b *testing.B) {
				b.Run("sync", func(b *testing.B) { pushSync(b, w, n, true) })
				b.Run("sync-without-history", func(b *testing.B) { pushSync(b, w, n, false) })
				b.Run("raw-insert", func(b *testing.B) { pushRaw(b, w, n) })
				b.Run("pb-batch", func(b *testing.B) { pushBatch(b, w, n) })
				b.Run("sync-edit", func(b *testing.B) { pushSyncEdits(b, w, n, true) })
				b.Run("sync-edit-pb-update", func(b *testing.B) { pushSyncEdits(b, w, n, false) })
				b.Run("pb-batch-edit", func(b *testing.B) { pushBatchEdits(b, w, n) })
			})
		}
	}
}

// pushLoop times op on each push's records, the next n of engineer A's timeline each time, and
// the request body that prepare (if any) made of them beforehand, untimed; op returns the check
// of its answer, also run untimed.
func pushLoop(b *testing.B, n int, prepare func(recs []record) []byte, op func(recs []record, body []byte) (check func())) {
	next := pushFrom * perDay
	var peak uint64
	cpu := newCPUMeter(b)
	defer cpu.report()
	for b.Loop() {
		b.StopTimer()
		recs := pushed(b, next, n)
		next += n
		var body []byte
		if prepare != nil {
			body = prepare(recs)
		}
		h := watchHeap()
		b.StartTimer()

		cpu.start()
		check := op(recs, body)
		cpu.stop()

		b.StopTimer()
		peak = max(peak, h.Stop())
		check()
		b.StartTimer()
	}
	report(b, n, peak)
}

func pushSync(b *testing.B, w world, n int, withHistory bool) {
	s := newServer(b, w)
	if !withHistory {
		s.app.OnRecordCreateExecute().Unbind(history.HookID)
		s.app.OnRecordUpdateExecute().Unbind(history.HookID)
		s.app.OnRecordDeleteExecute().Unbind(history.HookID)
	}
	token := apptest.Token(b, s.app, apptest.EngineerA)
	last := s.pull(b, token, 0).Timestamp // the device has synced before
	pushLoop(b, n, func(recs []record) []byte {
		changes := map[string]map[string][]any{}
		for _, table := range []string{"schedules", "commute_logs"} {
			changes[table] = map[string][]any{"created": {}, "updated": {}, "deleted": {}}
		}
		for _, r := range recs {
			changes[r.table]["created"] = append(changes[r.table]["created"], r.raw())
		}
		body, err := json.Marshal(map[string]any{"changes": changes})
		if err != nil {
			b.Fatal(err)
		}
		return body
	}, func(_ []record, body []byte) func() {
		status, answer := do(b, http.MethodPost, fmt.Sprintf("%s/api/sync/push?last_pulled_at=%d", s.url, last), token, body, nil)
		return func() {
			if status != http.StatusOK || strings.TrimSpace(string(answer)) != "{}" {
				b.Fatalf("push: %d %.2000s", status, answer)
			}
		}
	})
}

func pushRaw(b *testing.B, w world, n int) {
	db := feidiApp(b, w).NonconcurrentDB().(*dbx.DB).DB()
	pushLoop(b, n, nil, func(recs []record, _ []byte) func() {
		err := insertRecords(db, recs)
		return func() {
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func pushBatch(b *testing.B, w world, n int) {
	url := apptest.Serve(b, stockApp(b, w))
	pushLoop(b, n, func(recs []record) []byte {
		requests := make([]map[string]any, len(recs))
		for i, r := range recs {
			requests[i] = map[string]any{"method": http.MethodPost, "url": "/api/collections/" + r.table + "/records",
				"body": r.fields()}
		}
		body, err := json.Marshal(map[string]any{"requests": requests})
		if err != nil {
			b.Fatal(err)
		}
		return body
	}, func(recs []record, body []byte) func() {
		status, answer := do(b, http.MethodPost, url+"/api/batch", "", body, nil)
		return func() { checkBatch(b, status, answer, len(recs)) }
	})
}

// checkBatch fails the benchmark unless the batch created every record.
func checkBatch(b *testing.B, status int, answer []byte, n int) {
	if status != http.StatusOK {
		b.Fatalf("batch: %d %.2000s", status, answer)
	}
	var results []struct{ Status int }
	if err := json.Unmarshal(answer, &results); err != nil || len(results) != n {
		b.Fatalf("batch answer (%v): %.2000s", err, answer)
	}
	for _, r := range results {
		if r.Status != http.StatusOK {
			b.Fatalf("batch: a request answered %d: %.2000s", r.Status, answer)
		}
	}
}

// edited is what an edit changes: a trip's note, an entry's employer.
func edited(r record) (field, value string) {
	if r.table == "schedules" {
		return "employer", "重庆大足五金制品有限公司"
	}
	return "note", "改签：晚一班"
}

// pushSyncEdits times a push of edits of n records the device pushed before (untimed, and
// pulled after, so the edits are not conflicts): every edit judged by the update rule. With
// narrow false, PocketBase's own UPDATE writes them (hooks/narrowupdate unbound).
func pushSyncEdits(b *testing.B, w world, n int, narrow bool) {
	s := newServer(b, w)
	if !narrow {
		s.app.OnModelUpdateExecute().Unbind(narrowupdate.HookID)
	}
	token := apptest.Token(b, s.app, apptest.EngineerA)
	last := s.pull(b, token, 0).Timestamp
	push := func(body []byte) {
		status, answer := do(b, http.MethodPost, fmt.Sprintf("%s/api/sync/push?last_pulled_at=%d", s.url, last), token, body, nil)
		if status != http.StatusOK || strings.TrimSpace(string(answer)) != "{}" {
			b.Fatalf("push: %d %.2000s", status, answer)
		}
	}
	changesOf := func(recs []record, kind string) []byte {
		changes := map[string]map[string][]any{}
		for _, table := range []string{"schedules", "commute_logs"} {
			changes[table] = map[string][]any{"created": {}, "updated": {}, "deleted": {}}
		}
		for _, r := range recs {
			raw := r.raw()
			if kind == "updated" {
				field, value := edited(r)
				raw[field], raw["_status"] = value, "updated"
			}
			changes[r.table][kind] = append(changes[r.table][kind], raw)
		}
		body, err := json.Marshal(map[string]any{"changes": changes})
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	pushLoop(b, n, func(recs []record) []byte {
		push(changesOf(recs, "created"))
		last = s.pull(b, token, last).Timestamp
		return changesOf(recs, "updated")
	}, func(_ []record, body []byte) func() {
		status, answer := do(b, http.MethodPost, fmt.Sprintf("%s/api/sync/push?last_pulled_at=%d", s.url, last), token, body, nil)
		return func() {
			if status != http.StatusOK || strings.TrimSpace(string(answer)) != "{}" {
				b.Fatalf("push: %d %.2000s", status, answer)
			}
		}
	})
}

// pushBatchEdits times the same edits as PATCH requests of one batch on the stock app, of
// records a batch created before (untimed).
func pushBatchEdits(b *testing.B, w world, n int) {
	url := apptest.Serve(b, stockApp(b, w))
	batch := func(requests []map[string]any) []byte {
		body, err := json.Marshal(map[string]any{"requests": requests})
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	pushLoop(b, n, func(recs []record) []byte {
		creates := make([]map[string]any, len(recs))
		edits := make([]map[string]any, len(recs))
		for i, r := range recs {
			creates[i] = map[string]any{"method": http.MethodPost, "url": "/api/collections/" + r.table + "/records", "body": r.fields()}
			field, value := edited(r)
			edits[i] = map[string]any{"method": http.MethodPatch, "url": "/api/collections/" + r.table + "/records/" + r.id,
				"body": map[string]any{field: value}}
		}
		status, answer := do(b, http.MethodPost, url+"/api/batch", "", batch(creates), nil)
		checkBatch(b, status, answer, len(recs))
		return batch(edits)
	}, func(recs []record, body []byte) func() {
		status, answer := do(b, http.MethodPost, url+"/api/batch", "", body, nil)
		return func() { checkBatch(b, status, answer, len(recs)) }
	})
}
