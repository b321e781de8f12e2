package exportjob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"feidi/hooks/lib/clip"
	"feidi/hooks/lib/tz"
	"feidi/hooks/lib/workbook"
)

// RunPending runs the queued jobs one after the other, oldest first, until none is left or ctx
// ends. A job that fails is marked failed with the reason; ctx ending leaves the job running, to
// be resumed at the next start.
func RunPending(ctx context.Context, app core.App) error {
	for ctx.Err() == nil {
		jobs, err := app.FindRecordsByFilter(collection, `status = "queued"`, "created", 1, 0)
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		if err := run(ctx, app, jobs[0]); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// run runs one job. Its own writes skip the request checks: a job whose request no longer
// passes them (edited by hand, say) must still be marked failed.
func run(ctx context.Context, app core.App, job *core.Record) error {
	job.Set("status", Running)
	job.Set("started_at", time.Now())
	if err := app.SaveNoValidate(job); err != nil {
		return err
	}
	res, path, err := generate(ctx, app, job)
	if path != "" {
		defer os.RemoveAll(filepath.Dir(path))
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if err == nil {
		var file *filesystem.File
		if file, err = filesystem.NewFileFromPath(path); err == nil {
			job.Set("file", file)
			job.Set("status", Done)
			job.Set("rows", res.Rows)
			job.Set("total_rows", res.Total)
		}
	}
	if err != nil {
		job.Set("status", Failed)
		job.Set("error", describe(err))
	}
	job.Set("finished_at", time.Now())
	if _, gone := app.FindRecordById(collection, job.Id); errors.Is(gone, sql.ErrNoRows) {
		return nil // deleted while it ran (by an admin): nothing to store the file under
	}
	saveErr := app.SaveNoValidate(job)
	if saveErr == nil {
		return nil
	}
	// The outcome could not be stored (the file storage, a locked database): mark the job failed
	// with a plain update rather than leave it running with nobody on it.
	_, err = app.DB().Update(collection, dbx.Params{"status": Failed, "error": describe(saveErr),
		"finished_at": tz.Stored(time.Now())}, dbx.HashExp{"id": job.Id}).Execute()
	return err
}

// generate writes the job's export into a temporary directory and returns the file's path.
func generate(ctx context.Context, app core.App, job *core.Record) (workbook.Result, string, error) {
	req, format, err := request(job)
	if err != nil {
		return workbook.Result{}, "", err
	}
	dir, err := os.MkdirTemp("", "feidi-export-*")
	if err != nil {
		return workbook.Result{}, "", err
	}
	path := filepath.Join(dir, req.FileName(format))
	f, err := os.Create(path)
	if err != nil {
		return workbook.Result{}, path, err
	}
	res, err := workbook.Write(ctx, app.ConcurrentDB(), req, f, workbook.Options{Format: format})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return res, path, err
}

// request reads what an exports record asks for.
func request(job *core.Record) (workbook.Request, workbook.Format, error) {
	p, err := workbook.ParsePeriod(job.GetString("period_from"), job.GetString("period_to"))
	req := workbook.Request{Kind: workbook.Kind(job.GetString("kind")), Cohort: job.GetString("cohort"), Period: p}
	return req, workbook.Format(job.GetString("format")), err
}

// describe is the error as the person who asked reads it.
func describe(err error) string {
	msg := err.Error()
	if errors.Is(err, workbook.ErrUnknownCohort) {
		msg = "The cohort no longer exists."
	}
	return fmt.Sprintf("The export failed: %s", clip.Text(msg, 1900))
}
