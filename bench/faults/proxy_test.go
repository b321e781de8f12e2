package faults

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"feidi/bench/fleet"
)

// The size of TestDevicesConvergeThroughFaults; CI runs the defaults, a longer local run
// raises them (README.md).
var (
	flagDevices = flag.Int("faults.devices", 24, "devices syncing through the fault proxy (two per engineer account)")
	flagRounds  = flag.Int("faults.rounds", 5, "synchronize() rounds each device completes under faults")
	flagRate    = flag.Float64("faults.rate", 0.3, "share of requests the proxy harms")
	flagSeed    = flag.Uint64("faults.seed", 2026, "seed of the proxy's and the devices' random choices")
	flagTrips   = flag.Int("faults.trips", 8, "new trips a device logs each round (and it edits 3 it logged before)")
)

// deviceTimeout is the devices' per-request timeout; a LateDelivery reaches the server after it.
const deviceTimeout = 4 * time.Second

// attemptsPerRound bounds the synchronize() calls a device may need to complete one round
// under faults: a device that needs more has stalled.
const attemptsPerRound = 40

// TestDevicesConvergeThroughFaults has many WatermelonDB-shaped devices (two per engineer
// account, each logging and editing its own trips) sync a few rounds through a proxy that
// drops, delays, duplicates, replays, reorders and cuts requests and answers; then faults stop
// and every device syncs cleanly twice. Afterwards every device holds exactly what the server
// shows its account, every acknowledged value is on the server, no record was written more
// times than its device pushed distinct values of it (a duplicate or a stale replay applied
// would show as an extra version in its history), and no device needed more than a bounded
// number of attempts for any round. It logs how many faults of each kind it injected.
func TestDevicesConvergeThroughFaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	f := startFeidi(t, ctx)
	nDevices := max(2, *flagDevices/2*2)
	accounts, err := fleet.CreateAccounts(ctx, f.c, f.su, "faults.feidi.test", nDevices/2, 2)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := NewProxy(f.srv.URL(), Config{Seed: *flagSeed, Rate: *flagRate, MaxDelay: 800 * time.Millisecond,
		Late: deviceTimeout + 500*time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	through := fleet.NewClient(proxy.URL(), nDevices, deviceTimeout)
	base := time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -400)
	devices := make([]*device, nDevices)
	for i := range devices {
		devices[i] = &device{n: i, acc: accounts[i/2], c: through, rng: rand.New(rand.NewPCG(*flagSeed, uint64(i))),
			prefix: fmt.Sprintf("F%03d", i), base: base.AddDate(0, 0, 150*(i%2)), // the two timelines never overlap
			local: map[string]trip{}, pending: map[string]bool{}, acked: map[string]trip{}, pushed: map[string][]trip{}}
	}
	setup := time.Since(start)

	// Under faults: each device completes its rounds, with a short pause between them.
	var wg sync.WaitGroup
	for _, d := range devices {
		wg.Go(func() {
			for range *flagRounds {
				d.change(*flagTrips, 3)
				attempts := 0
				for !d.sync(ctx) {
					attempts++
					if attempts >= attemptsPerRound || ctx.Err() != nil {
						d.stalled = true
						return
					}
				}
				d.worst = max(d.worst, attempts+1)
				time.Sleep(time.Duration(d.rng.IntN(200)) * time.Millisecond)
			}
		})
	}
	wg.Wait()
	faulty := time.Since(start) - setup
	proxy.SetFaulty(false)
	proxy.Drain() // late deliveries and replays have reached the server

	// Clean: every device syncs twice (its last changes, then what its twin pushed).
	for pass := range 2 {
		for _, d := range devices {
			if !d.sync(ctx) && !d.sync(ctx) {
				t.Errorf("device %d: a clean sync failed twice (pass %d): %v", d.n, pass, d.lastErr)
			}
		}
	}

	worst, stalled, syncs, failed := 0, 0, 0, 0
	for _, d := range devices {
		worst = max(worst, d.worst)
		syncs += d.syncs
		failed += d.failed
		if d.stalled {
			stalled++
			t.Errorf("device %d stalled: %d attempts at a round without completing it (last error: %v)", d.n, attemptsPerRound, d.lastErr)
		}
	}
	t.Logf("%d devices (%d accounts), %d rounds each of %d new trips and 3 edits, fault rate %.2f, seed %d",
		nDevices, len(accounts), *flagRounds, *flagTrips, *flagRate, *flagSeed)
	t.Logf("setup %.1f s, under faults %.1f s: %d synchronize() calls, %d failed; the worst round took %d attempts; %d stalled",
		setup.Seconds(), faulty.Seconds(), syncs, failed, worst, stalled)
	t.Logf("faults injected:\n%s", proxy.Report())
	for status, n := range proxy.CutAnswers() {
		if status != "no answer" && status[0] != '4' {
			t.Errorf("the server answered %d requests cut mid-body %s, want a 4xx", n, status)
		}
	}

	// What the server holds, read past the proxy.
	direct := fleet.NewClient(f.srv.URL(), 4, time.Minute)
	versions := historyVersions(t, ctx, f)
	total := 0
	for i := 0; i < nDevices; i += 2 {
		var ans pullAnswer
		if err := direct.Do(ctx, http.MethodGet, pullPath(0), devices[i].acc.Token, nil, &ans); err != nil {
			t.Fatal(err)
		}
		onServer, err := ans.trips()
		if err != nil {
			t.Fatal(err)
		}
		total += len(onServer)
		made := 0
		for _, d := range devices[i : i+2] {
			made += d.made
			if len(d.pending) > 0 {
				t.Errorf("device %d: %d changes still unsynced after the clean syncs", d.n, len(d.pending))
			}
			if !maps.Equal(d.local, onServer) {
				t.Errorf("device %d holds %d trips, the server shows its account %d, and they differ", d.n, len(d.local), len(onServer))
			}
			for id, want := range d.acked {
				if got, ok := onServer[id]; !ok {
					t.Errorf("device %d: acknowledged trip %s is not on the server", d.n, id)
				} else if got != want {
					t.Errorf("device %d: trip %s is %+v on the server, acknowledged as %+v", d.n, id, got, want)
				}
			}
			for id, values := range d.pushed {
				distinct := map[trip]bool{}
				for _, v := range values {
					distinct[v] = true
				}
				if n := versions[id]; n < 1 || n > len(distinct) {
					t.Errorf("device %d: trip %s has %d versions in its history, from %d distinct values pushed", d.n, id, n, len(distinct))
				}
			}
		}
		if len(onServer) != made {
			t.Errorf("account %d: %d trips on the server, its devices made %d", i/2, len(onServer), made)
		}
	}
	if n := f.count(ctx, "sync_rejects", ""); n != 0 {
		t.Errorf("%d sync_rejects", n)
	}
	t.Logf("verified %d trips on the server against %d devices in %.1f s in all", total, nDevices, time.Since(start).Seconds())
}

