package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/archive"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/spf13/cobra"

	"feidi/hooks/settings"
	"feidi/hooks/watermelon"
)

// Restored says what a restore put together.
type Restored struct {
	// Backup is the PocketBase backup the files came from; empty when FEIDI_BACKUP_BUCKET is unset
	// or the bucket holds none.
	Backup string
	// Seq is the sync sequence of the restored data.db, and NewSeq the one it serves from
	// (see watermelon.ForgetTimestamps).
	Seq, NewSeq int64
}

// Restore builds a data dir in dir, which must be absent or empty: the files (pb_data/storage:
// photos, tickets, exports) and auxiliary.db from the newest PocketBase backup in
// FEIDI_BACKUP_BUCKET, then data.db from the Litestream replica, as it was up to its last sync
// (seconds before the loss), in place of the backup's older one; then it makes every device's
// next pull a replacement, since the lost server may have told devices of changes the replica did
// not get.
func Restore(ctx context.Context, r *settings.Replica, dir string, logf func(format string, args ...any)) (Restored, error) {
	var out Restored
	if r == nil {
		return out, errors.New("FEIDI_REPLICA_BUCKET is not set: set the FEIDI_REPLICA_* of the lost server")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return out, fmt.Errorf("%s is not empty: restore into a new directory, then move it in place", dir)
	} else if err != nil && !os.IsNotExist(err) {
		return out, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return out, err
	}

	if r.BackupBucket == "" {
		logf("FEIDI_BACKUP_BUCKET is not set: restoring data.db only, without the uploaded files")
	} else {
		name, err := restoreBackup(ctx, r, dir)
		if err != nil {
			return out, fmt.Errorf("backup from bucket %s: %w", r.BackupBucket, err)
		}
		if name == "" {
			logf("bucket %s holds no backup: restoring data.db only, without the uploaded files", r.BackupBucket)
		} else {
			logf("files and auxiliary.db from backup %s", name)
		}
		out.Backup = name
	}

	dbPath := filepath.Join(dir, "data.db")
	c := client(r)
	if err := c.Init(ctx); err != nil {
		return out, err
	}
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = dbPath
	if err := litestream.NewReplicaWithClient(nil, c).Restore(ctx, opt); err != nil {
		if errors.Is(err, litestream.ErrNoSnapshots) || errors.Is(err, litestream.ErrTxNotAvailable) {
			return out, fmt.Errorf("%w at s3://%s/%s", errEmpty, r.Bucket, r.Path)
		}
		return out, fmt.Errorf("data.db from s3://%s/%s: %w", r.Bucket, r.Path, err)
	}
	logf("data.db from s3://%s/%s", r.Bucket, r.Path)

	db, err := dbx.Open("sqlite", dbPath)
	if err != nil {
		return out, err
	}
	defer db.Close()
	if out.Seq, out.NewSeq, err = watermelon.ForgetTimestamps(db); err != nil {
		return out, fmt.Errorf("sync sequence: %w", err)
	}
	logf("sync sequence %d moved to %d: every device's next pull is a replacement", out.Seq, out.NewSeq)
	return out, nil
}

// restoreBackup extracts the newest backup of the backup bucket into dir, less its data.db (the
// replica's is newer) and anything of Litestream's, and returns its name ("" when there is none).
func restoreBackup(ctx context.Context, r *settings.Replica, dir string) (string, error) {
	fsys, err := filesystem.NewS3(r.BackupBucket, r.Region, backupEndpoint(r), r.AccessKey, r.Secret, r.Endpoint != "")
	if err != nil {
		return "", err
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	objects, err := fsys.List("")
	if err != nil {
		return "", err
	}
	var newest string
	var newestAt int64
	for _, o := range objects {
		if strings.HasSuffix(o.Key, ".zip") && (newest == "" || o.ModTime.UnixNano() > newestAt) {
			newest, newestAt = o.Key, o.ModTime.UnixNano()
		}
	}
	if newest == "" {
		return "", nil
	}
	zipPath := filepath.Join(dir, ".restore-"+filepath.Base(newest))
	if err := download(fsys, newest, zipPath); err != nil {
		return "", err
	}
	defer os.Remove(zipPath)
	if err := archive.Extract(zipPath, dir); err != nil {
		return "", err
	}
	for _, name := range []string{"data.db", "data.db-wal", "data.db-shm", metaDir} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return newest, nil
}

func download(fsys *filesystem.System, key, path string) error {
	rd, err := fsys.GetReader(key)
	if err != nil {
		return err
	}
	defer rd.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rd); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Command is `feidi restore --to DIR`. It reads the same FEIDI_REPLICA_* and FEIDI_BACKUP_* as
// serve (settingsErr: what parsing them said). main.go runs it without opening a data dir.
func Command(r *settings.Replica, settingsErr error) *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Build a data dir from the off-site replica and the newest backup (FEIDI_REPLICA_*, FEIDI_BACKUP_*)",
		Long: "Builds a new data dir in --to: the uploaded files and logs from the newest PocketBase backup in " +
			"FEIDI_BACKUP_BUCKET, data.db from the Litestream replica as of its last sync. Then start " +
			"`feidi serve --dir` on it. The directory must be absent or empty.",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if settingsErr != nil {
				return settingsErr
			}
			if to == "" {
				return errors.New("--to DIR is required: the new data dir")
			}
			logf := func(format string, args ...any) { fmt.Fprintf(cmd.OutOrStdout(), format+"\n", args...) }
			if _, err := Restore(cmd.Context(), r, to, logf); err != nil {
				return err
			}
			logf("restored into %s; start it with: feidi serve --dir %s", to, to)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the new data dir (absent or empty)")
	return cmd
}
