package delivery

import (
	"fmt"
	"net/url"
	"os"
	"time"
)

// Target is where and how one outside system is reached.
type Target struct {
	// URL is the base URL of the receiver; the clients append their paths to it.
	URL string
	// Secret is the shared HMAC-SHA256 key that signs every request.
	Secret string
	// Timeout bounds one delivery attempt, from connecting to reading the answer.
	Timeout time.Duration
}

// TargetFromEnv reads PREFIX_URL, PREFIX_SECRET and PREFIX_TIMEOUT (a Go duration such as 30s).
// It returns nil when PREFIX_URL is unset or empty: that integration is off. A setting that is
// present but unusable is an error naming the variable, so that start-up stops with a reason.
func TargetFromEnv(prefix string, defaultTimeout time.Duration) (*Target, error) {
	raw := os.Getenv(prefix + "_URL")
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
	t := &Target{URL: raw, Secret: os.Getenv(prefix + "_SECRET"), Timeout: defaultTimeout}
	if len(t.Secret) < 16 {
		return nil, fmt.Errorf("%s_SECRET must be set to the shared signing secret (at least 16 characters) when %s_URL is set", prefix, prefix)
	}
	if s := os.Getenv(prefix + "_TIMEOUT"); s != "" {
		t.Timeout, err = time.ParseDuration(s)
		if err != nil || t.Timeout <= 0 {
			return nil, fmt.Errorf("%s_TIMEOUT=%q is not a positive duration such as 30s", prefix, s)
		}
	}
	return t, nil
}

// ClientFromEnv is TargetFromEnv followed by New: nil when the integration is off.
func ClientFromEnv(prefix string, defaultTimeout time.Duration) (*Client, error) {
	t, err := TargetFromEnv(prefix, defaultTimeout)
	if t == nil || err != nil {
		return nil, err
	}
	return New(*t), nil
}
