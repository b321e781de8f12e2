package migrations_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/types"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/watermelon"
)

// The same access matrix (rules_test.go) through the other doors: sync pull and push, file
// download, and the batch API. A collection or rule added to the matrix is proven on every
// door at once; a collection with API rules missing from the matrix fails the test.

type caller = at.Client

func served(t *testing.T) (*tests.TestApp, func(role string) caller) {
	app := at.Enclave.App(t)
	base := at.Serve(t, app)
	return app, func(role string) caller {
		c := caller{T: t, Base: base}
		if role != "" {
			c.Token = at.Token(t, app, role)
		}
		return c
	}
}

func synced(collection string) bool { return slices.Contains(watermelon.Tables, collection) }

func TestEveryCollectionIsInTheMatrix(t *testing.T) {
	app := at.Enclave.App(t)
	cols, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if c.System || c.Name == "sync_rejects" || c.Name == "exports" || c.Name == "outbox" {
			continue // PocketBase's own, and those with tests of their own (hooks/watermelon, exportjob, outbox)
		}
		if c.CreateRule == nil && c.UpdateRule == nil && c.DeleteRule == nil {
			continue // written only by the server's own endpoints (feed keys and their uses), tested there
		}
		if !slices.ContainsFunc(matrix, func(g grant) bool { return g.collection == c.Name && g.createBody != "" }) {
			t.Errorf("collection %s has no row with writes in the access matrix", c.Name)
		}
	}
}

// TestMatrixThroughSyncPull: a device lists exactly what REST lists.
func TestMatrixThroughSyncPull(t *testing.T) {
	_, as := served(t)
	if status, _ := as("").Do(http.MethodGet, "/api/sync/pull", nil); status != 401 {
		t.Errorf("anonymous pull: %d", status)
	}
	for _, role := range roles[1:] {
		_, body := as(role).Do(http.MethodGet, "/api/sync/pull", nil)
		var a struct {
			Changes map[string]struct{ Created, Updated []map[string]any }
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("%s: %v %.200s", role, err, body)
		}
		for _, g := range matrix {
			if !synced(g.collection) {
				continue
			}
			got := slices.ContainsFunc(append(a.Changes[g.collection].Created, a.Changes[g.collection].Updated...),
				func(r map[string]any) bool { return r["id"] == g.id })
			if want := slices.Contains(g.read, role); got != want {
				t.Errorf("pull %s/%s as %s: listed=%v, want %v", g.collection, g.id, role, got, want)
			}
		}
	}
}

// rawOf turns a REST body into a WatermelonDB raw: dates in milliseconds, JSON as text.
func rawOf(t *testing.T, app core.App, collection, body string) map[string]any {
	var data map[string]any
	if err := json.Unmarshal([]byte(body), &data); err != nil {
		t.Fatal(err)
	}
	c, _ := app.FindCachedCollectionByNameOrId(collection)
	for k, v := range data {
		switch c.Fields.GetByName(k).(type) {
		case *core.DateField:
			d, _ := types.ParseDateTime(v)
			data[k] = d.Time().UnixMilli()
		case *core.JSONField:
			b, _ := json.Marshal(v)
			data[k] = string(b)
		case *core.RelationField: // a multiple relation travels as JSON text
			if f := c.Fields.GetByName(k).(*core.RelationField); f.IsMultiple() {
				b, _ := json.Marshal(v)
				data[k] = string(b)
			}
		}
	}
	return data
}

