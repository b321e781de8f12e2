package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"feidi/hooks/lib/clip"
	"feidi/hooks/lib/tz"
	"feidi/integrations/delivery"
)

// Worker delivers due outbox rows, one loop per enabled target so that a slow receiver does not
// hold up the other. Fields may be changed before Start (tests shorten Poll and Policy and
// control Now).
type Worker struct {
	App     core.App
	Clients Clients
	Policy  Policy
	Now     func() time.Time
	// Poll is how often a loop looks for due rows when nothing woke it.
	Poll time.Duration
	// Lease is how long a row may stay delivering before a loop takes it again: an attempt whose
	// outcome could not be written (a locked database, say) is not left hanging until a restart.
	// It must exceed the longest per-attempt timeout.
	Lease time.Duration

	wake   map[string]chan struct{}
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// DefaultLease is the Lease of a new worker: well above the default per-attempt timeouts.
const DefaultLease = 30 * time.Minute

// NewWorker returns a stopped worker with the default policy.
func NewWorker(app core.App, c Clients) *Worker {
	w := &Worker{App: app, Clients: c, Policy: DefaultPolicy, Now: time.Now, Poll: 5 * time.Second,
		Lease: DefaultLease, wake: map[string]chan struct{}{}}
	for _, t := range c.targets() {
		w.wake[t] = make(chan struct{}, 1)
	}
	return w
}

// Start first returns rows left delivering by a process that stopped mid-attempt to pending (the
// receiver may have got them: they go again with the same idempotency key), then delivers in the
// background until Stop.
func (w *Worker) Start() error {
	if err := w.Recover(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	for _, target := range w.Clients.targets() {
		w.done.Add(1)
		go func() {
			defer w.done.Done()
			for {
				if _, err := w.Tick(ctx, target); err != nil && ctx.Err() == nil {
					w.App.Logger().Error("outbox: delivery loop", "target", target, "error", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-w.wake[target]:
				case <-time.After(w.Poll):
				}
			}
		}()
	}
	return nil
}

// Stop ends the loops and waits for them. An attempt under way is abandoned and its row left
// delivering, exactly as after a crash; the next Start sends it again.
func (w *Worker) Stop() {
	if w.cancel != nil {
		w.cancel()
		w.done.Wait()
		w.cancel = nil
	}
}

// Nudge wakes the target's loop, e.g. after a new row was committed.
func (w *Worker) Nudge(target string) {
	select {
	case w.wake[target] <- struct{}{}:
	default:
	}
}

// Recover returns every row left delivering to pending, keeping its idempotency key.
func (w *Worker) Recover() error {
	_, err := w.App.NonconcurrentDB().Update(Collection, dbx.Params{"status": StatusPending},
		dbx.HashExp{"status": StatusDelivering}).Execute()
	return err
}

// Tick delivers the target's due rows one after the other until none is due, and returns how
// many attempts it made.
func (w *Worker) Tick(ctx context.Context, target string) (int, error) {
	n := 0
	for ctx.Err() == nil {
		row, err := w.claim(target)
		if err != nil || row == nil {
			return n, err
		}
		n++
		resp, sendErr := w.send(ctx, row)
		if ctx.Err() != nil {
			return n, nil // abandoned: the row stays delivering until the next Start
		}
		if err := w.record(row, resp, sendErr); err != nil {
			return n, err
		}
	}
	return n, nil
}

// claim takes the target's next due row — pending and due, or delivering for longer than the
// lease — by marking it delivering and counting the attempt. The update is conditional on the
// row being as it was read, so two loops, or a loop and an admin's edit, never take it twice.
// Rows go in the order they were written (rowid: created is only to the millisecond).
func (w *Worker) claim(target string) (*core.Record, error) {
	now := w.Now()
	for {
		rows := []*core.Record{}
		err := w.App.RecordQuery(Collection).
			AndWhere(dbx.HashExp{"target": target}).
			AndWhere(dbx.NewExp(`(status = {:pending} AND next_attempt_at <= {:now}) OR (status = {:delivering} AND updated <= {:expired})`,
				dbx.Params{"pending": StatusPending, "delivering": StatusDelivering, "now": tz.Stored(now), "expired": tz.Stored(now.Add(-w.Lease))})).
			OrderBy("next_attempt_at", "rowid").Limit(1).All(&rows)
		if err != nil || len(rows) == 0 {
			return nil, err
		}
		res, err := w.App.NonconcurrentDB().NewQuery(`UPDATE outbox SET status = {:delivering}, attempts = attempts + 1,
			updated = {:now} WHERE id = {:id} AND status = {:status} AND updated = {:updated}`).
			Bind(dbx.Params{"delivering": StatusDelivering, "now": tz.Stored(now), "id": rows[0].Id,
				"status": rows[0].GetString("status"), "updated": rows[0].GetString("updated")}).Execute()
		if err != nil {
			return nil, err
		}
		if claimed, _ := res.RowsAffected(); claimed == 1 {
			return w.App.FindRecordById(Collection, rows[0].Id)
		}
	}
}

// send makes one attempt at delivering row to its target.
func (w *Worker) send(ctx context.Context, row *core.Record) (*delivery.Response, error) {
	key, event, payload := row.GetString("idempotency_key"), row.GetString("event"), json.RawMessage(row.GetString("payload"))
	switch target := row.GetString("target"); {
	case target == TargetSharing && w.Clients.Sharing != nil:
		return w.Clients.Sharing.Publish(ctx, key, event, row.GetDateTime("created").Time(), payload)
	case target == TargetCollege && w.Clients.College != nil && event == EventEnrolment:
		return w.Clients.College.SendEnrolment(ctx, key, payload)
	case target == TargetCollege && w.Clients.College != nil && event == EventMonthApproved:
		return w.Clients.College.SendMonthApproval(ctx, key, payload)
	case target == TargetCollege && w.Clients.College != nil && event == EventExport:
		return w.uploadExport(ctx, key, payload)
	default:
		return nil, &delivery.Error{Permanent: true, Err: fmt.Errorf("no client sends %q to %q", event, target)}
	}
}

// record writes the outcome of an attempt: delivered, pending for a later attempt, or dead.
func (w *Worker) record(row *core.Record, resp *delivery.Response, sendErr error) error {
	now := w.Now()
	if sendErr == nil {
		row.Set("status", StatusDelivered)
		row.Set("delivered_at", now)
		row.Set("last_status", resp.Status)
		row.Set("response", resp.Body)
		row.Set("last_error", "")
		return w.App.Save(row)
	}
	var de *delivery.Error
	if !errors.As(sendErr, &de) {
		de = &delivery.Error{Err: sendErr}
	}
	row.Set("last_status", de.Status)
	row.Set("response", de.Body)
	row.Set("last_error", clip.Text(de.Error(), 2000))
	attempts := row.GetInt("attempts")
	switch {
	case de.Permanent:
		row.Set("status", StatusDead)
	case attempts >= w.Policy.MaxAttempts:
		row.Set("status", StatusDead)
		row.Set("last_error", clip.Text(fmt.Sprintf("gave up after %d attempts: %s", attempts, de.Error()), 2000))
	default:
		row.Set("status", StatusPending)
		row.Set("next_attempt_at", now.Add(w.Policy.Delay(attempts)))
	}
	return w.App.Save(row)
}
