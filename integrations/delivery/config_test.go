package delivery

import (
	"strings"
	"testing"
	"time"
)

func TestTargetFromEnv(t *testing.T) {
	const secret = "0123456789abcdef"
	cases := []struct {
		name, url, secret, timeout string
		want                       *Target
		wantErr                    string
	}{
		{name: "unset is off"},
		{name: "defaults", url: "https://college.example/api", secret: secret,
			want: &Target{URL: "https://college.example/api", Secret: secret, Timeout: 7 * time.Second}},
		{name: "timeout", url: "http://127.0.0.1:8080", secret: secret, timeout: "250ms",
			want: &Target{URL: "http://127.0.0.1:8080", Secret: secret, Timeout: 250 * time.Millisecond}},
		{name: "not a URL", url: "college.example/api", secret: secret, wantErr: "FEIDI_X_URL"},
		{name: "unparsable URL", url: "http://[::1", secret: secret, wantErr: "FEIDI_X_URL"},
		{name: "wrong scheme", url: "ftp://college.example", secret: secret, wantErr: "FEIDI_X_URL"},
		{name: "missing secret", url: "https://college.example", wantErr: "FEIDI_X_SECRET"},
		{name: "short secret", url: "https://college.example", secret: "short", wantErr: "FEIDI_X_SECRET"},
		{name: "bad timeout", url: "https://college.example", secret: secret, timeout: "10", wantErr: "FEIDI_X_TIMEOUT"},
		{name: "negative timeout", url: "https://college.example", secret: secret, timeout: "-1s", wantErr: "FEIDI_X_TIMEOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("FEIDI_X_URL", c.url)
			t.Setenv("FEIDI_X_SECRET", c.secret)
			t.Setenv("FEIDI_X_TIMEOUT", c.timeout)
			got, err := TargetFromEnv("FEIDI_X", 7*time.Second)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
