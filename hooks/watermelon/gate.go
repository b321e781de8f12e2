package watermelon

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/sync/semaphore"
)

// Options are the sync door's settings (feidi/hooks/settings parses them).
type Options struct {
	// TombstoneDays is how long a device can stay away and still be told record by record what
	// was deleted or left its reach; a device away longer gets a full resync.
	TombstoneDays int
	// Concurrency is how many pulls and pushes are served at once; the others wait their turn.
	Concurrency int
	// QueueWait is how long a sync waits for its turn before it is answered 503 with a
	// Retry-After: a device is told to come back rather than left to time out.
	QueueWait time.Duration
}

// gate admits a bounded number of syncs at a time. On a Monday morning hundreds of phones sync
// at once; past what the server can answer promptly, waiting longer only turns into timeouts
// that the phones retry at once. A sync that cannot start within the queue wait is answered
// 503 Service Unavailable with a Retry-After spread over a few seconds, so the herd thins.
type gate struct {
	slots *semaphore.Weighted
	wait  time.Duration
}

func newGate(o Options) *gate {
	return &gate{slots: semaphore.NewWeighted(int64(max(o.Concurrency, 1))), wait: o.QueueWait}
}

// admit is the middleware of the pull and push routes.
func (g *gate) admit(e *core.RequestEvent) error {
	ctx, cancel := context.WithTimeout(e.Request.Context(), g.wait)
	err := g.slots.Acquire(ctx, 1)
	cancel()
	if err != nil {
		if e.Request.Context().Err() != nil {
			return nil // the device gave up waiting: nobody to answer
		}
		retry := int(g.wait/time.Second) + 1 + rand.IntN(4)
		e.Response.Header().Set("Retry-After", strconv.Itoa(retry))
		return e.Error(http.StatusServiceUnavailable,
			fmt.Sprintf("The server is busy with other devices' syncs; sync again in %d seconds.", retry), nil)
	}
	defer g.slots.Release(1)
	return e.Next()
}
