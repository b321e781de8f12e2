package exportjob

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/export"
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

// runExport writes the export the flags ask for.
func runExport(cmd *cobra.Command, app core.App, cohort, from, to, out, format string, needs bool) error {
	p, err := export.ParsePeriod(from, to)
	if err != nil {
		return err
	}
	req := export.Request{Kind: export.KindCohort, Cohort: cohort, Period: p}
	switch {
	case needs == (cohort != ""):
		return errors.New("give either --cohort ID or --needs")
	case needs:
		req.Kind = export.KindNeeds
	}
	f := export.Format(format)
	if f == "" {
		f = export.XLSX
		if strings.EqualFold(filepath.Ext(out), ".zip") {
			f = export.CSV
		}
	}
	if out == "" {
		out = req.FileName(f)
	}
	file, err := os.Create(out)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	res, err := export.Write(cmd.Context(), app.DB(), req, file, export.Options{Format: f, Progress: func(rows int) {
		fmt.Fprintf(stderr, "\rexport: %d rows written", rows)
	}})
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
