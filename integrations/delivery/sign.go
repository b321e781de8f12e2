package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// The headers every delivery carries. The idempotency key is the same on every attempt of one
// event; the timestamp and signature are made anew for each attempt.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderTimestamp      = "X-Feidi-Timestamp"
	HeaderSignature      = "X-Feidi-Signature"
)

// signaturePrefix names the scheme, so that a receiver can tell it from a later one.
const signaturePrefix = "sha256="

// Sign returns the X-Feidi-Signature value: "sha256=" and the lowercase hex HMAC-SHA256, keyed
// with secret, of the decimal Unix timestamp, a ".", and the exact body bytes.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// Verify is what a receiver does with a request: it recomputes the signature over the received
// timestamp and body, compares in constant time, and refuses a timestamp further than maxSkew
// from now (a replayed old request). Feidi's tests verify with it; receivers may copy it.
func Verify(secret string, h http.Header, body []byte, now time.Time, maxSkew time.Duration) error {
	ts, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return errors.New("missing or malformed " + HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > maxSkew || d < -maxSkew {
		return errors.New(HeaderTimestamp + " is too far from now")
	}
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(Sign(secret, ts, body))) {
		return errors.New("signature mismatch")
	}
	return nil
}
