package outbox_test

import (
	"bytes"
	"mime"
	"mime/multipart"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
)

func TestFinishedCohortExportIsUploadedToCollege(t *testing.T) {
	app, rcv := newApp(t)
	coordinator := user(t, app, "coord@example.com", "coordinator")
	cohort := newRecord(t, app, "cohorts", map[string]any{"name": "2026 定向培养班", "coordinator": coordinator.Id})
	workbook := []byte("PK\x03\x04 a cohort workbook")
	file, err := filesystem.NewFileFromBytes(workbook, "cohort.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	exports, err := app.FindCollectionByNameOrId("exports")
	if err != nil {
		t.Fatal(err)
	}
	export := core.NewRecord(exports)
	export.Load(map[string]any{"kind": "cohort", "cohort": cohort.Id, "period_from": "2026-10",
		"period_to": "2026-11", "format": "xlsx", "status": "running", "requested_by": coordinator.Id})
	export.Set("file", file)
	apptest.Save(t, app, export)
	before := len(rows(t, app))
	export.Set("status", "done")
	apptest.Save(t, app, export)

	rs := rows(t, app)
	if len(rs) != before+1 || rs[len(rs)-1].GetString("event") != outbox.EventExport {
		t.Fatalf("want one export.finished row, got %d new rows", len(rs)-before)
	}
	w, _ := newWorker(t, app, rcv)
	tick(t, w, outbox.TargetCollege)
	row := fresh(t, app, rs[len(rs)-1])
	if row.GetString("status") != outbox.StatusDelivered {
		t.Fatalf("row %v", row.FieldsData())
	}
	var upload *struct {
		ContentType string
		Body        []byte
	}
	for _, a := range rcv.college.Applied() {
		if a.Key == row.GetString("idempotency_key") {
			upload = &struct {
				ContentType string
				Body        []byte
			}{a.ContentType, a.Body}
		}
	}
	if upload == nil || rcv.college.BadSignatures() != 0 {
		t.Fatal("the College did not get the export with a valid signature")
	}
	_, params, _ := mime.ParseMediaType(upload.ContentType)
	form, err := multipart.NewReader(bytes.NewReader(upload.Body), params["boundary"]).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if form.Value["cohort_id"][0] != cohort.Id || form.Value["period_from"][0] != "2026-10" ||
		form.Value["period_to"][0] != "2026-11" || form.Value["export_id"][0] != export.Id {
		t.Fatalf("fields %v", form.Value)
	}
	f, _ := form.File["file"][0].Open()
	var got bytes.Buffer
	got.ReadFrom(f)
	if !bytes.Equal(got.Bytes(), workbook) {
		t.Fatalf("file %q", got.Bytes())
	}
}
