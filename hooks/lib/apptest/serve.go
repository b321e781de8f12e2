package apptest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// Serve runs app's HTTP API — PocketBase's routes and every route Feidi adds on serve — on a
// real loopback listener, as `feidi serve` would, and returns its base URL. The server stops
// when the test ends.
func Serve(t testing.TB, app core.App) string {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	event := &core.ServeEvent{App: app, Router: router}
	var srv *httptest.Server
	err = app.OnServe().Trigger(event, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		srv = httptest.NewServer(mux) // listens on 127.0.0.1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv.URL
}

// Client calls a served app over HTTP as one user (Token empty: a guest).
type Client struct {
	T     testing.TB
	Base  string
	Token string
}

// Do sends a JSON request and returns the status and body; it fails the test if nothing answers.
func (c Client) Do(method, path string, body []byte) (int, []byte) {
	c.T.Helper()
	req, err := http.NewRequest(method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		c.T.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", c.Token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.T.Fatal(err)
	}
	return res.StatusCode, b
}

// Text is Do with text in and out, which reads well in tests of a JSON API.
func (c Client) Text(method, path, body string) (int, string) {
	c.T.Helper()
	status, b := c.Do(method, path, []byte(body))
	return status, string(b)
}

// SuperuserToken makes a superuser in app (the admin UI's caller) and returns its auth token.
func SuperuserToken(t testing.TB, app core.App) string {
	t.Helper()
	col, err := app.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(col)
	su.SetEmail("root@feidi.test")
	su.SetPassword(Password)
	Save(t, app, su)
	token, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// ServeAs serves a copy of the snapshot s and returns its app and a client of it per user.
func ServeAs(t *testing.T, s *Snapshot) (*tests.TestApp, func(user string) Client) {
	t.Helper()
	app := s.App(t)
	base := Serve(t, app)
	return app, func(user string) Client { return Client{T: t, Base: base, Token: Token(t, app, user)} }
}
