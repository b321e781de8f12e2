// Package feed serves live feeds for Excel's and Power BI's "From Web" import: a coordinator
// (for the cohorts they coordinate) or an admin makes a read-only feed key, and a URL with the
// key answers one table of the cohort's export (or, for an admin's needs key, of the needs
// summary) as CSV with a UTF-8 BOM, streamed from the database page by page, so that a
// refresh in Excel shows what has synced since. Keys are listed through the feed_keys
// collection, revoked through the API, and every use is a row of feed_uses.
//
// README.md beside this file is the protocol a spreadsheet user or their IT needs.
package feed

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/secret"
)

// Register adds the feed routes when the app serves.
func Register(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		bindFeedApi(e)
		return e.Next()
	})
}

// bindFeedApi binds the routes: making and revoking keys for signed-in users, and the feed
// itself, whose key is its only credential (a spreadsheet's "From Web" sends no header).
func bindFeedApi(e *core.ServeEvent) {
	g := e.Router.Group("/api/feeds")
	g.POST("", createKey).Bind(apis.RequireAuth("users"))
	g.POST("/{id}/revoke", revokeKey).Bind(apis.RequireAuth("users"))
	g.GET("/{key}/{table}", serveTable)
}

const (
	keys = "feed_keys"
	uses = "feed_uses"
)

// keyPrefix marks Feidi's feed keys, so that one found in a log or a spreadsheet is known for
// what it is.
const keyPrefix = "fdk_"

// newKey makes a key: 32 random bytes, URL-safe.
func newKey() string { return secret.New(keyPrefix) }

// hash is what is stored of a key (secret.Hash).
func hash(key string) string { return secret.Hash(key) }

// isAdmin says whether the user is an enclave admin.
func isAdmin(u *core.Record) bool { return u != nil && u.GetString("role") == "admin" }

// mayFeed says whether user may have a feed of cohort (nil: the needs): an admin any, a
// coordinator the cohorts they coordinate. It is asked when a key is made and at every use,
// so a key stops working the moment its maker no longer coordinates the cohort.
func mayFeed(user, cohort *core.Record) bool {
	if isAdmin(user) {
		return true
	}
	return cohort != nil && user.GetString("role") == "coordinator" && cohort.GetString("coordinator") == user.Id
}

// tableURL is the address of a key's table as the request r reached us.
func tableURL(r *http.Request, key, table string) string {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	return scheme + "://" + r.Host + "/api/feeds/" + key + "/" + table
}
