package challenges

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/validate"
)

// Register binds the board's checks to every save of its records, and the award's
// consequences to the challenge's transaction.
func Register(app core.App) {
	app.OnRecordValidate(Challenges).BindFunc(func(e *core.RecordEvent) error {
		return validate.Next(e, CheckChallenge(e.App, e.Record, time.Now()))
	})
	app.OnRecordValidate(Proposals).BindFunc(func(e *core.RecordEvent) error {
		return validate.Next(e, CheckProposal(e.App, e.Record))
	})
	app.OnRecordValidate(Milestones).BindFunc(func(e *core.RecordEvent) error {
		return validate.Next(e, CheckMilestone(e.App, e.Record, time.Now()))
	})
	follow := func(e *core.RecordEvent) error {
		outer := e.App
		defer func() { e.App = outer }()
		return e.App.RunInTransaction(func(tx core.App) error {
			before, err := stored(tx, e.Record)
			if err != nil {
				return err
			}
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			return afterMove(e.Context, tx, before, e.Record)
		})
	}
	app.OnRecordCreateExecute(Challenges).BindFunc(follow)
	app.OnRecordUpdateExecute(Challenges).BindFunc(follow)
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		bindRoutes(e)
		return e.Next()
	})
}
