// Package hooks gathers Feidi's behaviour on top of PocketBase: the data rules, the background
// workers and the commands. main.go calls Register and Commands; tests call Register on their
// test app, so both run the same hooks.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/exportjob"
	"feidi/hooks/feed"
	"feidi/hooks/outbox"
	"feidi/hooks/seed"
	"feidi/hooks/validate"
	"feidi/hooks/watermelon"
)

// Register binds every hook of Feidi to app.
func Register(app core.App) {
	validate.Register(app)
	watermelon.Register(app)
	outbox.Register(app)
	exportjob.Register(app)
	feed.Register(app)
}

// Commands returns Feidi's own commands for the command line.
func Commands(app core.App) []*cobra.Command {
	return []*cobra.Command{seed.Command(app), exportjob.Command(app)}
}
