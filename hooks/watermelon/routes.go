// Package watermelon is Feidi's backend of the WatermelonDB sync protocol: the field officers'
// and engineers' phone apps pull what they may see and push what they typed offline. The
// protocol, the column mapping and the rules are described in README.md beside this file.
package watermelon

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/tz"
)

// Register binds the sync endpoints and the daily pruning of tombstones older than
// tombstoneDays: how long a device can stay away and still be told record by record what was
// deleted or left its reach (FEIDI_SYNC_TOMBSTONE_DAYS, feidi/hooks/settings); a device away
// longer gets a full resync.
func Register(app core.App, tombstoneDays int) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if _, err := loadSchema(se.App); err != nil {
			return err
		}
		g := se.Router.Group("/api/sync")
		g.Bind(apis.RequireAuth("users", core.CollectionNameSuperusers))
		g.GET("/schema", schema)
		// Field devices sync over poor mobile links: a pull of JSON shrinks several-fold gzipped.
		g.GET("/pull", pull).Bind(apis.GzipWithConfig(apis.GzipConfig{Level: 5, MinLength: 1 << 10}))
		g.POST("/push", push).Bind(apis.BodyLimit(MaxPushBytes))
		return se.Next()
	})
	app.Cron().MustAdd("feidi_sync_prune", "40 3 * * *", func() {
		if err := Prune(app, time.Now().AddDate(0, 0, -tombstoneDays)); err != nil {
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

// Prune forgets tombstones and lost-reach marks older than before. A device whose last pull is
// older than the newest of them can no longer be told what it missed, so the horizon moves up
// and such a device is sent a full replacement instead.
func Prune(app core.App, before time.Time) error {
	cutoff := tz.Stored(before)
	return app.RunInTransaction(func(tx core.App) error {
		var horizon int64
		err := tx.DB().NewQuery(`SELECT COALESCE(MAX(seq), 0) FROM (
			SELECT MAX(seq) AS seq FROM _sync_tombstones WHERE deleted_at < {:cutoff}
			UNION ALL SELECT MAX(seq) FROM _sync_reach WHERE in_reach = 0 AND changed_at < {:cutoff})`).
			Bind(map[string]any{"cutoff": cutoff}).Row(&horizon)
		if err != nil || horizon == 0 {
			return err
		}
		for _, q := range []string{
			`DELETE FROM _sync_tombstones WHERE deleted_at < {:cutoff}`,
			`DELETE FROM _sync_reach WHERE in_reach = 0 AND changed_at < {:cutoff}`,
			`UPDATE _sync_state SET horizon = MAX(horizon, {:horizon}) WHERE id = 1`,
		} {
			if _, err := tx.DB().NewQuery(q).Bind(map[string]any{"cutoff": cutoff, "horizon": horizon}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
