package migrations_test

import (
	"net/http"
	"testing"

	at "feidi/hooks/lib/apptest"
)

// TestSignInIsThrottled: 40 wrong passwords in a row from one address are not all answered;
// past the limit the answer is 429, which a phone retries later.
func TestSignInIsThrottled(t *testing.T) {
	_, as := served(t)
	guest := as("")
	counts := map[int]int{}
	for i := 0; i < 40; i++ {
		status, _ := guest.Do(http.MethodPost, "/api/collections/users/auth-with-password",
			[]byte(`{"identity":"officer.a@feidi.test","password":"wrong-`+itoa(i)+`"}`))
		counts[status]++
	}
	if counts[400] != 20 || counts[429] != 20 {
		t.Errorf("40 wrong passwords: %v, want 20 refused and 20 throttled", counts)
	}
	// Syncing devices behind one address are not throttled at these rates.
	engineer := as(at.EngineerA)
	for i := 0; i < 100; i++ {
		if status, body := engineer.Do(http.MethodGet, "/api/sync/pull", nil); status != 200 {
			t.Fatalf("pull %d: %d %s", i, status, body)
		}
	}
}

func itoa(i int) string {
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
