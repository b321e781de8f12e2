package replica_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The harness runs the real binary against an in-process S3 server (gofakes3) on loopback.

const (
	replicaBucket = "feidi-replica"
	backupBucket  = "feidi-backups"
	password      = "feidi-demo-2026" // the seed's
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds feidi once per test binary.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "feidi-replica-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "feidi")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, "feidi").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// fakeS3 starts gofakes3 on 127.0.0.1 with the replica's and the backups' buckets.
func fakeS3(t testing.TB) string {
	t.Helper()
	backend := s3mem.New()
	for _, b := range []string{replicaBucket, backupBucket} {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

// environ is the process environment less the developer's FEIDI_* and AWS_* variables, plus
// the replica's settings pointing at endpoint.
func environ(endpoint, syncInterval string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FEIDI_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "FEIDI_REPLICA_BUCKET="+replicaBucket, "FEIDI_REPLICA_ENDPOINT="+endpoint,
		"FEIDI_REPLICA_ACCESS_KEY=feidi-test", "FEIDI_REPLICA_SECRET=feidi-test-secret",
		"FEIDI_REPLICA_SYNC_INTERVAL="+syncInterval, "FEIDI_BACKUP_BUCKET="+backupBucket,
		// Once a year: the test asks for its backup through the API.
		"FEIDI_BACKUP_CRON=0 0 1 1 *")
}

// run runs the binary to completion and returns its output.
func run(t testing.TB, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("feidi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// server is a running `feidi serve`.
type server struct {
	t    testing.TB
	cmd  *exec.Cmd
	base string
	out  *bytes.Buffer
	done chan struct{}
}

// serve starts `feidi serve --dir dir` on a free loopback port and waits until it answers.
func serve(t testing.TB, env []string, dir string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{t: t, base: "http://" + addr, out: &bytes.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(binary(t), "serve", "--dir", dir, "--http", addr)
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = &lockedWriter{w: s.out}, &lockedWriter{w: s.out}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("feidi serve --dir %s said:\n%s", dir, s.output())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(s.base + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("serve exited:\n%s", s.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer within a minute:\n%s", s.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var outMu sync.Mutex

type lockedWriter struct{ w io.Writer }

func (l *lockedWriter) Write(p []byte) (int, error) {
	outMu.Lock()
	defer outMu.Unlock()
	return l.w.Write(p)
}

func (s *server) output() string {
	outMu.Lock()
	defer outMu.Unlock()
	return s.out.String()
}

// kill ends the server as a dead disk would: SIGKILL, no last sync.
func (s *server) kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
	}
}

// client calls a server as one signed-in user (or a superuser).
type client struct {
	t     testing.TB
	base  string
	token string
}

func (c client) do(method, path, contentType string, body []byte) (int, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, b
}

func (c client) json(method, path string, in, out any) int {
	c.t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	status, b := c.do(method, path, "application/json", body)
	if out != nil && status < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	if status >= 300 && out != nil {
		c.t.Logf("%s %s: %d %s", method, path, status, b)
	}
	return status
}

// signIn signs in to collection (users or _superusers) and returns the client and its record id.
func signIn(t testing.TB, base, collection, email string) (client, string) {
	t.Helper()
	var auth struct {
		Token  string
		Record struct{ ID string }
	}
	c := client{t: t, base: base}
	if status := c.json(http.MethodPost, "/api/collections/"+collection+"/auth-with-password",
		map[string]string{"identity": email, "password": password}, &auth); status != 200 {
		t.Fatalf("sign in %s: %d", email, status)
	}
	c.token = auth.Token
	return c, auth.Record.ID
}

// upload sets file field of a record through PocketBase's multipart update.
func (c client) upload(collection, id, field, name string, content []byte) {
	c.t.Helper()
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, _ := form.CreateFormFile(field, name)
	part.Write(content)
	form.Close()
	status, out := c.do(http.MethodPatch, "/api/collections/"+collection+"/records/"+id, form.FormDataContentType(), body.Bytes())
	if status != 200 {
		c.t.Fatalf("upload %s to %s/%s: %d %s", name, collection, id, status, out)
	}
}

// counts is the number of records of every non-system collection, as a superuser lists them.
func counts(su client) map[string]int {
	su.t.Helper()
	var cols struct {
		Items []struct {
			Name, Type string
			System     bool
		}
	}
	if su.json(http.MethodGet, "/api/collections?perPage=500", nil, &cols) != 200 {
		su.t.Fatal("list collections")
	}
	out := map[string]int{}
	for _, c := range cols.Items {
		if c.System {
			continue
		}
		var page struct{ TotalItems int }
		if su.json(http.MethodGet, "/api/collections/"+c.Name+"/records?perPage=1", nil, &page) != 200 {
			su.t.Fatalf("list %s", c.Name)
		}
		out[c.Name] = page.TotalItems
	}
	return out
}

// files hashes every file under dir/storage by its path there.
func files(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join(dir, "storage")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		sum := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}
