package syncbench

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/validate"
)

// stockSnapshot is the data dir of a stock PocketBase app — PocketBase's own migrations only, no
// Feidi hook, trigger or API rule — holding Feidi's collections and a world's rows, with the
// batch API on: the plain PocketBase a push is compared with.
type stockSnapshot struct {
	once sync.Once
	dir  string
	err  error
}

// stockCollections are the collections a push of entries and trips needs, as Feidi defines them
// (fields, id pattern, indexes) less the sync column and its index, every API rule "" (anyone).
var stockCollections = []string{"enterprises", "engineers", "schedules", "commute_logs"}

// stockApp returns a stock PocketBase app on a copy of w's stock snapshot.
func stockApp(b *testing.B, w world) core.App {
	b.Helper()
	worlds.Lock()
	s := worlds.stock[w]
	if s == nil {
		s = &stockSnapshot{}
		worlds.stock[w] = s
	}
	worlds.Unlock()
	s.once.Do(func() { s.dir, s.err = buildStock(b, w) })
	if s.err != nil {
		b.Fatalf("stock PocketBase data dir: %v", s.err)
	}
	dir, err := tests.TempDirClone(s.dir)
	if err != nil {
		b.Fatal(err)
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = app.ResetBootstrapState()
		_ = os.RemoveAll(dir)
	})
	return app
}

func buildStock(b *testing.B, w world) (string, error) {
	feidi := apptest.New(b) // where Feidi's collections are read from
	var cols []*core.Collection
	open := ""
	for _, name := range stockCollections {
		c, err := feidi.FindCollectionByNameOrId(name)
		if err != nil {
			return "", err
		}
		c.Fields.RemoveByName("sync_seq")
		c.RemoveIndex("idx_" + name + "_sync_seq")
		c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = &open, &open, &open, &open, &open
		// Without Feidi's hooks the id's whole form is the schema's to check, as PocketBase does it.
		if id, ok := c.Fields.GetByName("id").(*core.TextField); ok && id.Pattern == validate.DeviceIDCharacters {
			id.Pattern = validate.DeviceID.String()
		}
		cols = append(cols, c)
	}
	data, err := json.Marshal(cols)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "feidi-stock-*")
	if err != nil {
		return "", err
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return "", err
	}
	defer func() { _ = app.ResetBootstrapState() }()
	if err := app.RunSystemMigrations(); err != nil {
		return "", err
	}
	if err := app.ImportCollectionsByMarshaledJSON(data, false); err != nil {
		return "", err
	}
	settings := app.Settings()
	settings.Batch.Enabled = true
	settings.Batch.MaxRequests = 1000
	settings.Batch.Timeout = 60
	settings.Logs.MaxDays = 0 // no request log, as on the Feidi test app
	if err := app.Save(settings); err != nil {
		return "", err
	}
	start := time.Now()
	if err := w.fill(app.NonconcurrentDB().(*dbx.DB).DB(), true); err != nil {
		return "", err
	}
	b.Logf("stock world %+v filled with plain SQL in %.1f s", w, time.Since(start).Seconds())
	return dir, nil
}
