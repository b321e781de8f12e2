package college_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"testing"
	"time"

	"feidi/integrations/college"
	"feidi/integrations/delivery/deliverytest"
)

func TestUploadExportIsMultipart(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "college-secret-0001")
	c := college.New(rcv.Target(time.Second))
	workbook := []byte("PK\x03\x04 pretend xlsx")
	meta := college.Export{ExportID: "x1", CohortID: "c1", PeriodFrom: "2025-10", PeriodTo: "2025-11", Format: "xlsx"}

	if _, err := c.UploadExport(context.Background(), "college-k1", meta, "cohort_c1.xlsx", workbook); err != nil {
		t.Fatal(err)
	}
	got := rcv.Applied()
	if len(got) != 1 || got[0].Path != "/exports" {
		t.Fatalf("applied %+v", got)
	}
	mediaType, params, err := mime.ParseMediaType(got[0].ContentType)
	if err != nil || mediaType != "multipart/form-data" {
		t.Fatalf("content type %q", got[0].ContentType)
	}
	form, err := multipart.NewReader(bytes.NewReader(got[0].Body), params["boundary"]).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"export_id": "x1", "cohort_id": "c1", "period_from": "2025-10",
		"period_to": "2025-11", "format": "xlsx"} {
		if v := form.Value[field]; len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, want %s", field, v, want)
		}
	}
	fh := form.File["file"]
	if len(fh) != 1 || fh[0].Filename != "cohort_c1.xlsx" {
		t.Fatalf("file part %+v", fh)
	}
	f, _ := fh[0].Open()
	content, _ := io.ReadAll(f)
	if !bytes.Equal(content, workbook) {
		t.Fatalf("file content %q", content)
	}
}

func TestSendEnrolmentIsJSON(t *testing.T) {
	rcv := deliverytest.NewReceiver(t, "college-secret-0001")
	c := college.New(rcv.Target(time.Second))
	body, _ := json.Marshal(college.Enrolment{EngineerID: "g1", Active: true, Name: "李工", Phone: "+8613800138000",
		ChengduEmployer: "电子科技大学", DazuEmployer: &college.Employer{ID: "e1", Name: "大足五金"},
		Cohorts: []college.Cohort{{ID: "c1", Name: "2025 春季班"}}})

	if _, err := c.SendEnrolment(context.Background(), "college-k2", body); err != nil {
		t.Fatal(err)
	}
	got := rcv.Applied()
	if len(got) != 1 || got[0].Path != "/enrolments" || got[0].ContentType != "application/json" || !bytes.Equal(got[0].Body, body) {
		t.Fatalf("applied %+v", got)
	}
}
