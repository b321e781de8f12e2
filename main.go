// Command feidi is the backend of the Chengdu–Dazu innovation enclave: PocketBase with the
// enclave's schema, rules, hooks and commands. This file only wires the parts together.
package main

import (
	"embed"
	"io/fs"
	"log"
	"net/http"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	_ "time/tzdata" // days are counted in Asia/Shanghai whatever the host has installed

	"feidi/hooks"
	"feidi/hooks/replica"
	"feidi/hooks/settings"
	_ "feidi/migrations"
)

func main() {
	cfg, err := settings.FromEnv()
	// Not pocketbase.New(): it turns on SQL logging under `go run`, which is how the README starts us.
	// The database driver keeps each connection's compiled statements: a sync push runs the same
	// few a thousand times (hooks/lib/sqlcache); a replicated server's writer begins IMMEDIATE
	// beside Litestream (hooks/replica).
	app := pocketbase.NewWithConfig(pocketbase.Config{DBConnect: replica.DBConnect(cfg.Replica)})

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{Dir: "migrations"})
	if err != nil {
		// Only serve refuses: migrate and superuser still run, to mend a data dir.
		app.OnServe().BindFunc(func(*core.ServeEvent) error { return err })
	}
	hooks.Register(app, cfg)
	app.RootCmd.AddCommand(hooks.Commands(app)...)
	restore := replica.Command(cfg.Replica, err)
	app.RootCmd.AddCommand(restore)
	if cmd, _, findErr := app.RootCmd.Find(os.Args[1:]); findErr == nil && cmd == restore {
		// Not app.Start(): it would open (and create) a data dir first, and restore builds one.
		if app.RootCmd.Execute() != nil {
			os.Exit(1)
		}
		return
	}

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
