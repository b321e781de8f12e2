package outbox

import (
	"math/rand/v2"
	"time"
)

// Policy is the retry schedule of a failed delivery.
type Policy struct {
	// MaxAttempts is how many attempts a row gets before it is dead.
	MaxAttempts int
	// BaseDelay is the wait after the first failed attempt; each further failure doubles it, up to
	// MaxDelay.
	BaseDelay, MaxDelay time.Duration
}

// DefaultPolicy waits 30 s, 1 min, 2 min … up to 6 h between attempts, 20 attempts in all: with
// the jitter that is at least 31 hours (62 h at most) from the first attempt to the last, so a receiver
// that is down for a day loses nothing.
var DefaultPolicy = Policy{MaxAttempts: 20, BaseDelay: 30 * time.Second, MaxDelay: 6 * time.Hour}

// Delay is the wait after the given failed attempt (1 for the first): the doubled delay, capped,
// then a random point in its upper half, so that rows failed together do not retry together.
func (p Policy) Delay(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if half := d / 2; half > 0 {
		return half + rand.N(half)
	}
	return d
}
