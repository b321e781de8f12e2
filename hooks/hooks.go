// Package hooks gathers Feidi's behaviour on top of PocketBase: the data rules, the background
// workers and the commands. main.go calls Register with the settings it parsed and Commands;
// tests call Register on their test app, so both run the same hooks.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"feidi/hooks/challenges"
	"feidi/hooks/cmd/seed"
	"feidi/hooks/devices"
	"feidi/hooks/enrolment"
	"feidi/hooks/exportjob"
	"feidi/hooks/feed"
	"feidi/hooks/history"
	"feidi/hooks/indicators"
	"feidi/hooks/narrowupdate"
	"feidi/hooks/outbox"
	"feidi/hooks/reference"
	"feidi/hooks/replica"
	"feidi/hooks/settings"
	"feidi/hooks/validate"
	"feidi/hooks/watermelon"
)

// Register binds every hook of Feidi to app, configured by s.
func Register(app core.App, s settings.Settings) {
	narrowupdate.Register(app)
	validate.Register(app)
	history.Register(app)
	enrolment.Register(app)
	challenges.Register(app)
	reference.Register(app)
	watermelon.Register(app, watermelon.Options{TombstoneDays: s.SyncTombstoneDays,
		Concurrency: s.SyncConcurrency, QueueWait: s.SyncQueueWait})
	outbox.Register(app, outbox.NewClients(s.College, s.Sharing))
	exportjob.Register(app)
	feed.Register(app)
	indicators.Register(app)
	devices.Register(app)
	replica.Register(app, s.Replica)
}

// Commands returns Feidi's own commands for the command line.
func Commands(app core.App) []*cobra.Command {
	return []*cobra.Command{seed.Command(app), exportjob.Command(app), history.Command(app)}
}
