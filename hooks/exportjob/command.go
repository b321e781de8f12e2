package exportjob

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/lib/workbook"
)

// Command returns `feidi export`, which writes an export to a file from the terminal or a cron
// job, with a progress line on stderr.
func Command(app core.App) *cobra.Command {
	var cohort, from, to, out, format string
	var needs bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a cohort workbook (--cohort) or the needs summary (--needs) to a file",
		Example: "  feidi export --cohort COHORT_ID --from 2026-01 --to 2026-06 --out cohort.xlsx\n" +
			"  feidi export --needs --from 2026-01 --to 2026-06 --out needs.zip",
		Args:         cobra.NoArgs,
		SilenceUsage: true, // a failed export says why; the flags are in --help
		Run: func(cmd *cobra.Command, _ []string) {
			// PocketBase ignores the error of a command; cron needs to see the failure.
			if err := runExport(cmd, app, cohort, from, to, out, format, needs); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "Error:", err)
				os.Exit(1)
			}
		},
	}
	cmd.Flags().StringVar(&cohort, "cohort", "", "id of the cohort to export")
	cmd.Flags().BoolVar(&needs, "needs", false, "export the needs summary instead of a cohort")
	cmd.Flags().StringVar(&from, "from", "", "first month, e.g. 2026-01 (Asia/Shanghai)")
	cmd.Flags().StringVar(&to, "to", "", "last month, included, e.g. 2026-06")
	cmd.Flags().StringVar(&out, "out", "", "file to write; .zip means CSV files (default: kind_from_to.xlsx)")
	cmd.Flags().StringVar(&format, "format", "", "xlsx or csv (default: from the --out extension)")
	return cmd
}

// commandMemoryLimit is the soft limit of the Go heap while the export command runs.
const commandMemoryLimit = 48 << 20

// runExport writes the export the flags ask for.
func runExport(cmd *cobra.Command, app core.App, cohort, from, to, out, format string, needs bool) error {
	p, err := workbook.ParsePeriod(from, to)
	if err != nil {
		return err
	}
	req := workbook.Request{Kind: workbook.KindCohort, Cohort: cohort, Period: p}
	switch {
	case needs == (cohort != ""):
		return errors.New("give either --cohort ID or --needs")
	case needs:
		req.Kind = workbook.KindNeeds
	}
	f := workbook.Format(format)
	if f == "" {
		f = workbook.XLSX
		if strings.EqualFold(filepath.Ext(out), ".zip") {
			f = workbook.CSV
		}
	}
	if out == "" {
		out = req.FileName(f)
	}
	file, err := os.Create(out)
	if err != nil {
		return err
	}
	// A soft limit on the Go heap: the export's live heap is about 25 MB (excelize keeps up to
	// 16 MB of a sheet before it spills to a temporary file), and without a limit the collector
	// lets the heap double before it runs; the limit keeps the peak flat at no measured cost in
	// time (BENCHMARKS.md). GOMEMLIMIT, when set, is the user's choice and wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(commandMemoryLimit)
	}
	stderr := cmd.ErrOrStderr()
	res, err := workbook.Write(cmd.Context(), app.ConcurrentDB(), req, file, workbook.Options{Format: f, Progress: progressLine(stderr)})
	fmt.Fprintln(stderr)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d rows %v\n", out, res.Total, res.Rows)
	return nil
}

// progressLine rewrites one line on a terminal; in a cron job's log it writes a line per 10,000
// rows instead of thousands of carriage returns.
func progressLine(w io.Writer) func(rows int) {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return func(rows int) { fmt.Fprintf(w, "\rexport: %d rows written", rows) }
		}
	}
	next := 10000
	return func(rows int) {
		if rows >= next {
			fmt.Fprintf(w, "export: %d rows written\n", rows)
			next = rows + 10000
		}
	}
}
