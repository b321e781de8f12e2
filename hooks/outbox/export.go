package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"feidi/integrations/college"
	"feidi/integrations/delivery"
)

// uploadExport reads the finished workbook from the exports record's file and uploads it. A
// record or file that no longer exists can never be sent: that is permanent.
func (w *Worker) uploadExport(ctx context.Context, key string, payload json.RawMessage) (*delivery.Response, error) {
	var meta college.Export
	if err := json.Unmarshal(payload, &meta); err != nil {
		return nil, &delivery.Error{Permanent: true, Err: err}
	}
	rec, err := w.App.FindRecordById("exports", meta.ExportID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &delivery.Error{Permanent: true, Err: fmt.Errorf("export %s no longer exists", meta.ExportID)}
	} else if err != nil {
		return nil, err
	}
	name := rec.GetString("file")
	if name == "" {
		return nil, &delivery.Error{Permanent: true, Err: fmt.Errorf("export %s has no file", meta.ExportID)}
	}
	fsys, err := w.App.NewFilesystem()
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	f, err := fsys.GetReader(rec.BaseFilesPath() + "/" + name)
	if err != nil {
		return nil, &delivery.Error{Permanent: true, Err: fmt.Errorf("export %s: file %s: %w", meta.ExportID, name, err)}
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return w.Clients.College.UploadExport(ctx, key, meta, name, content)
}
