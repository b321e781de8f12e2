package replica_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
)

// device is a WatermelonDB-shaped phone of one engineer.
type device struct {
	client
	engineer string // the engineers record
	last     int64  // last_pulled_at
	trips    map[string]bool
}

type pullAnswer struct {
	Changes map[string]struct {
		Created, Updated []map[string]any
		Deleted          []string
	} `json:"changes"`
	Timestamp int64  `json:"timestamp"`
	Strategy  string `json:"experimentalStrategy"`
}

func (d *device) pull() pullAnswer {
	d.t.Helper()
	path := "/api/sync/pull?schema_version=1"
	if d.last > 0 {
		path += fmt.Sprintf("&last_pulled_at=%d", d.last)
	}
	for {
		status, body := d.do(http.MethodGet, path, "", nil)
		if status == http.StatusServiceUnavailable {
			time.Sleep(200 * time.Millisecond) // the gate's turn; Retry-After is for phones
			continue
		}
		if status != 200 {
			d.t.Fatalf("pull: %d %s", status, body)
		}
		var a pullAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			d.t.Fatal(err)
		}
		if a.Strategy == "replacement" {
			d.trips = map[string]bool{}
		}
		for _, r := range append(a.Changes["commute_logs"].Created, a.Changes["commute_logs"].Updated...) {
			d.trips[r["id"].(string)] = true
		}
		for _, id := range a.Changes["commute_logs"].Deleted {
			delete(d.trips, id)
		}
		d.last = a.Timestamp
		return a
	}
}

var syncedTables = []string{"enterprises", "survey_forms", "surveys", "needs", "engineers", "schedules",
	"commute_logs", "cohorts", "cohort_members", "month_signoffs"}

