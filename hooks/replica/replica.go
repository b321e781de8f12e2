// Package replica keeps Feidi's data off the server's disk: while `feidi serve` runs, Litestream
// (embedded) ships every change of data.db to an S3-compatible bucket within about a second, and
// PocketBase's own scheduled backups put whole-dir snapshots, the uploaded files with them, in a
// second bucket. The `restore` command builds a data dir from both. Settings: FEIDI_REPLICA_*
// and FEIDI_BACKUP_* (hooks/settings); the operator's steps are in the README.
//
// auxiliary.db (PocketBase's request and app logs) is not replicated: it is written on every
// request, so shipping it would multiply the replica's traffic for data that is not the enclave's;
// the scheduled backups carry it, and a restore takes it from the newest one.
package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	lss3 "github.com/benbjohnson/litestream/s3"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/settings"
)

// metaDir is where Litestream keeps its local state beside data.db (its own naming); PocketBase's
// backups leave it out, since a restore starts the replica's state afresh.
const metaDir = ".data.db" + litestream.MetaDirSuffix

// shutdownTimeout bounds the last sync when serve stops: a store that does not answer must not
// keep a stopping server alive.
const shutdownTimeout = 15 * time.Second

// Register starts replication when serve starts, when r is set (FEIDI_REPLICA_BUCKET), and hands
// PocketBase's backup settings to FEIDI_BACKUP_* when FEIDI_BACKUP_BUCKET is set. Other commands
// (migrate, seed) do not replicate: the next serve ships what they wrote.
func Register(app core.App, r *settings.Replica) {
	if r == nil {
		return
	}
	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		e.Exclude = append(e.Exclude, metaDir)
		return e.Next()
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if r.BackupBucket != "" {
			if err := applyBackupSettings(e.App, r); err != nil {
				return fmt.Errorf("replica: PocketBase backup settings: %w", err)
			}
		}
		store, err := start(e.App, r)
		if err != nil {
			return fmt.Errorf("replica: %w", err)
		}
		e.App.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if err := store.Close(ctx); err != nil {
				te.App.Logger().Error("replica: last sync before stopping", "error", err)
			}
			return te.Next()
		})
		return e.Next()
	})
}

// start opens Litestream on the app's data.db. It returns at once: the first sync, and every one
// after it, runs in the background, and a store that is unreachable is retried with backoff
// (logged) while the app serves.
func start(app core.App, r *settings.Replica) (*litestream.Store, error) {
	db := litestream.NewDB(filepath.Join(app.DataDir(), "data.db"))
	// The WAL is looked at as often as it is shipped: together they are the window a dead disk loses.
	db.MonitorInterval = r.SyncInterval
	rep := litestream.NewReplicaWithClient(db, client(r))
	rep.SyncInterval = r.SyncInterval
	db.Replica = rep
	store := litestream.NewStore([]*litestream.DB{db}, litestream.DefaultCompactionLevels)
	store.Logger = logger(app)
	db.SetLogger(store.Logger.With("db", "data.db"))
	if err := store.Open(context.Background()); err != nil {
		return nil, err
	}
	app.Logger().Info("replica: replicating data.db", "bucket", r.Bucket, "path", r.Path,
		"endpoint", r.Endpoint, "syncInterval", r.SyncInterval.String())
	return store, nil
}

// client is Litestream's S3 client for the replica.
func client(r *settings.Replica) *lss3.ReplicaClient {
	c := lss3.NewReplicaClient()
	c.Bucket, c.Path, c.Region, c.Endpoint = r.Bucket, r.Path, r.Region, r.Endpoint
	c.ForcePathStyle = r.Endpoint != ""
	c.AccessKeyID, c.SecretAccessKey = r.AccessKey, r.Secret
	return c
}

// logger is Litestream's logger: its warnings and errors (a store that refuses, a sync that
// fails) in PocketBase's logs, where the admin UI shows them; its chatter left out.
func logger(app core.App) *slog.Logger {
	return slog.New(minLevel{app.Logger().Handler(), slog.LevelWarn}).With("component", "replica")
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }

// backupEndpoint is the endpoint PocketBase's backups use: it wants one even for AWS.
func backupEndpoint(r *settings.Replica) string {
	if r.Endpoint != "" {
		return strings.TrimSuffix(r.Endpoint, "/")
	}
	return "https://s3." + r.Region + ".amazonaws.com"
}

// applyBackupSettings makes PocketBase's scheduled backups those of FEIDI_BACKUP_*: the
// environment is the source of truth, and a change made in the admin UI is put back at the next
// start.
func applyBackupSettings(app core.App, r *settings.Replica) error {
	want := core.BackupsConfig{Cron: r.BackupCron, CronMaxKeep: r.BackupKeep, S3: core.S3Config{
		Enabled: true, Bucket: r.BackupBucket, Region: r.Region, Endpoint: backupEndpoint(r),
		AccessKey: r.AccessKey, Secret: r.Secret, ForcePathStyle: r.Endpoint != ""}}
	s := app.Settings()
	if s.Backups == want {
		return nil
	}
	s.Backups = want
	return app.Save(s)
}

// errEmpty is Restore's answer when the replica holds nothing.
var errEmpty = errors.New("the replica holds no copy of data.db")