// historyVersions counts the versions of each commute log in record_history.
func historyVersions(t *testing.T, ctx context.Context, f *feidi) map[string]int {
	t.Helper()
	out := map[string]int{}
	for page := 1; ; page++ {
		var list struct {
			Items []struct {
				RecordID  string `json:"record_id"`
				Operation string `json:"operation"`
			} `json:"items"`
			TotalPages int `json:"totalPages"`
		}
		path := fmt.Sprintf("/api/collections/record_history/records?perPage=1000&page=%d&skipTotal=0&filter=%s&fields=record_id,operation",
			page, url.QueryEscape(`table = "commute_logs"`))
		if err := f.c.Do(ctx, http.MethodGet, path, f.su, nil, &list); err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			if it.Operation == "delete" {
				t.Errorf("trip %s was deleted", it.RecordID)
			}
			out[it.RecordID]++
		}
		if page >= list.TotalPages {
			return out
		}
	}
}

// device is one phone with WatermelonDB's local store: the trips it holds, which of them carry
// unsynced changes, and its last pull's timestamp. It logs and edits only its own trips.
type device struct {
	n       int
	acc     fleet.Account
	c       *fleet.Client
	rng     *rand.Rand
	prefix  string
	base    time.Time
	made    int // trips logged so far (the next slot)
	edits   int
	last    int64
	local   map[string]trip   // what the device holds, synced or not
	pending map[string]bool   // ids with unsynced changes
	acked   map[string]trip   // its own trips, as the server last acknowledged them
	pushed  map[string][]trip // every value of its own trips it ever pushed, answered or not
	mine    []string          // its own trips' ids, oldest first

	syncs, failed, worst int
	stalled              bool
	lastErr              error
}

