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
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/apptest"
)

// A world is the data a benchmark starts from, shaped like users' data: each engineer logs one
// schedule entry and four trips a day, day after day, and the database holds many engineers.
// Engineer A is the one who pushes and pulls; engineer B is a user with little in reach.
type world struct {
	history int // days of engineer A's records (5 a day: an entry and four trips)
	small   int // days of engineer B's records
	others  int // trips of the other engineers, shared out among otherEngineers
}

// otherEngineers is how many engineers (without logins) own the rest of the database.
const otherEngineers = 200

// The timeline. Day 0 begins at Shanghai midnight of 1986-06-02; the last usable day ends before
// the fixtures' own March 2026 records of engineers A and B, so nothing benchmarked meets them.
// Day k of every engineer: a work entry 08:00–12:00 in Dazu, then trips at 13:00, 15:00, 17:00
// and 19:00 of 75 minutes each, alternately Chengdu → Dazu and back (Shanghai times).
var (
	origin  = time.Date(1986, 6, 1, 16, 0, 0, 0, time.UTC)
	lastDay = int(time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC).Sub(origin)/(24*time.Hour)) - 1
)

// pushFrom is the day from which pushes log engineer A's records forward: just after the
// history of the largest account, so that empty and full accounts are pushed the same rows.
const pushFrom = 12500

const (
	perDay       = 5 // records a day: the entry, then the trips
	tripDuration = 75 * time.Minute
	tripMode     = "hsr"
	tripDistance = 230
	tripCost     = 96.5
	tripNote     = "G8591 成都东 → 大足南"
	dbDate       = "2006-01-02 15:04:05.000Z"
)

// record is one schedule entry or trip of an engineer.
type record struct {
	table      string // "schedules" or "commute_logs"
	id         string
	engineer   string
	start, end time.Time
	from, to   string // trips only
}

// recordAt returns the j-th record an engineer logs: day j/5, slot j%5 (0 the entry, 1–4 trips).
// Ids are WatermelonDB-like, random-looking 16 characters of 0-9a-zA-Z, fixed by (who, j).
func recordAt(who int, engineer string, j int) record {
	dayStart := origin.Add(time.Duration(j/perDay) * 24 * time.Hour)
	r := record{id: deviceID(uint64(who)<<40 | uint64(j)), engineer: engineer}
	if slot := j % perDay; slot == 0 {
		r.table, r.start, r.end = "schedules", dayStart.Add(8*time.Hour), dayStart.Add(12*time.Hour)
	} else {
		r.table, r.start = "commute_logs", dayStart.Add(time.Duration(11+2*slot)*time.Hour)
		r.end = r.start.Add(tripDuration)
		r.from, r.to = "chengdu", "dazu"
		if slot%2 == 0 {
			r.from, r.to = r.to, r.from
		}
	}
	return r
}

// deviceID makes a 16-character id of 0-9a-zA-Z from n (splitmix64), as a device would at random.
func deviceID(n uint64) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var id [16]byte
	x := n
	for i := range id {
		if i%8 == 0 {
			x += 0x9e3779b97f4a7c15
			z := x
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			n = z ^ (z >> 31)
		}
		id[i] = alphabet[n%62]
		n /= 62
	}
	return string(id[:])
}

// day is the entry's calendar day as date-only fields store it: 00:00 UTC of the Shanghai date.
func (r record) day() time.Time { return r.start.Add(8 * time.Hour).Truncate(24 * time.Hour) }

// Columns written by a raw insert; sync_seq is the triggers' to set.
var columns = map[string][]string{
	"commute_logs": {"id", "engineer", "from_city", "to_city", "depart_at", "arrive_at", "mode", "distance_km",
		"cost_yuan", "note", "created", "updated"},
	"schedules": {"id", "engineer", "day", "city", "employer", "starts_at", "ends_at", "kind", "created", "updated"},
}

// row is the record as a raw insert writes it, in columns order.
func (r record) row(now string) []any {
	if r.table == "schedules" {
		return []any{r.id, r.engineer, r.day().Format(dbDate), "dazu", "", r.start.Format(dbDate), r.end.Format(dbDate),
			"work", now, now}
	}
	return []any{r.id, r.engineer, r.from, r.to, r.start.Format(dbDate), r.end.Format(dbDate),
		tripMode, tripDistance, tripCost, tripNote, now, now}
}

