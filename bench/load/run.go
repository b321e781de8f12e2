package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"feidi/bench/fleet"
)

// stats collects what the devices saw during the measured phase.
type stats struct {
	requests atomic.Int64

	mu        sync.Mutex
	latencies map[string][]time.Duration // "pull", "push": answered requests
	errors    map[string]int             // by request and status or failure
	firstErr  map[string]string
	timeouts  int
	sheds     map[string]int // 503 answers by request, waited out and sent again
	conflicts int
	syncs     int // pushes acknowledged
	records   int // records acknowledged
	rejected  int
}

func newStats() *stats {
	return &stats{latencies: map[string][]time.Duration{}, errors: map[string]int{}, firstErr: map[string]string{},
		sheds: map[string]int{}}
}

// reset forgets everything recorded so far.
func (s *stats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.Store(0)
	clear(s.latencies)
	clear(s.errors)
	clear(s.firstErr)
	clear(s.sheds)
	s.timeouts, s.conflicts, s.syncs, s.records, s.rejected = 0, 0, 0, 0, 0
}

// request records one pull or push that was not a 409.
func (s *stats) request(kind string, took time.Duration, err error) {
	s.requests.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		s.latencies[kind] = append(s.latencies[kind], took)
	case fleet.IsTimeout(err):
		s.timeouts++
	default:
		key := kind + ": failed"
		if se, ok := err.(*fleet.StatusError); ok {
			key = fmt.Sprintf("%s: %d", kind, se.Status)
		}
		s.errors[key]++
		if s.firstErr[key] == "" {
			s.firstErr[key] = err.Error()
		}
	}
}

// shed records a 503 answer (the request is sent again after its Retry-After).
func (s *stats) shed(kind string) {
	s.requests.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sheds[kind]++
}

func (s *stats) conflict(took time.Duration) {
	s.requests.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conflicts++
	s.latencies["push"] = append(s.latencies["push"], took)
}

func (s *stats) done(records, rejected int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncs++
	s.records += records
	s.rejected += rejected
}

// report is the outcome of a run.
type report struct {
	cfg            config
	stats          *stats
	elapsed        time.Duration
	setup          time.Duration
	cpu            time.Duration // the server's, during the measured phase
	peakRSS        int64         // the server's highest VmRSS sampled during the measured phase
	hwm            int64         // the server's VmHWM at the end (its whole life)
	selfCPU        time.Duration // this program's, during the measured phase
	verified       verification
	verifyFailures int
}

// run creates and signs in the accounts, gives each device its first sync, then plays the
// devices for the measured phase and verifies every account.
func run(ctx context.Context, cfg config, t target) (*report, error) {
	c := fleet.NewClient(t.url, cfg.devices, cfg.timeout)
	setupStart := time.Now()
	su, err := fleet.SuperuserToken(ctx, c, t.email, t.password)
	if err != nil {
		return nil, err
	}
	accounts, err := fleet.CreateAccounts(ctx, c, su, "load.feidi.test", cfg.devices, cfg.setupConns)
	if err != nil {
		return nil, err
	}
	st := newStats()
	now := time.Now()
	devices := make([]*device, cfg.devices)
	for i, a := range accounts {
		devices[i] = newDevice(i, a, c, st, cfg, now)
	}
	if err := fleet.Parallel(len(devices), cfg.setupConns, func(i int) error { return devices[i].pull(ctx) }); err != nil {
		return nil, fmt.Errorf("first pull: %w", err)
	}
	st.reset() // the first pulls are setup
	rep := &report{cfg: cfg, stats: st, setup: time.Since(setupStart)}
	fmt.Printf("%d accounts created, signed in and pulled once in %.1f s\n", cfg.devices, rep.setup.Seconds())

	before, err := readProc(t.pid)
	if err != nil {
		return nil, err
	}
	selfBefore := selfCPU()
	sampling, stopSampling := context.WithCancel(ctx)
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if p, err := readProc(t.pid); err == nil {
				rep.peakRSS = max(rep.peakRSS, p.rss)
			}
			select {
			case <-sampling.Done():
				return
			case <-tick.C:
			}
		}
	})

	start := time.Now()
	deadline := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for _, d := range devices {
		wg.Go(func() {
			for {
				pause := time.Duration(d.rng.ExpFloat64() * float64(cfg.pause))
				if time.Now().Add(pause).After(deadline) || st.requests.Load() >= cfg.maxRequests {
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				d.sync(ctx)
			}
		})
	}
	wg.Wait()
	rep.elapsed = time.Since(start)
	stopSampling()
	sampler.Wait()
	after, err := readProc(t.pid)
	if err != nil {
		return nil, err
	}
	rep.cpu, rep.hwm, rep.selfCPU = after.cpu-before.cpu, after.peakRSS, selfCPU()-selfBefore

	var mu sync.Mutex
	_ = fleet.Parallel(len(devices), cfg.setupConns, func(i int) error {
		v, err := devices[i].verify(ctx)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			rep.verifyFailures++
			fmt.Fprintf(os.Stderr, "verify account %d: %v\n", i, err)
			return nil
		}
		rep.verified.add(v)
		return nil
	})
	return rep, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ok is a run with no error, no timeout and nothing lost.
