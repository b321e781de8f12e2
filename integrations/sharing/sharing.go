// Package sharing is the client of the Chengdu–Dazu data-sharing platform (数据共享平台): it
// posts versioned JSON events about surveys, needs and cross-city trips. It knows HTTP and the
// payloads (see README.md), not PocketBase.
package sharing

import (
	"context"
	"encoding/json"
	"time"

	"feidi/integrations/delivery"
)

// DefaultTimeout bounds one attempt when FEIDI_SHARING_TIMEOUT is unset.
const DefaultTimeout = 10 * time.Second

// SpecVersion is the version of the event envelope and payloads; a change that a receiver could
// misread gets a new version.
const SpecVersion = "1"

// The event types.
const (
	SurveySubmitted = "survey.submitted"
	NeedPublished   = "need.published"
	NeedResolved    = "need.resolved"
	TripsDaily      = "trips.daily"
	ChallengeMoved  = "challenge.changed"
	Monthly         = "indicators.monthly"
)

// Client posts events to the platform.
type Client struct{ c *delivery.Client }

// New returns a client for t.
func New(t delivery.Target) *Client { return &Client{c: delivery.New(t)} }

// Envelope is the body of every POST /events.
type Envelope struct {
	SpecVersion string          `json:"spec_version"`
	ID          string          `json:"id"` // equals the Idempotency-Key header
	Type        string          `json:"type"`
	OccurredAt  time.Time       `json:"occurred_at"`
	Data        json.RawMessage `json:"data"`
}

// Publish posts one event. key is its idempotency key and id, the same on every attempt.
func (c *Client) Publish(ctx context.Context, key, eventType string, occurredAt time.Time, data json.RawMessage) (*delivery.Response, error) {
	body, err := json.Marshal(Envelope{SpecVersion: SpecVersion, ID: key, Type: eventType,
		OccurredAt: occurredAt.UTC(), Data: data})
	if err != nil {
		return nil, &delivery.Error{Permanent: true, Err: err}
	}
	return c.c.Post(ctx, delivery.Request{Path: "/events", ContentType: "application/json",
		Body: body, IdempotencyKey: key})
}
