// Package college is the client of the Chengdu–Chongqing Engineer College (成渝工程师学院): it
// uploads finished cohort exports and sends engineers' enrolment changes. It knows HTTP and the
// payloads (see README.md), not PocketBase.
package college

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"time"

	"feidi/integrations/delivery"
)

// DefaultTimeout bounds one attempt when FEIDI_COLLEGE_TIMEOUT is unset; uploads carry workbooks.
const DefaultTimeout = 60 * time.Second

// Client talks to the College.
type Client struct{ c *delivery.Client }

// New returns a client for t.
func New(t delivery.Target) *Client { return &Client{c: delivery.New(t)} }

// SendEnrolment posts an engineer's enrolment (an Enrolment as JSON) to /enrolments.
func (c *Client) SendEnrolment(ctx context.Context, key string, enrolment json.RawMessage) (*delivery.Response, error) {
	return c.c.Post(ctx, delivery.Request{Path: "/enrolments", ContentType: "application/json",
		Body: enrolment, IdempotencyKey: key})
}

// SendMonthApproval posts an engineer's approved month (a MonthApproval as JSON) to
// /month-approvals.
func (c *Client) SendMonthApproval(ctx context.Context, key string, approval json.RawMessage) (*delivery.Response, error) {
	return c.c.Post(ctx, delivery.Request{Path: "/month-approvals", ContentType: "application/json",
		Body: approval, IdempotencyKey: key})
}

// UploadExport posts a finished cohort export to /exports as multipart/form-data: the fields of
// meta, then the workbook as the part "file".
func (c *Client) UploadExport(ctx context.Context, key string, meta Export, fileName string, content []byte) (*delivery.Response, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"export_id", meta.ExportID}, {"cohort_id", meta.CohortID},
		{"period_from", meta.PeriodFrom}, {"period_to", meta.PeriodTo}, {"format", meta.Format}} {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return nil, &delivery.Error{Permanent: true, Err: err}
		}
	}
	part, err := w.CreateFormFile("file", fileName)
	if err == nil {
		_, err = part.Write(content)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, &delivery.Error{Permanent: true, Err: err}
	}
	return c.c.Post(ctx, delivery.Request{Path: "/exports", ContentType: w.FormDataContentType(),
		Body: body.Bytes(), IdempotencyKey: key})
}
