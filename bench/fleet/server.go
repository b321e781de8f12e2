// Package fleet is what the load and fault benchmarks share: a real Feidi server run as a
// subprocess on loopback (built from this module, started, killed and started again on the same
// data dir), and the JSON client and engineer accounts of the WatermelonDB-shaped devices that
// sync with it.
package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Build builds the feidi binary of this module into bin.
func Build(ctx context.Context, bin string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// ModuleRoot is the directory of the Feidi module's go.mod.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the Feidi module (or pass -server)")
	}
	return filepath.Dir(mod), nil
}

// FreeLoopbackAddr is a 127.0.0.1 address with a port free at the time of asking.
func FreeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// CleanEnv is this process's environment without the developer's FEIDI_* variables, plus vars.
func CleanEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FEIDI_") {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}

// Server is `feidi serve` on one data dir and one loopback address, which may be started,
// killed and started again.
type Server struct {
	Bin  string   // the feidi binary
	Data string   // the data dir (--dir)
	Addr string   // host:port on 127.0.0.1
	Env  []string // the whole environment of the process
	Log  string   // where stdout and stderr go, appended across starts

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// NewServer is a server of bin on data, on a free loopback port, in a clean environment plus
// vars, logging into data's parent directory.
func NewServer(bin, data string, vars ...string) (*Server, error) {
	addr, err := FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	return &Server{Bin: bin, Data: data, Addr: addr, Env: CleanEnv(vars...),
		Log: filepath.Join(filepath.Dir(data), filepath.Base(data)+".log")}, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.Addr }

// Pid is the process id while it runs, else 0.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Run runs another feidi command on the data dir (superuser upsert, migrate...) and returns its
// output.
func (s *Server) Run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.Bin, append(args, "--dir", s.Data)...)
	cmd.Env = s.Env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("feidi %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// Launch starts serve without waiting for it to answer.
func (s *Server) Launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("fleet: the server is already running")
	}
	log, err := os.OpenFile(s.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.Bin, "serve", "--dir", s.Data, "--http", s.Addr)
	cmd.Env = s.Env
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	return nil
}

// Start starts serve and waits until /api/health answers 200 (at most a minute, or ctx).
func (s *Server) Start(ctx context.Context) error {
	if err := s.Launch(); err != nil {
		return err
	}
	return s.WaitHealthy(ctx, time.Minute)
}

// WaitHealthy waits until /api/health answers 200.
func (s *Server) WaitHealthy(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/api/health", nil)
		if res, err := c.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("fleet: serve exited before it answered (log: %s)", s.Log)
		case <-ctx.Done():
			return fmt.Errorf("fleet: /api/health did not answer within %s (log: %s)", within, s.Log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Kill sends SIGKILL, as the OOM killer or a power cut would, and waits for the process to end.
func (s *Server) Kill() {
	cmd, done := s.take()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Stop interrupts the server, as systemd's stop does, and kills it after 10 s.
func (s *Server) Stop() {
	cmd, done := s.take()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// take hands over the running process and its done channel (nil when none runs), so that one
// caller alone stops it.
func (s *Server) take() (*exec.Cmd, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, done := s.cmd, s.done
	s.cmd, s.done = nil, nil
	return cmd, done
}
