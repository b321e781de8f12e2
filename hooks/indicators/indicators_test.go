package indicators_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	at "feidi/hooks/lib/apptest"
	"feidi/hooks/lib/workbook"
)

// TestIndicatorsAreForAdmins: the endpoint answers an admin what the computation gives, filtered
// by park and industry when asked, and the committee workbook; anyone else is refused, and a
// bad period is a 400 naming the field.
func TestIndicatorsAreForAdmins(t *testing.T) {
	app, as := at.ServeAs(t, at.Indicators)
	admin := as(at.Admin)
	status, body := admin.Do(http.MethodGet, "/api/indicators?from=2026-02&to=2026-04", nil)
	var got workbook.Indicators
	if status != 200 || json.Unmarshal(body, &got) != nil {
		t.Fatalf("admin: %d %s", status, body)
	}
	p, _ := workbook.ParsePeriod("2026-02", "2026-04")
	want, err := workbook.ComputeIndicators(app.DB(), p)
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON and back, as the client reads it.
	b, _ := json.Marshal(want)
	want = workbook.Indicators{}
	json.Unmarshal(b, &want)
	if len(got.Groups) != 4 || !reflect.DeepEqual(got, want) {
		t.Errorf("answer differs from the computation:\n%s\n%s", body, b)
	}

	status, body = admin.Do(http.MethodGet, "/api/indicators?from=2026-02&to=2026-04&park=dazu_hitech", nil)
	got = workbook.Indicators{}
	if json.Unmarshal(body, &got); status != 200 || len(got.Groups) != 1 || got.Groups[0].Industry != "medical_device" {
		t.Errorf("park filter: %d %s", status, body)
	}

	status, body = admin.Do(http.MethodGet, "/api/indicators/workbook?from=2026-02&to=2026-04", nil)
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if status != 200 || err != nil || f.GetSheetList()[0] != "指标" {
		t.Fatalf("workbook: %d %v", status, err)
	}
	f.Close()

	for _, c := range []struct {
		who   string
		query string
		code  int
		want  string
	}{
		{"", "?from=2026-02&to=2026-04", 401, ""},
		{at.OfficerA, "?from=2026-02&to=2026-04", 403, "administrators"},
		{at.ResearcherA, "/workbook?from=2026-02&to=2026-04", 403, "administrators"},
		{at.Admin, "?to=2026-04", 400, `"from"`},
		{at.Admin, "?from=2026-05&to=2026-04", 400, "indicators_bad_period"},
		{at.Admin, "?from=2024-01&to=2026-04", 400, "at most 24"},
	} {
		client := as(at.Admin)
		if client.Token = ""; c.who != "" {
			client = as(c.who)
		}
		status, body := client.Do(http.MethodGet, "/api/indicators"+c.query, nil)
		if status != c.code || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s: %d %s", c.who, c.query, status, body)
		}
	}
}
