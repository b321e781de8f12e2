package history

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/tools/security"
)

// idAlphabet is PocketBase's default id alphabet, in ascending byte order.
const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// idClock is the last time newID wrote into an id, in microseconds.
var idClock struct {
	sync.Mutex
	last int64
}

// newID is a history row's id: 15 characters of PocketBase's id alphabet, like the ids
// PocketBase gives, of which the first 10 are the time in microseconds written in base 36 (that
// many digits until 2084) and the last 5 random. The time never repeats or goes back within the
// process, so rows written one after another take ascending ids and the primary key's index
// grows at its right edge, as the table does. With random ids each row of a push landed on a
// leaf page of that index of its own, which the commit then wrote to the WAL (a push of twenty
// trips into a large account made 7 % fewer WAL writes with these; BENCHMARKS.md).
func newID() string {
	idClock.Lock()
	now := max(time.Now().UnixMicro(), idClock.last+1)
	idClock.last = now
	idClock.Unlock()
	t := strconv.FormatInt(now, 36)
	return strings.Repeat("0", max(10-len(t), 0)) + t + security.RandomStringWithAlphabet(5, idAlphabet)
}