// change logs n new trips and edits k of its own trips logged before.
func (d *device) change(n, k int) {
	for range min(k, len(d.mine)) {
		id := d.mine[d.rng.IntN(len(d.mine))]
		tr := d.local[id]
		d.edits++
		tr.Cost = float64(50 + d.edits%100)
		tr.Note = fmt.Sprintf("改签 %d #%d", d.n, d.edits)
		d.local[id] = tr
		d.pending[id] = true
	}
	for range n {
		tr := newTrip(tripID(d.prefix, d.made), d.base, d.made)
		d.made++
		d.local[tr.ID] = tr
		d.pending[tr.ID] = true
		d.mine = append(d.mine, tr.ID)
	}
}

// sync is one synchronize(): pull and apply, then push the unsynced changes. It reports
// whether both went through; on false, the changes stay unsynced for the next call.
func (d *device) sync(ctx context.Context) bool {
	d.syncs++
	ok := d.pullAndPush(ctx)
	if !ok {
		d.failed++
	}
	return ok
}

func (d *device) pullAndPush(ctx context.Context) bool {
	var ans pullAnswer
	if _, err := d.c.Patiently(ctx, http.MethodGet, pullPath(d.last), d.acc.Token, nil, &ans, nil); err != nil {
		d.lastErr = fmt.Errorf("pull: %w", err)
		return false
	}
	got, err := ans.trips()
	if err != nil {
		d.lastErr = err
		return false
	}
	if ans.Strategy == "replacement" {
		for id := range d.local {
			if _, listed := got[id]; !listed && !d.pending[id] {
				delete(d.local, id)
			}
		}
	}
	for id, tr := range got {
		if !d.pending[id] { // the local change wins: WatermelonDB keeps it and pushes it
			d.local[id] = tr
		}
	}
	for _, id := range ans.Changes["commute_logs"].Deleted {
		delete(d.local, id)
		delete(d.pending, id)
	}
	d.last = ans.Timestamp
	if len(d.pending) == 0 {
		return true
	}
	var created, updated []trip
	sent := map[string]trip{}
	for id := range d.pending {
		tr := d.local[id]
		sent[id] = tr
		d.pushed[id] = append(d.pushed[id], tr)
		if _, synced := d.acked[id]; synced {
			updated = append(updated, tr)
		} else {
			created = append(created, tr)
		}
	}
	var answer struct {
		Rejected map[string][]string `json:"experimentalRejectedIds"`
	}
	_, err = d.c.Patiently(ctx, http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", d.last), d.acc.Token,
		pushBody(d.acc.Engineer, created, updated), &answer, nil)
	if err != nil {
		if fleet.HasStatus(err, http.StatusConflict) {
			err = fmt.Errorf("push: 409 (pull and push again): %w", err)
		}
		d.lastErr = err
		return false
	}
	if len(answer.Rejected) > 0 {
		d.lastErr = errors.New("push: records rejected")
		return false
	}
	for id, tr := range sent {
		d.acked[id] = tr
		if d.local[id] == tr {
			delete(d.pending, id)
		}
	}
	return true
}
