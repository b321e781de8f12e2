// Package outbox delivers Feidi's events to outside systems without losing any: each event is an
// outbox row written in the transaction of the change that causes it, and a worker posts the
// rows with retries that survive restarts. It is the one place that joins records to the clients
// of feidi/integrations; see README.md for the events, the retry schedule and the admin retry.
package outbox

import (
	"encoding/json"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Collection is the name of the outbox collection.
const Collection = "outbox"

// Targets, as stored in outbox.target.
const (
	TargetCollege = "college"
	TargetSharing = "sharing"
)

// Row statuses.
const (
	StatusPending    = "pending"
	StatusDelivering = "delivering"
	StatusDelivered  = "delivered"
	StatusDead       = "dead"
)

// Message is one event to enqueue.
type Message struct {
	Target  string
	Event   string
	Source  string // "collection/id" of the record that caused it, for people reading the outbox
	Payload any
	// Key is the idempotency key; empty means a new random one. A fixed key makes enqueueing
	// idempotent too: a second Enqueue with the same key is a no-op.
	Key string
}

// Enqueue writes m as a pending outbox row with app, which should be the transaction app of the
// change that causes m, so that both are kept or neither.
func Enqueue(app core.App, m Message) error {
	if m.Key == "" {
		m.Key = m.Target + "-" + security.RandomStringWithAlphabet(24, "0123456789abcdefghijklmnopqrstuvwxyz")
	} else if _, err := app.FindFirstRecordByData(Collection, "idempotency_key", m.Key); err == nil {
		return nil
	}
	payload, err := json.Marshal(m.Payload)
	if err != nil {
		return err
	}
	col, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return err
	}
	r := core.NewRecord(col)
	r.Set("target", m.Target)
	r.Set("event", m.Event)
	r.Set("source", m.Source)
	r.Set("payload", types.JSONRaw(payload))
	r.Set("idempotency_key", m.Key)
	r.Set("status", StatusPending)
	r.Set("attempts", 0)
	r.Set("next_attempt_at", time.Now())
	return app.Save(r)
}
