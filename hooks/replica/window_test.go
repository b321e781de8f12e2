package replica_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var next int

// BenchmarkReplicationWindow measures the window a dead disk loses: from a trip's acknowledged
// push to the moment `feidi restore` (data.db only) brings it back, against gofakes3 on loopback,
// at the default FEIDI_REPLICA_SYNC_INTERVAL (1s). The window includes one restore's own time,
// reported beside it. Run: go test ./hooks/replica -run '^$' -bench ReplicationWindow -benchtime 20x
func BenchmarkReplicationWindow(b *testing.B) {
	if b.N > 200 {
		b.Fatal("at most 200 trips (-benchtime 20x)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	env := environ(fakeS3(b), "1s")
	var dbOnly []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FEIDI_BACKUP_") {
			dbOnly = append(dbOnly, kv)
		}
	}
	dir := filepath.Join(b.TempDir(), "pb_data")
	run(b, env, "seed", "--dir", dir)
	srv := serve(b, env, dir)
	phone := newDevice(b, srv.base, 1)
	var windows, restores []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next++ // a new day of 2025 for each trip, across the benchmark's runs
		tr := trip(1, 100+next, phone.engineer)
		if status, out := phone.push([]map[string]any{tr}); status != 200 || out != "{}" {
			b.Fatalf("push: %d %s", status, out)
		}
		acked := time.Now()
		for attempt := 0; ; attempt++ {
			to := filepath.Join(b.TempDir(), fmt.Sprint(i, "-", attempt))
			started := time.Now()
			cmd := exec.CommandContext(ctx, binary(b), "restore", "--to", to)
			cmd.Env = dbOnly
			if out, err := cmd.CombinedOutput(); err != nil {
				if !strings.Contains(string(out), "holds no copy") { // none before the first sync
					b.Fatalf("restore: %v\n%s", err, out)
				}
			} else if _, missing := tripsIn(b, filepath.Join(to, "data.db"), []string{tr["id"].(string)}); missing == "" {
				windows = append(windows, time.Since(acked))
				restores = append(restores, time.Since(started))
				os.RemoveAll(to)
				break
			}
			os.RemoveAll(to)
		}
	}
	b.StopTimer()
	slices.Sort(windows)
	slices.Sort(restores)
	b.ReportMetric(float64(windows[len(windows)/2].Milliseconds()), "window-median-ms")
	b.ReportMetric(float64(windows[len(windows)-1].Milliseconds()), "window-max-ms")
	b.ReportMetric(float64(restores[len(restores)/2].Milliseconds()), "restore-median-ms")
	b.Logf("windows %v; one restore %v", windows, restores)
}
