// Package deliverytest plays an outside system in tests: an httptest server on 127.0.0.1 that
// verifies Feidi's signatures, applies each idempotency key once, and can be told to be down, to
// fail, or to hang.
package deliverytest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"feidi/integrations/delivery"
)

// Mode is how the receiver answers the next requests.
type Mode int

const (
	// Up applies a new key and answers 200; a key already applied is answered 200 again.
	Up Mode = iota
	// Down drops every connection without an answer, like a host that is unreachable.
	Down
	// Hang applies a new key and then never answers, like a receiver slower than Feidi's timeout
	// or a process that died mid-request on Feidi's side.
	Hang
)

// Request is one request the receiver got with a valid signature.
type Request struct {
	Path        string
	Key         string
	ContentType string
	Body        []byte
}

// Receiver is a fake outside system.
type Receiver struct {
	*httptest.Server
	Secret string

	mu            sync.Mutex
	mode          Mode
	failures      []int // statuses to answer to the next requests, in order
	hits          map[string]int
	applied       map[string]Request
	order         []string
	badSignatures int
	hung          chan string
}

// NewReceiver starts a receiver that checks signatures with secret; it is closed when the test
// ends.
func NewReceiver(t interface{ Cleanup(func()) }, secret string) *Receiver {
	r := &Receiver{Secret: secret, hits: map[string]int{}, applied: map[string]Request{}, hung: make(chan string, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// Target returns the delivery settings that reach this receiver.
func (r *Receiver) Target(timeout time.Duration) delivery.Target {
	return delivery.Target{URL: r.URL, Secret: r.Secret, Timeout: timeout}
}

// SetMode changes how the next requests are answered.
func (r *Receiver) SetMode(m Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mode = m
}

// FailNext makes the next requests answer these statuses, one each, before the mode applies.
func (r *Receiver) FailNext(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, statuses...)
}

// Hung delivers the key of each request the receiver applied and then left hanging.
func (r *Receiver) Hung() <-chan string { return r.hung }

// Hits is how many validly signed requests carried key.
func (r *Receiver) Hits(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[key]
}

// Applied returns the applied requests in the order applied; each key appears once.
func (r *Receiver) Applied() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Request, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, r.applied[k])
	}
	return out
}

// BadSignatures is how many requests failed signature verification.
func (r *Receiver) BadSignatures() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.badSignatures
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	key := req.Header.Get(delivery.HeaderIdempotencyKey)
	r.mu.Lock()
	if err := delivery.Verify(r.Secret, req.Header, body, time.Now(), 5*time.Minute); err != nil || key == "" {
		r.badSignatures++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.hits[key]++
	mode := r.mode
	if mode == Down {
		r.mu.Unlock()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	if len(r.failures) > 0 {
		status := r.failures[0]
		r.failures = r.failures[1:]
		r.mu.Unlock()
		http.Error(w, `{"error":"scripted failure"}`, status)
		return
	}
	_, seen := r.applied[key]
	if !seen {
		r.applied[key] = Request{Path: req.URL.Path, Key: key, ContentType: req.Header.Get("Content-Type"), Body: body}
		r.order = append(r.order, key)
	}
	r.mu.Unlock()
	if mode == Hang && !seen {
		r.hung <- key
		<-req.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if seen {
		io.WriteString(w, `{"ok":true,"duplicate":true}`)
		return
	}
	io.WriteString(w, `{"ok":true}`)
}
