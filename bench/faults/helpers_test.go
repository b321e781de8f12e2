package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/bench/fleet"
)

const (
	superuserEmail    = "faults@feidi.test"
	superuserPassword = "faults-test-password-2026"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// feidiBinary builds the real binary of this module once for the package's tests.
func feidiBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "feidi-faults-bin-*")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "feidi")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		buildErr = fleet.Build(ctx, binPath)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// feidi is a served data dir with its superuser signed in.
type feidi struct {
	t   *testing.T
	srv *fleet.Server
	c   *fleet.Client
	su  string // the superuser's token
}

// startFeidi makes a superuser in a fresh data dir and serves it with vars as its only FEIDI_*
// settings; the server is killed when the test ends.
func startFeidi(t *testing.T, ctx context.Context, vars ...string) *feidi {
	t.Helper()
	srv, err := fleet.NewServer(feidiBinary(t), filepath.Join(t.TempDir(), "pb_data"), vars...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Kill()
		if t.Failed() {
			if log, err := os.ReadFile(srv.Log); err == nil {
				t.Logf("server log:\n%.4000s", log)
			}
		}
	})
	if _, err := srv.Run(ctx, "superuser", "upsert", superuserEmail, superuserPassword); err != nil {
		t.Fatal(err)
	}
	f := &feidi{t: t, srv: srv, c: fleet.NewClient(srv.URL(), 16, 60*time.Second)}
	f.restart(ctx)
	return f
}

// restart starts the server (again) and signs the superuser in.
func (f *feidi) restart(ctx context.Context) {
	f.t.Helper()
	if err := f.srv.Start(ctx); err != nil {
		f.t.Fatal(err)
	}
	su, err := fleet.SuperuserToken(ctx, f.c, superuserEmail, superuserPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	f.su = su
}

// count is how many records of collection match filter, asked as the superuser.
func (f *feidi) count(ctx context.Context, collection, filter string) int {
	f.t.Helper()
	var page struct {
		TotalItems int `json:"totalItems"`
	}
	path := fmt.Sprintf("/api/collections/%s/records?perPage=1&filter=%s", collection, url.QueryEscape(filter))
	if err := f.c.Do(ctx, http.MethodGet, path, f.su, nil, &page); err != nil {
		f.t.Fatalf("count %s where %s: %v", collection, filter, err)
	}
	return page.TotalItems
}

// create creates a record as the superuser and returns its id.
func (f *feidi) create(ctx context.Context, collection string, fields map[string]any) string {
	f.t.Helper()
	var r struct {
		ID string `json:"id"`
	}
	if err := f.c.Do(ctx, http.MethodPost, "/api/collections/"+collection+"/records", f.su, fields, &r); err != nil {
		f.t.Fatalf("create %s: %v", collection, err)
	}
	return r.ID
}

// record reads one record as the superuser.
func (f *feidi) record(ctx context.Context, collection, id string, out any) {
	f.t.Helper()
	if err := f.c.Do(ctx, http.MethodGet, "/api/collections/"+collection+"/records/"+id, f.su, nil, out); err != nil {
		f.t.Fatalf("read %s %s: %v", collection, id, err)
	}
}

// openData opens the data dir's data.db the way PocketBase does, while no server runs on it.
func openData(t *testing.T, dataDir, file string) *dbx.DB {
	t.Helper()
	db, err := core.DefaultDBConnect(filepath.Join(dataDir, file))
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	return db
}

// copyData copies a data dir as a kill left it (WAL and all) and returns the copy, to be read
// without touching the dir the server starts on again.
func copyData(t *testing.T, data string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(data)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// eventually polls check every 20 ms until it holds, for at most within.
func eventually(ctx context.Context, within time.Duration, check func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		if check() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// trip is one commute log as a device holds it; each is a trip every two hours from base.
type trip struct {
	ID             string
	Depart, Arrive int64 // ms
	From, To       string
	Cost           float64
	Note           string
}

// raw is the trip as WatermelonDB pushes it.
func (tr trip) raw(engineer, status string) map[string]any {
	return map[string]any{"id": tr.ID, "_status": status, "_changed": "", "engineer": engineer,
		"from_city": tr.From, "to_city": tr.To, "depart_at": tr.Depart, "arrive_at": tr.Arrive,
		"mode": "hsr", "distance_km": 230, "cost_yuan": tr.Cost, "note": tr.Note, "ticket": "", "created": 0, "updated": 0}
}

// newTrip is the slot-th trip of a timeline starting at base: one every two hours, alternating
// directions.
func newTrip(id string, base time.Time, slot int) trip {
	depart := base.Add(time.Duration(slot) * 2 * time.Hour)
	tr := trip{ID: id, Depart: depart.UnixMilli(), Arrive: depart.Add(75 * time.Minute).UnixMilli(),
		From: "chengdu", To: "dazu", Cost: 96.5, Note: "G8591 成都东 → 大足南"}
	if slot%2 == 1 {
		tr.From, tr.To = tr.To, tr.From
	}
	return tr
}

// tripID is a WatermelonDB-shaped id (16 characters of 0-9a-zA-Z) unique to prefix and n.
func tripID(prefix string, n int) string {
	return fmt.Sprintf("%s%0*d", prefix, 16-len(prefix), n)
}

// pushBody is a WatermelonDB push of these trips: created ones and updated ones.
func pushBody(engineer string, created, updated []trip) map[string]any {
	c, u := []any{}, []any{}
	for _, tr := range created {
		c = append(c, tr.raw(engineer, "created"))
	}
	for _, tr := range updated {
		u = append(u, tr.raw(engineer, "updated"))
	}
	return map[string]any{"changes": map[string]any{
		"commute_logs": map[string]any{"created": c, "updated": u, "deleted": []any{}},
		"schedules":    map[string]any{"created": []any{}, "updated": []any{}, "deleted": []any{}},
	}}
}

// pullAnswer is what a pull answers, commute logs only.
type pullAnswer struct {
	Changes map[string]struct {
		Created []json.RawMessage `json:"created"`
		Updated []json.RawMessage `json:"updated"`
		Deleted []string          `json:"deleted"`
	} `json:"changes"`
	Timestamp int64  `json:"timestamp"`
	Strategy  string `json:"experimentalStrategy"`
}

// tripsOf decodes the commute logs of a pull, created and updated.
func (a pullAnswer) trips() (map[string]trip, error) {
	out := map[string]trip{}
	logs := a.Changes["commute_logs"]
	for _, raw := range append(logs.Created, logs.Updated...) {
		var r struct {
			ID       string  `json:"id"`
			Depart   int64   `json:"depart_at"`
			Arrive   int64   `json:"arrive_at"`
			From     string  `json:"from_city"`
			To       string  `json:"to_city"`
			Cost     float64 `json:"cost_yuan"`
			Note     string  `json:"note"`
			Engineer string  `json:"engineer"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		out[r.ID] = trip{ID: r.ID, Depart: r.Depart, Arrive: r.Arrive, From: r.From, To: r.To, Cost: r.Cost, Note: r.Note}
	}
	return out, nil
}

// pullPath is the pull of a device whose last pull answered last (0: never pulled).
func pullPath(last int64) string {
	if last == 0 {
		return "/api/sync/pull?schema_version=3"
	}
	return fmt.Sprintf("/api/sync/pull?schema_version=3&last_pulled_at=%d", last)
}