// raw is the record as WatermelonDB pushes one created on the device.
func (r record) raw() map[string]any {
	m := map[string]any{"id": r.id, "_status": "created", "_changed": "", "engineer": r.engineer, "created": 0, "updated": 0}
	if r.table == "schedules" {
		m["day"], m["city"], m["employer"], m["kind"] = r.day().UnixMilli(), "dazu", "", "work"
		m["starts_at"], m["ends_at"] = r.start.UnixMilli(), r.end.UnixMilli()
		return m
	}
	m["from_city"], m["to_city"], m["mode"], m["ticket"] = r.from, r.to, tripMode, ""
	m["depart_at"], m["arrive_at"] = r.start.UnixMilli(), r.end.UnixMilli()
	m["distance_km"], m["cost_yuan"], m["note"] = tripDistance, tripCost, tripNote
	return m
}

// fields is the record as a REST (or batch) create request's body carries it.
func (r record) fields() map[string]any {
	m := map[string]any{"id": r.id, "engineer": r.engineer}
	if r.table == "schedules" {
		m["day"], m["city"], m["kind"] = r.day().Format(dbDate), "dazu", "work"
		m["starts_at"], m["ends_at"] = r.start.Format(dbDate), r.end.Format(dbDate)
		return m
	}
	m["from_city"], m["to_city"], m["mode"] = r.from, r.to, tripMode
	m["depart_at"], m["arrive_at"] = r.start.Format(dbDate), r.end.Format(dbDate)
	m["distance_km"], m["cost_yuan"], m["note"] = tripDistance, tripCost, tripNote
	return m
}

// pushed returns the n records engineer A logs next, from record index from.
func pushed(b *testing.B, from, n int) []record {
	if (from+n)/perDay > lastDay {
		b.Fatalf("engineer A's timeline ends on day %d: ask for fewer iterations (-benchtime)", lastDay)
	}
	recs := make([]record, n)
	for i := range recs {
		recs[i] = recordAt(0, apptest.EngineerRecA, from+i)
	}
	return recs
}

// otherEngineer returns the id of the i-th engineer without a login.
func otherEngineer(i int) string { return fmt.Sprintf("BenchEngineer%03d", i) }

// fill writes the world into app's database with plain SQL, the fastest way SQLite takes it;
// on a Feidi app the sync triggers fire as on any write. Engineer records A and B exist already
// on a Feidi app (the Enclave fixtures); withEngineersAB inserts them too, for a stock app.
func (w world) fill(db *sql.DB, withEngineersAB bool) error {
	now := time.Now().UTC().Format(dbDate)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	engineers := []string{}
	if withEngineersAB {
		engineers = append(engineers, apptest.EngineerRecA, apptest.EngineerRecB)
	}
	for i := range otherEngineers {
		engineers = append(engineers, otherEngineer(i))
	}
	for _, id := range engineers {
		if _, err := tx.Exec(`INSERT INTO engineers (id, name, created, updated) VALUES (?, ?, ?, ?)`, id, "工程师 "+id, now, now); err != nil {
			return err
		}
	}
	ins := newInserter(tx)
	defer ins.close()
	for j := range w.history * perDay {
		if err := ins.insert(recordAt(0, apptest.EngineerRecA, j), now); err != nil {
			return err
		}
	}
	for j := range w.small * perDay {
		if err := ins.insert(recordAt(1, apptest.EngineerRecB, j), now); err != nil {
			return err
		}
	}
	for i := range otherEngineers {
		trips := w.others / otherEngineers
		for j := 0; trips > 0; j++ {
			r := recordAt(2+i, otherEngineer(i), j)
			if r.table == "commute_logs" {
				trips--
			}
			if err := ins.insert(r, now); err != nil {
				return err
			}
		}
	}
	ins.close()
	return tx.Commit()
}

// inserter holds one prepared INSERT per table.
type inserter struct {
	stmts map[string]*sql.Stmt
	err   error
}

func newInserter(tx *sql.Tx) *inserter {
	ins := &inserter{stmts: map[string]*sql.Stmt{}}
	for table, cols := range columns {
		stmt, err := tx.Prepare(`INSERT INTO ` + table + ` (` + strings.Join(cols, ",") + `) VALUES (?` +
			strings.Repeat(",?", len(cols)-1) + `)`)
		if err != nil && ins.err == nil {
			ins.err = err
		}
		ins.stmts[table] = stmt
	}
	return ins
}

