// Command load plays N WatermelonDB devices of dual-employed engineers against a real Feidi
// server on 127.0.0.1 — the Monday-morning load of issue 10 — and verifies every account
// afterwards. It builds the server with `go build`, starts it as a subprocess on a fresh data
// dir (so that the CPU time and peak RSS read from /proc are the server's own), creates and
// signs in the accounts, then runs the devices for a bounded time and number of requests:
//
//	go run ./bench/load -devices 500 -pause 5s -duration 60s
//
// Each device waits an exponentially distributed pause (mean -pause), pulls, then pushes
// -records trips (new ones logged forward in time, and -edits edits of trips it pushed before);
// on 409 it pulls and pushes again. A push that fails or times out is pushed again at the next
// sync, as WatermelonDB does. Figures and the command are in BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"
)

// config is one run's settings, from the flags.
type config struct {
	devices     int
	pause       time.Duration
	duration    time.Duration
	records     int
	edits       int
	maxRequests int64
	timeout     time.Duration
	setupConns  int
}

func main() {
	var cfg config
	flag.IntVar(&cfg.devices, "devices", 50, "devices (engineer accounts) to play")
	flag.DurationVar(&cfg.pause, "pause", 5*time.Second, "mean pause between a device's syncs (exponential)")
	flag.DurationVar(&cfg.duration, "duration", 60*time.Second, "length of the measured phase: no sync starts after it")
	flag.IntVar(&cfg.records, "records", 20, "trips per push")
	flag.IntVar(&cfg.edits, "edits", 5, "of those, edits of trips pushed before (the rest are new)")
	flag.Int64Var(&cfg.maxRequests, "max-requests", 200000, "bound on the requests of the measured phase")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "client timeout of a request")
	flag.IntVar(&cfg.setupConns, "setup-concurrency", 4, "parallel requests while creating and signing in accounts")
	bin := flag.String("server", "", "a built feidi binary to run (default: go build the module)")
	keep := flag.Bool("keep", false, "keep the data dir afterwards")
	flag.Parse()
	if cfg.devices < 1 || cfg.pause <= 0 || cfg.duration <= 0 || cfg.records < 1 || cfg.edits < 0 || cfg.edits > cfg.records {
		log.Fatal("load: -devices, -pause, -duration and -records must be positive and -edits at most -records")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv, err := startServer(ctx, *bin, *keep)
	if err != nil {
		log.Fatalf("load: %v", err)
	}
	defer srv.stop()
	rep, err := run(ctx, cfg, srv.target)
	if err != nil {
		log.Fatalf("load: %v", err)
	}
	rep.print(os.Stdout)
	if !rep.ok() {
		fmt.Println("FAIL: errors, timeouts or lost records (see above)")
		srv.stop()
		os.Exit(1)
	}
}
