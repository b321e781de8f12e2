package outbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"feidi/hooks/lib/apptest"
	"feidi/hooks/outbox"
)

const deadRowID = "deadrow00000001"

// retryScenario returns a factory for an app with one dead row and a user of role, whose token it
// writes into headers.
func retryScenario(role, status string, headers map[string]string) func(testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp {
		app := apptest.NewUnmanaged(t)
		col, err := app.FindCollectionByNameOrId(outbox.Collection)
		if err != nil {
			t.Fatal(err)
		}
		row := core.NewRecord(col)
		row.Id = deadRowID
		row.Load(map[string]any{"target": "sharing", "event": "need.published", "payload": map[string]any{},
			"idempotency_key": "sharing-k1", "status": status, "attempts": 20, "last_status": 400,
			"response": `{"error":"bad field"}`})
		apptest.Save(t, app, row)
		if role != "" {
			users, err := app.FindCollectionByNameOrId("users")
			u := core.NewRecord(apptest.Must(t, users, err))
			u.Load(map[string]any{"email": role + "@example.com", "password": "password-123", "role": role})
			apptest.Save(t, app, u)
			token, err := u.NewAuthToken()
			headers["Authorization"] = apptest.Must(t, token, err)
		}
		return app
	}
}

func requeued(t testing.TB, app *tests.TestApp, _ *http.Response) {
	row, err := app.FindRecordById(outbox.Collection, deadRowID)
	apptest.Must(t, row, err)
	if row.GetString("status") != outbox.StatusPending || row.GetInt("attempts") != 0 || row.GetString("idempotency_key") != "sharing-k1" {
		t.Fatalf("after the retry: %v", row.FieldsData())
	}
}

func stillDead(t testing.TB, app *tests.TestApp, _ *http.Response) {
	row, err := app.FindRecordById(outbox.Collection, deadRowID)
	if s := apptest.Must(t, row, err).GetString("status"); s != outbox.StatusDead {
		t.Fatalf("status %q, want dead", s)
	}
}

func TestRetryDeadLetter(t *testing.T) {
	url := "/api/outbox/" + deadRowID + "/retry"
	h := func() map[string]string { return map[string]string{} }
	admin, officer, guest, delivered := h(), h(), h(), h()
	scenarios := []tests.ApiScenario{
		{Name: "admin retries a dead letter", Method: http.MethodPost, URL: url, Headers: admin,
			TestAppFactory: retryScenario("admin", outbox.StatusDead, admin), ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"pending"`}, AfterTestFunc: requeued},
		{Name: "an officer may not", Method: http.MethodPost, URL: url, Headers: officer,
			TestAppFactory: retryScenario("officer", outbox.StatusDead, officer), ExpectedStatus: 403,
			ExpectedContent: []string{`"data":{}`}, AfterTestFunc: stillDead},
		{Name: "a guest may not", Method: http.MethodPost, URL: url, Headers: guest,
			TestAppFactory: retryScenario("", outbox.StatusDead, guest), ExpectedStatus: 401,
			ExpectedContent: []string{`"data":{}`}, AfterTestFunc: stillDead},
		{Name: "a delivered row is not retried", Method: http.MethodPost, URL: url, Headers: delivered,
			TestAppFactory: retryScenario("admin", outbox.StatusDelivered, delivered), ExpectedStatus: 400,
			ExpectedContent: []string{"Only a dead delivery"}},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// From the admin UI an administrator edits a dead row's status back to pending, and nothing else.
func TestAdminRequeuesThroughRecordsApi(t *testing.T) {
	url := "/api/collections/outbox/records/" + deadRowID
	admin, tamper, officer := map[string]string{}, map[string]string{}, map[string]string{}
	scenarios := []tests.ApiScenario{
		{Name: "status back to pending", Method: http.MethodPatch, URL: url, Headers: admin,
			Body:           strings.NewReader(`{"status":"pending"}`),
			TestAppFactory: retryScenario("admin", outbox.StatusDead, admin), ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"pending"`}, AfterTestFunc: requeued},
		{Name: "the payload may not change", Method: http.MethodPatch, URL: url, Headers: tamper,
			Body:           strings.NewReader(`{"status":"pending","payload":{"forged":true}}`),
			TestAppFactory: retryScenario("admin", outbox.StatusDead, tamper), ExpectedStatus: 404,
			ExpectedContent: []string{`"data":{}`}, AfterTestFunc: stillDead},
		{Name: "officers do not see the outbox", Method: http.MethodGet, URL: "/api/collections/outbox/records", Headers: officer,
			TestAppFactory: retryScenario("officer", outbox.StatusDead, officer), ExpectedStatus: 200,
			ExpectedContent: []string{`"totalItems":0`}},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
