// Package watermelon is Feidi's backend of the WatermelonDB sync protocol: the field officers'
// and engineers' phone apps pull what they may see and push what they typed offline. The
// protocol, the column mapping and the rules are described in README.md beside this file.
package watermelon

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Register binds the sync endpoints, behind a gate that admits o.Concurrency syncs at a time,
// and the daily pruning of tombstones older than o.TombstoneDays.
func Register(app core.App, o Options) {
	g := newGate(o)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if _, err := loadSchema(se.App); err != nil {
			return err
		}
		r := se.Router.Group("/api/sync")
		r.Bind(apis.RequireAuth("users", core.CollectionNameSuperusers))
		r.GET("/schema", schema)
		// Field devices sync over poor mobile links: a pull of JSON shrinks several-fold gzipped.
		r.GET("/pull", pull).Bind(apis.GzipWithConfig(apis.GzipConfig{Level: 5, MinLength: 1 << 10})).BindFunc(g.admit)
		r.POST("/push", push).Bind(apis.BodyLimit(MaxPushBytes)).BindFunc(g.admit)
		return se.Next()
	})
	app.Cron().MustAdd("feidi_sync_prune", "40 3 * * *", func() {
		if err := Prune(app, time.Now().AddDate(0, 0, -o.TombstoneDays)); err != nil {
			app.Logger().Error("sync: pruning tombstones failed", "error", err)
		}
	})
}

// schema answers GET /api/sync/schema with the synced tables in WatermelonDB's appSchema shape.
func schema(e *core.RequestEvent) error {
	s, err := loadSchema(e.App)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, s)
}
