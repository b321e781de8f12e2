// Command feidi is the backend of the Chengdu–Dazu innovation enclave: PocketBase with the
// enclave's schema, rules, hooks and commands. This file only wires the parts together.
package main

import (
	"embed"
	"io/fs"
	"log"
	"net/http"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	_ "time/tzdata" // days are counted in Asia/Shanghai whatever the host has installed

	"feidi/hooks"
	"feidi/hooks/lib/sqlcache"
	"feidi/hooks/settings"
	_ "feidi/migrations"
)

func main() {
	// Not pocketbase.New(): it turns on SQL logging under `go run`, which is how the README starts us.
	// The database driver keeps a transaction's compiled statements: a sync push runs the same
	// few a thousand times (hooks/lib/sqlcache).
	app := pocketbase.NewWithConfig(pocketbase.Config{DBConnect: sqlcache.Connect})

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{Dir: "migrations"})
	cfg, err := settings.FromEnv()
	if err != nil {
		// Only serve refuses: migrate and superuser still run, to mend a data dir.
		app.OnServe().BindFunc(func(*core.ServeEvent) error { return err })
	}
	hooks.Register(app, cfg)
	app.RootCmd.AddCommand(hooks.Commands(app)...)

	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				// Gzipped: the bundle is a quarter of its size on the wire, for phones on a weak signal.
				e.Router.GET("/{path...}", apis.Static(publicFS(), true)).Bind(apis.Gzip())
			}
			return e.Next()
		},
		Priority: 999, // after every route of ours
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

//go:embed all:pb_public
var public embed.FS

// publicFS is the web app, built into the binary so that one file is all a server needs.
func publicFS() fs.FS {
	sub, err := fs.Sub(public, "pb_public")
	if err != nil {
		panic(err)
	}
	return sub
}
