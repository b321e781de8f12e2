package history

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/lib/tz"
)

// Archive moves the versions written before cutoff out of the database: it writes them to w as
// JSON lines, oldest first, and deletes them, in one transaction; it returns how many. The
// latest version of each record stays, so that numbering goes on and the record's last known
// state (a deleted record's too) can still be read and restored; older versions cannot be
// restored once archived.
func Archive(app core.App, cutoff time.Time, w io.Writer) (int, error) {
	n := 0
	const old = `FROM record_history WHERE created < {:cutoff} AND version < (SELECT MAX(h.version) FROM record_history h
		WHERE h.[[table]] = record_history.[[table]] AND h.record_id = record_history.record_id)`
	params := dbx.Params{"cutoff": tz.Stored(cutoff)}
	err := app.RunInTransaction(func(tx core.App) error {
		rows, err := tx.DB().NewQuery(`SELECT id, [[table]], record_id, version, operation, door, actor, before, after, note, created ` +
			old + ` ORDER BY created, rowid`).Bind(params).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		enc := json.NewEncoder(w)
		for rows.Next() {
			var r struct {
				ID        string          `json:"id"`
				Table     string          `json:"table"`
				RecordID  string          `json:"record_id"`
				Version   int             `json:"version"`
				Operation string          `json:"operation"`
				Door      string          `json:"door"`
				Actor     string          `json:"actor"`
				Before    json.RawMessage `json:"before"`
				After     json.RawMessage `json:"after"`
				Note      string          `json:"note"`
				Created   string          `json:"created"`
			}
			var before, after string
			if err := rows.Scan(&r.ID, &r.Table, &r.RecordID, &r.Version, &r.Operation, &r.Door, &r.Actor, &before, &after, &r.Note, &r.Created); err != nil {
				return err
			}
			r.Before, r.After = json.RawMessage(before), json.RawMessage(after)
			if err := enc.Encode(r); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = tx.DB().NewQuery(`DELETE ` + old).Bind(params).Execute()
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Command returns `feidi history-archive`, which moves the versions older than a day out of the
// database into a gzipped JSON-lines file (to run once a year, say, from cron).
func Command(app core.App) *cobra.Command {
	var before, out string
	cmd := &cobra.Command{
		Use:          "history-archive",
		Short:        "Move record versions written before a day (Asia/Shanghai) to a .jsonl.gz file",
		Example:      "  feidi history-archive --before 2026-01-01 --out history-2025.jsonl.gz",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		Run: func(cmd *cobra.Command, _ []string) {
			// PocketBase ignores the error of a command; cron needs to see the failure.
			if err := archiveTo(app, before, out, cmd.OutOrStdout()); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "Error:", err)
				os.Exit(1)
			}
		},
	}
	cmd.Flags().StringVar(&before, "before", "", "first day kept, e.g. 2026-01-01 (Asia/Shanghai)")
	cmd.Flags().StringVar(&out, "out", "", "file to write (gzipped JSON lines); it must not exist")
	return cmd
}

func archiveTo(app core.App, before, out string, report io.Writer) error {
	day, err := time.ParseInLocation(time.DateOnly, before, tz.Shanghai)
	if err != nil || out == "" {
		return fmt.Errorf("give --before YYYY-MM-DD and --out FILE")
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	z := gzip.NewWriter(f)
	n, err := Archive(app, day, z)
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out) // nothing was deleted: the transaction rolled back
		return err
	}
	fmt.Fprintf(report, "%d versions written before %s moved to %s\n", n, before, out)
	return nil
}
