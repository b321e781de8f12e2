package syncbench

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/apptest"
)

// server is a Feidi app on a copy of the Enclave fixtures, served on loopback HTTP, with
// engineer A signed in. It lives as long as the benchmark that made it, sub-benchmarks included.
type server struct {
	app   core.App
	url   string
	token string
}

func newServer(b *testing.B) *server {
	b.Helper()
	app := apptest.Enclave.App(b)
	return &server{app: app, url: apptest.Serve(b, app), token: apptest.Token(b, app, apptest.EngineerA)}
}

// do sends one request and returns the status and the body, which it copies to sink if given
// (and then returns no body).
func (s *server) do(b *testing.B, method, path string, body []byte, sink io.Writer) (int, []byte) {
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if sink != nil {
		if _, err := io.Copy(sink, res.Body); err != nil {
			b.Fatal(err)
		}
		return res.StatusCode, nil
	}
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	return res.StatusCode, out
}

// firstPull pulls as a new device and returns how many records came and the timestamp.
func (s *server) firstPull(b *testing.B) (records int, timestamp int64) {
	status, body := s.do(b, http.MethodGet, "/api/sync/pull?schema_version=1", nil, nil)
	if status != http.StatusOK {
		b.Fatalf("pull: %d %s", status, body)
	}
	var answer struct {
		Changes map[string]struct {
			Created, Updated []json.RawMessage
		} `json:"changes"`
		Timestamp int64 `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		b.Fatalf("pull answer: %v", err)
	}
	for _, t := range answer.Changes {
		records += len(t.Created) + len(t.Updated)
	}
	return records, answer.Timestamp
}

// Trips are commute logs of engineer A, one per two-hour slot counted back from the first of
// March 2026, so that no two overlap and none meets the fixtures' trip and schedule entry.
var (
	tripsEnd     = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tripDuration = 75 * time.Minute
)

// tripColumns are the columns a raw insert writes; sync_seq is the triggers' to set.
var tripColumns = []string{"id", "engineer", "from_city", "to_city", "depart_at", "arrive_at",
	"mode", "distance_km", "cost_yuan", "note", "created", "updated"}

type trip struct {
	id             string
	depart, arrive time.Time
	from, to       string
}

func tripAt(slot int) trip {
	depart := tripsEnd.Add(-time.Duration(slot+1) * 2 * time.Hour)
	t := trip{id: fmt.Sprintf("BenchTrip%07d", slot), depart: depart, arrive: depart.Add(tripDuration),
		from: "chengdu", to: "dazu"}
	if slot%2 == 1 {
		t.from, t.to = t.to, t.from
	}
	return t
}

const (
	tripMode     = "hsr"
	tripDistance = 230
	tripCost     = 96.5
	tripNote     = "G8591 成都东 → 大足南"
	dbDate       = "2006-01-02 15:04:05.000Z"
)

// row is the trip as a raw insert writes it, in tripColumns order.
func (t trip) row(now string) []any {
	return []any{t.id, apptest.EngineerRecA, t.from, t.to, t.depart.Format(dbDate), t.arrive.Format(dbDate),
		tripMode, tripDistance, tripCost, tripNote, now, now}
}

// raw is the trip as WatermelonDB pushes a record created on the device.
func (t trip) raw() map[string]any {
	return map[string]any{"id": t.id, "_status": "created", "_changed": "", "engineer": apptest.EngineerRecA,
		"from_city": t.from, "to_city": t.to, "depart_at": t.depart.UnixMilli(), "arrive_at": t.arrive.UnixMilli(),
		"mode": tripMode, "distance_km": tripDistance, "cost_yuan": tripCost, "note": tripNote,
		"ticket": "", "created": 0, "updated": 0}
}

// insertTrips writes the trips of slots [from, from+n) with plain SQL in one transaction, the
// fastest way SQLite takes them; the sync triggers fire as on any write.
func insertTrips(db *sql.DB, from, n int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO commute_logs (` + strings.Join(tripColumns, ",") + `) VALUES (?` +
		strings.Repeat(",?", len(tripColumns)-1) + `)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := time.Now().UTC().Format(dbDate)
	for slot := from; slot < from+n; slot++ {
		if _, err := stmt.Exec(tripAt(slot).row(now)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// heapPeak follows the bytes of heap objects (live and not yet swept) while an operation runs,
// sampling every millisecond with runtime/metrics, which does not stop the world as
// ReadMemStats does. Its result is the highest level seen above the level at the start.
type heapPeak struct {
	base uint64
	max  atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// watchHeap collects garbage, so that the start is the live heap, then follows the heap.
func watchHeap() *heapPeak {
	runtime.GC()
	h := &heapPeak{base: heapNow(), stop: make(chan struct{})}
	h.max.Store(h.base)
	h.done.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				h.sample()
			}
		}
	})
	return h
}

func (h *heapPeak) sample() {
	if v := heapNow(); v > h.max.Load() {
		h.max.Store(v)
	}
}

// Stop ends the watch and returns the peak above the start, in bytes.
func (h *heapPeak) Stop() uint64 {
	h.sample()
	close(h.stop)
	h.done.Wait()
	return h.max.Load() - h.base
}

// report adds records/s and the highest heap peak of all iterations to the benchmark's line.
func report(b *testing.B, records int, peak uint64) {
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(records)*1e9/perOp, "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// counter is an io.Writer that only counts.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }
