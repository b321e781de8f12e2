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
	"strconv"
	"time"

	"feidi/integrations/college"
	"feidi/integrations/delivery"
	"feidi/integrations/sharing"
)

// DefaultTombstoneDays is FEIDI_SYNC_TOMBSTONE_DAYS when it is unset: a device away for a
// season still syncs record by record.
const DefaultTombstoneDays = 90

// Settings are Feidi's settings, parsed and checked.
type Settings struct {
	// College is the Engineer College (FEIDI_COLLEGE_*); nil when that integration is off.
	College *delivery.Target
	// Sharing is the data-sharing platform (FEIDI_SHARING_*); nil when that integration is off.
	Sharing *delivery.Target
	// SyncTombstoneDays is how long a device may stay away and still be told record by record
	// what was deleted or left its reach (FEIDI_SYNC_TOMBSTONE_DAYS).
	SyncTombstoneDays int
}

// Defaults are the settings of an empty environment: every integration off.
func Defaults() Settings { return Settings{SyncTombstoneDays: DefaultTombstoneDays} }

// FromEnv parses the process environment; see Parse.
func FromEnv() (Settings, error) { return Parse(os.Getenv) }

// Parse reads every setting through getenv (os.Getenv, or a map in tests). Its error names each
// bad variable; the settings it returns beside an error hold the defaults in place of the bad
// values.
func Parse(getenv func(string) string) (Settings, error) {
	s := Defaults()
	var errCollege, errSharing, errDays error
	s.College, errCollege = target(getenv, "FEIDI_COLLEGE", college.DefaultTimeout)
	s.Sharing, errSharing = target(getenv, "FEIDI_SHARING", sharing.DefaultTimeout)
	if v := getenv("FEIDI_SYNC_TOMBSTONE_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errDays = fmt.Errorf("FEIDI_SYNC_TOMBSTONE_DAYS=%q is not a whole number of days above 0", v)
		} else {
			s.SyncTombstoneDays = n
		}
	}
	if err := errors.Join(errCollege, errSharing, errDays); err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
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
	if s := getenv(prefix + "_TIMEOUT"); s != "" {
		t.Timeout, err = time.ParseDuration(s)
		if err != nil || t.Timeout <= 0 {
			return nil, fmt.Errorf("%s_TIMEOUT=%q is not a positive duration such as 30s", prefix, s)
		}
	}
	return t, nil
}
