package devices_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"

	goqr "github.com/piglig/go-qr"

	"feidi/hooks/devices"
	at "feidi/hooks/lib/apptest"
)

func created(t *testing.T, c at.Client, body string) devices.Created {
	t.Helper()
	status, answer := c.Text(http.MethodPost, "/api/devices/enrolments", body)
	var d devices.Created
	if status != 201 || json.Unmarshal([]byte(answer), &d) != nil || d.Token == "" {
		t.Fatalf("enrolment: %d %s", status, answer)
	}
	return d
}

// TestAPhoneSignsInByQRCode: the admin's QR code holds the server's enrolment page and the
// token; the phone exchanges the token once for the engineer's login; the code then, or once
// revoked or expired, signs nobody in. Enrolments are listed for their user and the admins.
func TestAPhoneSignsInByQRCode(t *testing.T) {
	app, as := at.ServeAs(t, at.Enclave)
	app.Settings().Meta.AppURL = "https://feidi.example.cn"
	admin := as(at.Admin)
	guest := as(at.Admin)
	guest.Token = ""

	d := created(t, admin, `{"user":"`+at.EngineerA+`","label":"张伟的手机"}`)
	if d.Payload != devices.Payload("https://feidi.example.cn", d.Token) || !strings.HasPrefix(d.Payload, "https://feidi.example.cn/enrol.html#token=fde_") {
		t.Errorf("payload %s", d.Payload)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(d.QRPNG, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if text, err := goqr.Decode(img); err != nil || text != d.Payload {
		t.Errorf("the QR code reads %q (%v), want %q", text, err, d.Payload)
	}

	// Two phones scan the same code at once: one is signed in.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	bodies := make([]string, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], bodies[i] = guest.Text(http.MethodPost, "/api/devices/enrol", `{"token":"`+d.Token+`"}`)
		}()
	}
	wg.Wait()
	if codes[0]+codes[1] != 200+400 {
		t.Fatalf("two exchanges of one token: %v %v", codes, bodies)
	}
	login := bodies[0]
	if codes[1] == 200 {
		login = bodies[1]
	}
	var auth struct {
		Token  string
		Record struct{ ID string }
	}
	if json.Unmarshal([]byte(login), &auth) != nil || auth.Record.ID != at.EngineerA {
		t.Fatalf("login %s", login)
	}
	phone := as(at.Admin)
	phone.Token = auth.Token
	if status, _ := phone.Text(http.MethodGet, "/api/collections/engineers/records/"+at.EngineerRecA, ""); status != 200 {
		t.Errorf("the phone's login does not work: %d", status)
	}

	revoked := created(t, admin, `{"user":"`+at.OfficerA+`","ttl_minutes":5}`)
	if status, body := admin.Text(http.MethodPost, "/api/devices/enrolments/"+revoked.ID+"/revoke", ""); status != 200 {
		t.Fatalf("revoke: %d %s", status, body)
	}
	expired := created(t, admin, `{"user":"`+at.OfficerA+`"}`)
	r, _ := app.FindRecordById(devices.Collection, expired.ID)
	r.Set("expires_at", "2000-01-01 00:00:00.000Z") // long past, whatever the clock says
	at.Save(t, app, r)
	for token, want := range map[string]string{d.Token: "used already", revoked.Token: "revoked", expired.Token: "expired"} {
		if status, body := guest.Text(http.MethodPost, "/api/devices/enrol", `{"token":"`+token+`"}`); status != 400 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s", want, status, body)
		}
	}
	if status, _ := guest.Text(http.MethodPost, "/api/devices/enrol", `{"token":"fde_nosuchtoken"}`); status != 401 {
		t.Errorf("an unknown token: %d", status)
	}

	// Listed per user, without the token's hash.
	_, mine := as(at.EngineerA).Text(http.MethodGet, "/api/collections/device_enrolments/records", "")
	_, officers := admin.Text(http.MethodGet, "/api/collections/device_enrolments/records?filter=user='"+at.OfficerA+"'", "")
	_, others := as(at.EngineerB).Text(http.MethodGet, "/api/collections/device_enrolments/records", "")
	if !strings.Contains(mine, d.ID) || strings.Contains(mine, revoked.ID) || strings.Contains(mine, "token_hash") ||
		!strings.Contains(officers, revoked.ID) || !strings.Contains(officers, expired.ID) || strings.Contains(others, d.ID) {
		t.Errorf("lists:\nmine %s\nofficer A's %s\nengineer B's %s", mine, officers, others)
	}
}

// TestOnlyAdminsEnrolPhones: nobody else makes or revokes enrolments; bad requests name the field.
func TestOnlyAdminsEnrolPhones(t *testing.T) {
	_, as := at.ServeAs(t, at.Enclave)
	admin := as(at.Admin)
	for _, c := range []struct {
		who, body, want string
		code            int
	}{
		{at.OfficerA, `{"user":"` + at.EngineerA + `"}`, "administrators", 403},
		{at.Admin, `{"user":"` + at.CoordinatorA + `"}`, "devices_role", 400},
		{at.Admin, `{"user":"nosuchuser00001"}`, "devices_unknown_user", 400},
		{at.Admin, `{"user":"` + at.EngineerA + `","ttl_minutes":61}`, "devices_ttl", 400},
		{at.Admin, `{}`, `"user"`, 400},
	} {
		if status, body := as(c.who).Text(http.MethodPost, "/api/devices/enrolments", c.body); status != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s", c.who, c.body, status, body)
		}
	}
	d := created(t, admin, `{"user":"`+at.EngineerB+`"}`)
	if status, _ := as(at.EngineerB).Text(http.MethodPost, "/api/devices/enrolments/"+d.ID+"/revoke", ""); status != 403 {
		t.Errorf("an engineer revoked: %d", status)
	}
	guest := as(at.Admin)
	guest.Token = ""
	if status, _ := guest.Text(http.MethodPost, "/api/devices/enrolments", `{"user":"`+at.EngineerA+`"}`); status != 401 {
		t.Errorf("a guest made an enrolment: %d", status)
	}
}