// push pushes trips as created; it returns the status (503: not taken, try again).
func (d *device) push(trips []map[string]any) (int, string) {
	d.t.Helper()
	changes := map[string]any{}
	for _, name := range syncedTables {
		changes[name] = map[string]any{"created": []any{}, "updated": []any{}, "deleted": []any{}}
	}
	changes["commute_logs"] = map[string]any{"created": trips, "updated": []any{}, "deleted": []any{}}
	body, _ := json.Marshal(map[string]any{"changes": changes})
	status, out := d.do(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", d.last), "application/json", body)
	return status, strings.TrimSpace(string(out))
}

// trip is trip n of engineer e: one hour from Dazu to Chengdu on a day of 2025 of its own.
func trip(e, n int, engineer string) map[string]any {
	depart := time.Date(2025, 1, 1, 0, 30, 0, 0, time.UTC).AddDate(0, 0, n)
	return map[string]any{"id": fmt.Sprintf("rs%02dtrip%08d", e, n), "engineer": engineer,
		"from_city": "dazu", "to_city": "chengdu", "mode": "hsr", "distance_km": 270,
		"depart_at": depart.UnixMilli(), "arrive_at": depart.Add(time.Hour).UnixMilli(), "ticket": "",
		"_status": "created", "_changed": ""}
}

// newDevice signs engineer n (1-based, as the seed numbers them) in and pulls.
func newDevice(t testing.TB, base string, n int) *device {
	t.Helper()
	c, userID := signIn(t, base, "users", fmt.Sprintf("engineer%02d@feidi.local", n))
	d := &device{client: c, trips: map[string]bool{}}
	a := d.pull()
	for _, r := range a.Changes["engineers"].Created {
		if r["user"] == userID {
			d.engineer = r["id"].(string)
		}
	}
	if d.engineer == "" {
		t.Fatalf("engineer%02d's pull holds no engineer record of theirs", n)
	}
	return d
}

// load pushes trips [from, to) of each device in batches, all devices at once, pulling between
// pushes as phones do; it returns the ids acknowledged (answered 200 with nothing rejected).
func load(t *testing.T, su client, devices []*device, from, to, batch int) []string {
	t.Helper()
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for i, d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := from; n < to; n += batch {
				var trips []map[string]any
				var ids []string
				for k := n; k < min(n+batch, to); k++ {
					tr := trip(i+1, k, d.engineer)
					trips = append(trips, tr)
					ids = append(ids, tr["id"].(string))
				}
				for {
					status, out := d.push(trips)
					if status == http.StatusServiceUnavailable {
						time.Sleep(200 * time.Millisecond)
						continue
					}
					if status != 200 || out != "{}" {
						_, why := su.do(http.MethodGet, "/api/collections/sync_rejects/records?perPage=2", "", nil)
						t.Errorf("push of %v: %d %s\n%s", ids, status, out, why)
						return
					}
					break
				}
				mu.Lock()
				acked = append(acked, ids...)
				mu.Unlock()
				d.pull()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return acked
}

// replicaHolds waits until data.db restored from the replica alone (`feidi restore` without
// FEIDI_BACKUP_BUCKET) holds every one of ids and total trips, and returns how long it waited.
// Bounded by ctx.
func replicaHolds(ctx context.Context, t testing.TB, env []string, ids []string, total int) time.Duration {
	t.Helper()
	start := time.Now()
	var dbOnly []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FEIDI_BACKUP_") {
			dbOnly = append(dbOnly, kv)
		}
	}
	for attempt := 0; ; attempt++ {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(attempt))
		cmd := exec.CommandContext(ctx, binary(t), "restore", "--to", dir)
		cmd.Env = dbOnly
		out, err := cmd.CombinedOutput()
		if err == nil {
			n, missing := tripsIn(t, filepath.Join(dir, "data.db"), ids)
			if n == total && missing == "" {
				return time.Since(start)
			}
		} else if ctx.Err() == nil && !strings.Contains(string(out), "holds no copy") {
			t.Fatalf("restore from the replica: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
		select {
		case <-ctx.Done():
			t.Fatalf("the replica did not get every acknowledged trip in time: %v", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tripsIn counts commute_logs in the data.db at path and names the first of ids it lacks.
func tripsIn(t testing.TB, path string, ids []string) (int, string) {
	t.Helper()
	db, err := dbx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.NewQuery("SELECT COUNT(*) FROM commute_logs").Row(&n); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	var rows []struct{ ID string }
	if err := db.NewQuery("SELECT id FROM commute_logs").All(&rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		have[r.ID] = true
	}
	for _, id := range ids {
		if !have[id] {
			return n, id
		}
	}
	return n, ""
}

// TestRestoreAfterTheDiskIsLost is the operator's disaster: Feidi serves with its data replicated
// to an S3 store (gofakes3 on loopback) while engineers' phones push trips and files are
// uploaded; a scheduled backup runs midway; then the server dies with its disk. `feidi restore`
// into a fresh dir and `feidi serve` on it give back every record count, every acknowledged
// trip, every file, and the phone that synced before the loss gets a replacement pull and then
// syncs on as before.
func TestRestoreAfterTheDiskIsLost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	endpoint := fakeS3(t)
	env := environ(endpoint, "100ms")

	lost := filepath.Join(t.TempDir(), "pb_data")
	run(t, env, "seed", "--dir", lost)
	srv := serve(t, env, lost)
	su, _ := signIn(t, srv.base, "_superusers", "superuser@feidi.local")

	devices := make([]*device, 6)
	for i := range devices {
		devices[i] = newDevice(t, srv.base, i+1)
	}
	acked := load(t, su, devices, 0, 40, 4)

	// Files: a survey photo (the admin's upload) and tickets on some of the trips just pushed.
	var surveys struct{ Items []struct{ ID string } }
	if su.json(http.MethodGet, "/api/collections/surveys/records?perPage=1&sort=created", nil, &surveys) != 200 || len(surveys.Items) == 0 {
		t.Fatal("the seed has no survey")
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
	su.upload("surveys", surveys.Items[0].ID, "photos", "workshop.png", png)
	for i, d := range devices[:3] {
		d.upload("commute_logs", fmt.Sprintf("rs%02dtrip%08d", i+1, 0), "ticket", "G8594.png", append(png, byte(i)))
	}

	// The scheduled backup (asked for now): the files and an older data.db, in the backups' bucket.
	backupStart := time.Now()
	if status := su.json(http.MethodPost, "/api/backups", map[string]string{"name": "before_the_loss.zip"}, nil); status != 204 {
		t.Fatalf("backup: %d\n%s", status, srv.output())
	}
	t.Logf("the backup took %v", time.Since(backupStart))
	// More trips after the backup: only the replica has them.
	acked = append(acked, load(t, su, devices, 40, 80, 4)...)

	// The phone that will come back after the loss: its last pull is after all of it.
	phone := devices[0]
	phone.pull()
	before := counts(su)
	wantFiles := files(t, lost)
	if before["commute_logs"] < len(acked) || len(wantFiles) < 4 {
		t.Fatalf("before the loss: %v trips, %d files; %d acknowledged", before["commute_logs"], len(wantFiles), len(acked))
	}

	waited := replicaHolds(ctx, t, env, acked, before["commute_logs"])
	t.Logf("%d trips acknowledged; the replica held all of them %v after the last acknowledgement (with restore time)", len(acked), waited)

	// The disk dies with the server.
	srv.kill()
	if err := os.RemoveAll(lost); err != nil {
		t.Fatal(err)
	}

	restored := filepath.Join(t.TempDir(), "pb_data")
	out := run(t, env, "restore", "--to", restored)
	if !strings.Contains(out, "before_the_loss.zip") || !strings.Contains(out, "replacement") {
		t.Fatalf("restore said:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(restored, ".data.db-litestream")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the restored dir holds Litestream's old state: %v", err)
	}
	srv2 := serve(t, env, restored)
	su2, _ := signIn(t, srv2.base, "_superusers", "superuser@feidi.local")
	after := counts(su2)
	for name, n := range before {
		if after[name] != n {
			t.Errorf("%s: %d records before the loss, %d restored", name, n, after[name])
		}
	}
	if n, missing := tripsIn(t, filepath.Join(restored, "data.db"), acked); missing != "" {
		t.Errorf("acknowledged trip %s is not restored (%d trips)", missing, n)
	}
	gotFiles := files(t, restored)
	for path, sum := range wantFiles {
		if gotFiles[path] != sum {
			t.Errorf("file %s: %q restored, want %q", path, gotFiles[path], sum)
		}
	}
	if len(gotFiles) != len(wantFiles) {
		t.Errorf("%d files restored, %d before the loss", len(gotFiles), len(wantFiles))
	}
	// The files are served again.
	var photo struct{ Photos []string }
	if su2.json(http.MethodGet, "/api/collections/surveys/records/"+surveys.Items[0].ID, nil, &photo) != 200 || len(photo.Photos) != 1 {
		t.Fatalf("restored survey photos: %v", photo.Photos)
	}
	var token struct{ Token string }
	su2.json(http.MethodPost, "/api/files/token", nil, &token)
	if status, b := su2.do(http.MethodGet, "/api/files/surveys/"+surveys.Items[0].ID+"/"+photo.Photos[0]+"?token="+token.Token, "", nil); status != 200 || string(b) != string(png) {
		t.Errorf("restored photo download: %d, %d bytes", status, len(b))
	}

	// The phone comes back with its old last_pulled_at, and its token (the restored server
	// signs with the same keys).
	phone.base = srv2.base
	held := len(phone.trips)
	// A push as of the old timestamp is told to pull first.
	if status, out := phone.push([]map[string]any{trip(1, 199, phone.engineer)}); status != http.StatusConflict {
		t.Fatalf("a push as of a pull before the loss: %d %s, want 409", status, out)
	}
	a := phone.pull()
	if a.Strategy != "replacement" {
		t.Fatalf("the phone's first pull after the restore: strategy %q, want a replacement", a.Strategy)
	}
	if len(phone.trips) != held {
		t.Errorf("after the replacement the phone holds %d trips, %d before the loss", len(phone.trips), held)
	}
	// ...and syncs on: a new trip pushed, pulled back incrementally, the same set as the server's.
	if status, out := phone.push([]map[string]any{trip(1, 200, phone.engineer)}); status != 200 || out != "{}" {
		t.Fatalf("push after the restore: %d %s", status, out)
	}
	if a := phone.pull(); a.Strategy != "" || !phone.trips[fmt.Sprintf("rs%02dtrip%08d", 1, 200)] {
		t.Fatalf("the pull after the push: strategy %q, new trip pulled: %v", a.Strategy, phone.trips[fmt.Sprintf("rs%02dtrip%08d", 1, 200)])
	}
	var mine struct{ TotalItems int }
	phone.json(http.MethodGet, "/api/collections/commute_logs/records?perPage=1&filter="+
		fmt.Sprintf("engineer%%3D'%s'", phone.engineer), nil, &mine)
	if mine.TotalItems != len(phone.trips) {
		t.Errorf("the phone holds %d trips, the server lists %d of theirs", len(phone.trips), mine.TotalItems)
	}
}
