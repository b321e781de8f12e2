package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"feidi/bench/fleet"
)

// target is the server under load: its base URL, its process (for /proc) and a superuser.
type target struct {
	url      string
	pid      int
	email    string
	password string
}

// process is a Feidi server this program started, with its data dir.
type process struct {
	target
	cmd     *exec.Cmd
	dir     string
	keep    bool
	stopped sync.Once
}

const (
	superuserEmail    = "load@feidi.test"
	superuserPassword = "load-test-password-2026"
)

// startServer builds Feidi (unless bin is given), creates a superuser in a fresh data dir and
// serves on a free loopback port until the health check answers.
func startServer(ctx context.Context, bin string, keep bool) (*process, error) {
	dir, err := os.MkdirTemp("", "feidi-load-*")
	if err != nil {
		return nil, err
	}
	p := &process{dir: dir, keep: keep, target: target{email: superuserEmail, password: superuserPassword}}
	if bin == "" {
		bin = filepath.Join(dir, "feidi")
		start := time.Now()
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		build.Dir, err = fleet.ModuleRoot()
		if err != nil {
			return nil, err
		}
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go build: %w", err)
		}
		fmt.Printf("built %s in %.1f s\n", bin, time.Since(start).Seconds())
	}
	data := filepath.Join(dir, "pb_data")
	upsert := exec.CommandContext(ctx, bin, "superuser", "upsert", superuserEmail, superuserPassword, "--dir", data)
	if out, err := upsert.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("superuser upsert: %w: %s", err, out)
	}
	addr, err := fleet.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	p.url = "http://" + addr
	p.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", data)
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.pid = p.cmd.Process.Pid
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(p.url + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, fmt.Errorf("the server did not answer /api/health within 60 s (log: %s)", logFile.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("server pid %d on %s, data dir %s\n", p.pid, p.url, data)
	return p, nil
}

// stop interrupts the server (and kills it after 10 s) and removes the data dir unless kept.
func (p *process) stop() {
	p.stopped.Do(func() {
		if p.cmd != nil && p.cmd.Process != nil {
			_ = p.cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = p.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.cmd.Process.Kill()
				<-done
			}
		}
		if !p.keep {
			_ = os.RemoveAll(p.dir)
		}
	})
}

// procStats is what /proc tells of a process: CPU time so far, resident set now and at its peak.
type procStats struct {
	cpu     time.Duration
	rss     int64 // bytes
	peakRSS int64 // VmHWM, bytes
}

// clockTick is USER_HZ, 100 on every Linux this runs on.
const clockTick = 10 * time.Millisecond

func readProc(pid int) (procStats, error) {
	var s procStats
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	s.cpu = time.Duration(utime+stime) * clockTick
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			s.rss = kb << 10
		case "VmHWM":
			s.peakRSS = kb << 10
		}
	}
	return s, sc.Err()
}