func (r *report) ok() bool {
	v := r.verified
	return len(r.stats.errors) == 0 && r.stats.timeouts == 0 && r.stats.rejected == 0 && r.verifyFailures == 0 &&
		v.lost == 0 && v.changed == 0 && v.unexpected == 0
}

func (r *report) print(w io.Writer) {
	s, secs := r.stats, r.elapsed.Seconds()
	fmt.Fprintf(w, "devices %d, mean pause %s, %d trips a push (%d edits), measured %.1f s (-duration %s), client timeout %s\n",
		r.cfg.devices, r.cfg.pause, r.cfg.records, r.cfg.edits, secs, r.cfg.duration, r.cfg.timeout)
	fmt.Fprintf(w, "syncs %d (%.1f/s), records acknowledged %d (%.0f/s), requests %d, conflicts (409) %d\n",
		s.syncs, float64(s.syncs)/secs, s.records, float64(s.records)/secs, s.requests.Load(), s.conflicts)
	for _, kind := range []string{"pull", "push"} {
		l := slices.Clone(s.latencies[kind])
		slices.Sort(l)
		fmt.Fprintf(w, "%-4s n=%-6d p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n", kind, len(l),
			ms(pct(l, 0.50)), ms(pct(l, 0.95)), ms(pct(l, 0.99)), ms(pct(l, 1)))
	}
	fmt.Fprintf(w, "errors %d, timeouts %d, rejected records %d, shed (503, retried after Retry-After) pull %d push %d\n",
		sum(s.errors), s.timeouts, s.rejected, s.sheds["pull"], s.sheds["push"])
	for key, n := range s.errors {
		fmt.Fprintf(w, "  %s: %d (first: %s)\n", key, n, s.firstErr[key])
	}
	fmt.Fprintf(w, "server CPU %.1f s in %.1f s (%.2f cores), RSS peak %.0f MiB during the run (VmHWM %.0f MiB); load generator CPU %.1f s\n",
		r.cpu.Seconds(), secs, r.cpu.Seconds()/secs, float64(r.peakRSS)/(1<<20), float64(r.hwm)/(1<<20), r.selfCPU.Seconds())
	v := r.verified
	fmt.Fprintf(w, "verified %d accounts (%d failed): %d acknowledged trips, %d lost, %d with other values, %d unexpected, %d unanswered at the end\n",
		r.cfg.devices-r.verifyFailures, r.verifyFailures, v.acked, v.lost, v.changed, v.unexpected, v.queued)
	p99 := func(kind string) time.Duration {
		l := slices.Clone(s.latencies[kind])
		slices.Sort(l)
		return pct(l, 0.99)
	}
	fmt.Fprintf(w, "targets: 0 errors/timeouts/lost %v; 0 shed %v; pull p99 <= 500 ms %v; push p99 <= 500 ms %v\n",
		r.ok(), sum(s.sheds) == 0, p99("pull") <= 500*time.Millisecond, p99("push") <= 500*time.Millisecond)
}

// pct is the q-quantile of sorted (nearest rank).
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sum(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}
