package exportjob_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/exportjob"
	"feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook/workbooktest"
)

// TestAJobWhoseOutcomeCannotBeStoredFails: the final write fails (file storage, a locked
// database); the job must not stay running with nobody on it, blocking the same request with 409.
func TestAJobWhoseOutcomeCannotBeStoredFails(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	job := queue(t, app, c, "csv")
	app.OnRecordUpdate("exports").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == exportjob.Done {
			return errors.New("storage unavailable")
		}
		return e.Next()
	})
	if err := exportjob.RunPending(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	if j := find(t, app, job.Id); j.GetString("status") != exportjob.Failed || j.GetString("error") == "" {
		t.Fatalf("job %q, error %q", j.GetString("status"), j.GetString("error"))
	}
}

// TestAJobDeletedWhileRunningLeavesNoFile: an admin deletes the job as it runs; the workbook must
// not land in the storage of a record that no longer exists.
func TestAJobDeletedWhileRunningLeavesNoFile(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	job := queue(t, app, c, "csv")
	app.OnRecordUpdate("exports").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString("status") == exportjob.Running {
			r, err := e.App.FindRecordById("exports", e.Record.Id)
			if err != nil {
				return err
			}
			return e.App.Delete(r)
		}
		return nil
	})
	if err := exportjob.RunPending(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	if files, _ := fsys.List(job.BaseFilesPath() + "/"); len(files) > 0 {
		t.Fatalf("a deleted job left %s in storage", files[0].Key)
	}
}

// TestTheRequesterCannotDeleteARunningJob: the delete rule keeps the worker's job whole, and
// lets the requester clear it once it has ended. (Evaluated directly: over HTTP the serve hook
// would requeue the running job before the request.)
func TestTheRequesterCannotDeleteARunningJob(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	job := queue(t, app, c, "csv")
	info := &core.RequestInfo{Auth: c.Coordinator, Method: http.MethodDelete}
	for status, allowed := range map[string]bool{exportjob.Running: false, exportjob.Failed: true, exportjob.Queued: true} {
		job.Set("status", status)
		if err := app.SaveNoValidate(job); err != nil {
			t.Fatal(err)
		}
		ok, err := app.CanAccessRecord(job, info, job.Collection().DeleteRule)
		if err != nil || ok != allowed {
			t.Errorf("delete of a %s job: allowed=%v (%v), want %v", status, ok, err, allowed)
		}
	}
}

// TestOneLiveJobPerRequestEvenInARace: the create hook's check and the insert are two steps;
// the unique index holds when two identical requests arrive together.
func TestOneLiveJobPerRequestEvenInARace(t *testing.T) {
	app := apptest.New(t)
	c := workbooktest.Seed(t, app)
	first := queue(t, app, c, "csv")
	second := core.NewRecord(first.Collection())
	second.Load(first.FieldsData())
	second.Id = ""
	if err := app.SaveNoValidate(second); err == nil {
		t.Fatal("a second live job of the same request was stored")
	}
	first.Set("status", exportjob.Done)
	if err := app.SaveNoValidate(first); err != nil {
		t.Fatal(err)
	}
	if err := app.SaveNoValidate(second); err != nil {
		t.Fatalf("once the first has ended the same request may run again: %v", err)
	}
}