func (ins *inserter) insert(r record, now string) error {
	if ins.err != nil {
		return ins.err
	}
	_, err := ins.stmts[r.table].Exec(r.row(now)...)
	return err
}

func (ins *inserter) close() {
	for _, s := range ins.stmts {
		if s != nil {
			_ = s.Close()
		}
	}
}

// insertRecords writes recs with plain SQL in one transaction: the raw baseline of a push.
func insertRecords(db *sql.DB, recs []record) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	ins := newInserter(tx)
	defer ins.close()
	now := time.Now().UTC().Format(dbDate)
	for _, r := range recs {
		if err := ins.insert(r, now); err != nil {
			return err
		}
	}
	ins.close()
	return tx.Commit()
}

// worlds caches one snapshot per world for the test binary: each benchmark starts from a copy.
var worlds = struct {
	sync.Mutex
	feidi map[world]*apptest.Snapshot
	stock map[world]*stockSnapshot
}{feidi: map[world]*apptest.Snapshot{}, stock: map[world]*stockSnapshot{}}

// feidiApp returns a Feidi app (every migration and hook) on a copy of the Enclave fixtures
// filled with w.
func feidiApp(b *testing.B, w world) core.App {
	b.Helper()
	worlds.Lock()
	s := worlds.feidi[w]
	if s == nil {
		s = apptest.Enclave.Then(func(app core.App) error {
			start := time.Now()
			err := w.fill(app.NonconcurrentDB().(*dbx.DB).DB(), false)
			b.Logf("world %+v filled with plain SQL in %.1f s", w, time.Since(start).Seconds())
			return err
		})
		worlds.feidi[w] = s
	}
	worlds.Unlock()
	return s.App(b)
}

// server is a Feidi app served on loopback HTTP. It lives as long as the benchmark that made it,
// sub-benchmarks included.
type server struct {
	app core.App
	url string
}

func newServer(b *testing.B, w world) *server {
	b.Helper()
	app := feidiApp(b, w)
	return &server{app: app, url: apptest.Serve(b, app)}
}

// do sends one request as the given user (a token, or "" for none) and returns the status and
// the body, which it copies to sink if given (and then returns no body).
func do(b *testing.B, method, url, token string, body []byte, sink io.Writer) (int, []byte) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
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

// pullAnswer is what the benchmarks read of a pull.
type pullAnswer struct {
	Changes map[string]struct {
		Created, Updated []json.RawMessage
		Deleted          []string
	} `json:"changes"`
	Timestamp int64 `json:"timestamp"`
}

// records counts the created and updated records of the answer, and the deleted ids.
func (a *pullAnswer) records() (n int) {
	for _, t := range a.Changes {
		n += len(t.Created) + len(t.Updated) + len(t.Deleted)
	}
	return n
}

// pull pulls as the user since last (0: a new device) and returns the answer.
func (s *server) pull(b *testing.B, token string, last int64) *pullAnswer {
	path := "/api/sync/pull?schema_version=1"
	if last > 0 {
		path += fmt.Sprintf("&last_pulled_at=%d", last)
	}
	status, body := do(b, http.MethodGet, s.url+path, token, nil, nil)
	if status != http.StatusOK {
		b.Fatalf("pull: %d %.2000s", status, body)
	}
	var a pullAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		b.Fatalf("pull answer: %v", err)
	}
	return &a
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

// cpuMeter adds up the process's CPU time (user and system) over the timed parts of a
// benchmark and reports it as cpu-ms/op: on a machine shared with other work, wall time says
// more of the neighbours than of the code.
type cpuMeter struct {
	b     *testing.B
	total time.Duration
	at    time.Duration
}

func newCPUMeter(b *testing.B) *cpuMeter { return &cpuMeter{b: b} }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (m *cpuMeter) start() { m.at = processCPU() }
func (m *cpuMeter) stop()  { m.total += processCPU() - m.at }
func (m *cpuMeter) report() {
	if m.b.N > 0 {
		m.b.ReportMetric(float64(m.total.Microseconds())/1000/float64(m.b.N), "cpu-ms/op")
	}
}
