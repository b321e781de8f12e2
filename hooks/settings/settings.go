// Package settings reads Feidi's own settings — every FEIDI_* environment variable — in one
// place. main.go parses them once and hands the typed values to each part's Register, so no
// part, and no test, reads the environment itself. (It sits under hooks/ because the design card
// fixes the top level; it knows the integrations' targets and nothing of PocketBase.)
package settings

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"time"

	"feidi/integrations/college"
	"feidi/integrations/delivery"
	"feidi/integrations/sharing"
)

// DefaultTombstoneDays is FEIDI_SYNC_TOMBSTONE_DAYS when it is unset: a device away for a
// season still syncs record by record.
const DefaultTombstoneDays = 90

// DefaultSyncConcurrency and DefaultSyncQueueWait are FEIDI_SYNC_CONCURRENCY and
// FEIDI_SYNC_QUEUE_WAIT when unset: a few syncs per core at once (pulls judge the rules on the
// read connections in parallel; pushes take the one writer in turn), and a device told to come
// back after waiting a second.
var (
	DefaultSyncConcurrency = max(4, 2*runtime.NumCPU())
	DefaultSyncQueueWait   = time.Second
)

// Settings are Feidi's settings, parsed and checked.
type Settings struct {
	// College is the Engineer College (FEIDI_COLLEGE_*); nil when that integration is off.
	College *delivery.Target
	// Sharing is the data-sharing platform (FEIDI_SHARING_*); nil when that integration is off.
	Sharing *delivery.Target
	// SyncTombstoneDays is how long a device may stay away and still be told record by record
	// what was deleted or left its reach (FEIDI_SYNC_TOMBSTONE_DAYS).
	SyncTombstoneDays int
	// SyncConcurrency is how many pulls and pushes are served at once (FEIDI_SYNC_CONCURRENCY).
	SyncConcurrency int
	// SyncQueueWait is how long a sync waits for its turn before it is answered 503 with a
	// Retry-After (FEIDI_SYNC_QUEUE_WAIT, a Go duration such as 1s).
	SyncQueueWait time.Duration
}

// Defaults are the settings of an empty environment: every integration off.
func Defaults() Settings {
	return Settings{SyncTombstoneDays: DefaultTombstoneDays, SyncConcurrency: DefaultSyncConcurrency,
		SyncQueueWait: DefaultSyncQueueWait}
}

// FromEnv parses the process environment; see Parse.
func FromEnv() (Settings, error) { return Parse(os.Getenv) }

// Parse reads every setting through getenv (os.Getenv, or a map in tests). Its error names each
// bad variable; the settings it returns beside an error hold the defaults in place of the bad
// values.
func Parse(getenv func(string) string) (Settings, error) {
	s := Defaults()
	var errCollege, errSharing error
	s.College, errCollege = target(getenv, "FEIDI_COLLEGE", college.DefaultTimeout)
	s.Sharing, errSharing = target(getenv, "FEIDI_SHARING", sharing.DefaultTimeout)
	err := errors.Join(errCollege, errSharing,
		positive(getenv, "FEIDI_SYNC_TOMBSTONE_DAYS", strconv.Atoi, &s.SyncTombstoneDays, "a whole number of days above 0"),
		positive(getenv, "FEIDI_SYNC_CONCURRENCY", strconv.Atoi, &s.SyncConcurrency, "a whole number above 0"),
		positive(getenv, "FEIDI_SYNC_QUEUE_WAIT", time.ParseDuration, &s.SyncQueueWait, "a positive duration such as 1s"))
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// positive reads the variable name, when set, with parse into dst; a value that does not parse
// or is not above zero leaves dst as it was and is an error saying what was wanted.
func positive[T int | time.Duration](getenv func(string) string, name string, parse func(string) (T, error), dst *T, want string) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	n, err := parse(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%s=%q is not %s", name, v, want)
	}
	*dst = n
	return nil
}

// target reads PREFIX_URL, PREFIX_SECRET and PREFIX_TIMEOUT (a Go duration such as 30s). It
// returns nil when PREFIX_URL is unset or empty: that integration is off.
func target(getenv func(string) string, prefix string, defaultTimeout time.Duration) (*delivery.Target, error) {
	raw := getenv(prefix + "_URL")
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := raw
		if err == nil {
			shown = u.Redacted() // a password in the URL stays out of the logs
		}
		return nil, fmt.Errorf("%s_URL=%q is not an absolute http(s) URL", prefix, shown)
	}
	t := &delivery.Target{URL: raw, Secret: getenv(prefix + "_SECRET"), Timeout: defaultTimeout}
	if len(t.Secret) < 16 {
		return nil, fmt.Errorf("%s_SECRET must be set to the shared signing secret (at least 16 characters) when %s_URL is set", prefix, prefix)
	}
	if err := positive(getenv, prefix+"_TIMEOUT", time.ParseDuration, &t.Timeout, "a positive duration such as 30s"); err != nil {
		return nil, err
	}
	return t, nil
}
