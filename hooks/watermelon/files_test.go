package watermelon_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	at "feidi/hooks/lib/apptest"
)

// TestFilesFollowTheSyncedRecord walks the documented flow: push the record, upload its file
// with PocketBase's multipart update, and every device's next pull carries the file name.
func TestFilesFollowTheSyncedRecord(t *testing.T) {
	app, phone := newDevice(t, at.EngineerA)
	phone.pull()
	tablet := phone.as(at.EngineerA, app)
	tablet.pull()
	status, answer := phone.push(tables(map[string]map[string]any{"commute_logs": set([]map[string]any{
		wm("created", map[string]any{"id": "TripWithTicket01", "engineer": at.EngineerRecA, "from_city": "dazu",
			"to_city": "chengdu", "mode": "hsr", "depart_at": 1775000000000, "arrive_at": 1775004200000, "ticket": ""}),
	}, nil)}))
	if status != 200 || len(answer) != 0 {
		t.Fatalf("push: %d %v", status, answer)
	}

	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, _ := form.CreateFormFile("ticket", "G8594.png")
	part.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"))
	form.Close()
	req, _ := http.NewRequest(http.MethodPatch, phone.base+"/api/collections/commute_logs/records/TripWithTicket01", &body)
	req.Header.Set("Content-Type", form.FormDataContentType())
	req.Header.Set("Authorization", phone.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("upload: %d", res.StatusCode)
	}

	a := tablet.pull()
	var ticket string
	for _, r := range append(a.Changes["commute_logs"].Created, a.Changes["commute_logs"].Updated...) {
		if r["id"] == "TripWithTicket01" {
			ticket, _ = r["ticket"].(string)
		}
	}
	if !strings.HasPrefix(ticket, "g8594") || !strings.HasSuffix(ticket, ".png") {
		t.Fatalf("the other device's pull has ticket %q", ticket)
	}
	// A ticket is a personal document: downloaded with a file token of somebody who may view
	// the trip, never by its URL alone.
	url := "/api/files/commute_logs/TripWithTicket01/" + ticket
	if status, _ := (&device{t: t, base: phone.base}).request(http.MethodGet, url, nil); status != 404 {
		t.Errorf("download without a token: %d", status)
	}
	if status, _ := tablet.request(http.MethodGet, "/api/files/commute_logs/TripWithTicket01/"+ticket, nil); status != 404 {
		t.Errorf("download with an auth header but no file token: %d", status)
	}
	if status, _ := tablet.request(http.MethodGet, url+"?token="+fileToken(t, tablet), nil); status != 200 {
		t.Errorf("download with a file token: %d", status)
	}
	other := phone.as(at.EngineerB, app)
	if status, _ := other.request(http.MethodGet, url+"?token="+fileToken(t, other), nil); status != 404 {
		t.Errorf("another engineer's download: %d", status)
	}
}

// fileToken asks for a short-lived file token, as an app does before showing a protected file.
func fileToken(t *testing.T, d *device) string {
	t.Helper()
	status, body := d.request(http.MethodPost, "/api/files/token", nil)
	var answer struct{ Token string }
	if err := json.Unmarshal(body, &answer); status != 200 || err != nil || answer.Token == "" {
		t.Fatalf("file token: %d %s", status, body)
	}
	return answer.Token
}
