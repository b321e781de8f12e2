package delivery

import "time"

// Target is where and how one outside system is reached. Feidi's settings (feidi/hooks/settings)
// read and check it from the environment.
type Target struct {
	// URL is the base URL of the receiver; the clients append their paths to it.
	URL string
	// Secret is the shared HMAC-SHA256 key that signs every request.
	Secret string
	// Timeout bounds one delivery attempt, from connecting to reading the answer.
	Timeout time.Duration
}
