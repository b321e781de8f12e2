package apptest_test

import (
	"testing"

	"feidi/hooks/lib/apptest"
)

func TestEnclaveFixtures(t *testing.T) {
	app := apptest.Enclave.App(t)
	for _, c := range []string{"users", "enterprises", "surveys", "needs", "engineers", "schedules", "commute_logs", "cohorts", "cohort_members"} {
		n, err := app.CountRecords(c)
		if err != nil || n < 1 {
			t.Errorf("%s: %d records, %v", c, n, err)
		}
	}
	e, err := app.FindRecordById("enterprises", apptest.Enterprise)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.GetString("contact_phone"); got != "+862343721234" {
		t.Errorf("contact_phone stored as %q, want E.164", got)
	}
}
