// Package secret makes the bearer secrets Feidi hands out (feed keys, device enrolment tokens)
// and the form in which they are stored: only a secret's SHA-256, so a stolen database gives
// none away.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// New makes a secret: prefix, which tells a person what a secret found in a log is, and 32
// random bytes, URL-safe.
func New(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Hash is what is stored of a secret: its SHA-256, hex. A secret has 256 bits of chance, so a
// fast hash is enough.
func Hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