// TestMatrixThroughSyncPush: each caller pushes every create, every update and every delete of
// the matrix (one push each, on a fresh copy of the fixtures); what the matrix grants is
// written, the rest is refused and leaves the record as it was.
func TestMatrixThroughSyncPush(t *testing.T) {
	setup := at.Enclave.App(t)
	form, _ := at.PublishedFormID(setup)
	for _, role := range roles[1:] {
		for _, action := range []string{"create", "update", "delete"} {
			app, as := served(t)
			device := as(role)
			_, body := device.Do(http.MethodGet, "/api/sync/pull", nil)
			var pulled struct{ Timestamp int64 }
			json.Unmarshal(body, &pulled)
			changes := map[string]map[string][]any{}
			add := func(collection, bucket string, v any) {
				if changes[collection] == nil {
					changes[collection] = map[string][]any{"created": {}, "updated": {}, "deleted": {}}
				}
				changes[collection][bucket] = append(changes[collection][bucket], v)
			}
			var rows []grant
			for _, g := range matrix {
				if !synced(g.collection) || g.createBody == "" {
					continue
				}
				rows = append(rows, g)
				switch action {
				case "create":
					raw := rawOf(t, app, g.collection, strings.ReplaceAll(g.createBody, "{form}", form))
					raw["_status"] = "created"
					add(g.collection, "created", raw)
				case "update":
					add(g.collection, "updated", map[string]any{"id": g.id, g.field: g.value, "_status": "updated"})
				case "delete":
					add(g.collection, "deleted", deleted(g))
				}
			}
			push, _ := json.Marshal(map[string]any{"changes": changes})
			status, answer := device.Do(http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", pulled.Timestamp), push)
			if status != 200 {
				t.Fatalf("%s %s push: %d %s", role, action, status, answer)
			}
			for _, g := range rows {
				var allowed, done bool
				switch action {
				case "create":
					allowed = slices.Contains(g.create, role)
					_, err := app.FindRecordById(g.collection, g.newID)
					done = err == nil
				case "update":
					allowed = slices.Contains(g.update, role)
					r, err := app.FindRecordById(g.collection, g.id)
					done = err == nil && r.GetString(g.field) == g.value
				case "delete":
					allowed = slices.Contains(g.delete, role)
					_, err := app.FindRecordById(g.collection, deleted(g))
					done = err != nil
				}
				if allowed != done {
					t.Errorf("sync %s %s/%s as %s: written=%v, want %v (answer %s)", action, g.collection, g.id, role, done, allowed, answer)
				}
			}
		}
	}
	if status, _ := (caller{T: t, Base: at.Serve(t, setup)}).Do(http.MethodPost, "/api/sync/push?last_pulled_at=1", []byte(`{"changes":{}}`)); status != 401 {
		t.Errorf("anonymous push: %d", status)
	}
}

func deleted(g grant) string {
	if g.deleteID != "" {
		return g.deleteID
	}
	return g.id
}

// TestMatrixThroughFileDownload: a protected file (a train ticket, a survey photo) downloads
// with a file token of somebody who may view its record, and for nobody else.
func TestMatrixThroughFileDownload(t *testing.T) {
	app, as := served(t)
	files := map[string]string{} // grant row → URL
	for _, g := range matrix {
		c, _ := app.FindCachedCollectionByNameOrId(g.collection)
		for _, f := range c.Fields {
			file, ok := f.(*core.FileField)
			if !ok || g.collection == "exports" {
				continue
			}
			if !file.Protected {
				t.Errorf("%s.%s is not protected", g.collection, f.GetName())
			}
			r, err := app.FindRecordById(g.collection, g.id)
			if err != nil {
				t.Fatal(err)
			}
			upload, _ := filesystem.NewFileFromBytes([]byte("\x89PNG\r\n\x1a\n"), "scan.png")
			r.Set(f.GetName(), upload)
			at.Save(t, app, r)
			files[g.collection+"/"+g.id] = "/api/files/" + g.collection + "/" + g.id + "/" + r.GetStringSlice(f.GetName())[0]
		}
	}
	if len(files) < 3 {
		t.Fatalf("expected the matrix's trips and surveys to carry files: %v", files)
	}
	for _, role := range roles {
		c := as(role)
		token := ""
		if role != "" {
			_, body := c.Do(http.MethodPost, "/api/files/token", nil)
			var answer struct{ Token string }
			json.Unmarshal(body, &answer)
			token = answer.Token
		}
		for _, g := range matrix {
			url, ok := files[g.collection+"/"+g.id]
			if !ok {
				continue
			}
			status, _ := c.Do(http.MethodGet, url+"?token="+token, nil)
			if want := slices.Contains(g.read, role); (status == 200) != want {
				t.Errorf("download %s as %q: %d, want allowed=%v", url, role, status, want)
			}
		}
	}
}

// TestMatrixThroughBatch: with PocketBase's batch API turned on, every write of the matrix as
// one batch request is allowed or refused as through REST, and a refusal writes nothing.
func TestMatrixThroughBatch(t *testing.T) {
	setup := at.Enclave.App(t)
	form, _ := at.PublishedFormID(setup)
	for _, role := range roles {
		for _, phase := range []string{"create", "update and delete"} {
			app, as := served(t)
			app.Settings().Batch.Enabled = true
			app.Settings().Batch.MaxRequests = 10
			app.Settings().RateLimits.Enabled = false
			c := as(role)
			batch := func(method, url, body string) int {
				req := map[string]any{"method": method, "url": url}
				if body != "" {
					var b map[string]any
					json.Unmarshal([]byte(body), &b)
					req["body"] = b
				}
				payload, _ := json.Marshal(map[string]any{"requests": []any{req}})
				status, _ := c.Do(http.MethodPost, "/api/batch", payload)
				return status
			}
			if phase == "create" {
				for _, g := range matrix {
					if g.createBody == "" {
						continue
					}
					batch(http.MethodPost, "/api/collections/"+g.collection+"/records", strings.ReplaceAll(g.createBody, "{form}", form))
					_, err := app.FindRecordById(g.collection, g.newID)
					if done, want := err == nil, slices.Contains(g.create, role); done != want {
						t.Errorf("batch create %s as %q: written=%v, want %v", g.collection, role, done, want)
					}
				}
				continue
			}
			for _, g := range matrix {
				if g.createBody == "" {
					continue
				}
				batch(http.MethodPatch, "/api/collections/"+g.collection+"/records/"+g.id, `{"`+g.field+`":"`+g.value+`"}`)
				r, _ := app.FindRecordById(g.collection, g.id)
				if done, want := r != nil && r.GetString(g.field) == g.value, slices.Contains(g.update, role); done != want {
					t.Errorf("batch update %s as %q: written=%v, want %v", g.collection, role, done, want)
				}
			}
			for i := len(matrix) - 1; i >= 0; i-- { // children before the records they hang on
				g := matrix[i]
				if g.createBody == "" {
					continue
				}
				batch(http.MethodDelete, "/api/collections/"+g.collection+"/records/"+deleted(g), "")
				_, err := app.FindRecordById(g.collection, deleted(g))
				if done, want := err != nil, slices.Contains(g.delete, role); done != want {
					t.Errorf("batch delete %s/%s as %q: deleted=%v, want %v", g.collection, deleted(g), role, done, want)
				}
			}
		}
	}
}

// TestMatrixThroughRealtime: a realtime subscriber to each record of the matrix hears of its
// change exactly when the matrix lets them read it. Each caller subscribes to every record at
// once; an event that must not come is waited for a short while after the expected ones came
// (so a slow machine can only make this test miss a leak, never fail a correct server).
func TestMatrixThroughRealtime(t *testing.T) {
	app, as := served(t)
	for _, role := range roles {
		c := as(role)
		req, _ := http.NewRequest(http.MethodGet, c.Base+"/api/realtime", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		events := make(chan string, 256)
		clientID := make(chan string, 1)
		go func() {
			defer close(events)
			buf := make([]byte, 0, 4096)
			chunk := make([]byte, 4096)
			for {
				n, err := res.Body.Read(chunk)
				buf = append(buf, chunk[:n]...)
				for {
					i := bytes.Index(buf, []byte("\n\n"))
					if i < 0 {
						break
					}
					var name, data string
					for _, line := range strings.Split(string(buf[:i]), "\n") {
						if v, ok := strings.CutPrefix(line, "event:"); ok {
							name = v
						}
						if v, ok := strings.CutPrefix(line, "data:"); ok {
							data = v
						}
					}
					buf = buf[i+2:]
					if name == "PB_CONNECT" {
						var m struct{ ClientId string }
						json.Unmarshal([]byte(data), &m)
						clientID <- m.ClientId
						continue
					}
					events <- name
				}
				if err != nil {
					return
				}
			}
		}()
		var topics []string
		want := map[string]bool{}
		for _, g := range matrix {
			topic := g.collection + "/" + g.id
			if !slices.Contains(topics, topic) {
				topics = append(topics, topic)
			}
			want[topic] = want[topic] || slices.Contains(g.read, role)
		}
		sub, _ := json.Marshal(map[string]any{"clientId": <-clientID, "subscriptions": topics})
		if status, body := c.Do(http.MethodPost, "/api/realtime", sub); status != 204 {
			t.Fatalf("subscribe as %q: %d %s", role, status, body)
		}
		for _, topic := range topics {
			collection, id, _ := strings.Cut(topic, "/")
			r, err := app.FindRecordById(collection, id)
			if err != nil {
				t.Fatal(err)
			}
			at.Save(t, app, r)
		}
		heard := map[string]bool{}
		expected := 0
		for _, w := range want {
			if w {
				expected++
			}
		}
		deadline := time.After(10 * time.Second)
		grace := (<-chan time.Time)(nil)
		if expected == 0 {
			grace = time.After(300 * time.Millisecond)
		}
	listen:
		for {
			select {
			case name, ok := <-events:
				if !ok {
					break listen
				}
				heard[name] = true
				if n := len(heard); n == expected && grace == nil {
					grace = time.After(300 * time.Millisecond)
				}
			case <-grace:
				break listen
			case <-deadline:
				break listen
			}
		}
		res.Body.Close()
		for _, topic := range topics {
			if heard[topic] != want[topic] {
				t.Errorf("realtime %s as %q: heard=%v, want %v", topic, role, heard[topic], want[topic])
			}
		}
	}
}
