package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// maxKeptBody is how much of a receiver's answer is kept for the people who read the outbox.
const maxKeptBody = 4 << 10

// Client sends signed requests to one target. Each Post is one attempt: resty's own retries are
// off, because retries must survive a restart and so are scheduled by the outbox.
type Client struct {
	target Target
	http   *resty.Client
	now    func() time.Time
}

// New returns a client for t.
func New(t Target) *Client {
	h := resty.New().
		SetBaseURL(strings.TrimRight(t.URL, "/")).
		SetTimeout(t.Timeout).
		SetHeader("User-Agent", "feidi").
		// A redirect is a wrong URL, not a place to re-post a body to: answer it as it is.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}))
	return &Client{target: t, http: h, now: time.Now}
}

// Request is the content of one delivery.
type Request struct {
	Path           string // appended to the target URL, e.g. "/events"
	ContentType    string
	Body           []byte // signed as sent, byte for byte
	IdempotencyKey string // the same on every attempt of one event
}

// Response is a receiver's answer: its status and the start of its body.
type Response struct {
	Status int
	Body   string
}

// Error is a failed attempt. Status is 0 when no answer came (network error or timeout).
type Error struct {
	Status    int
	Body      string
	Permanent bool
	Err       error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether the receiver refused the request for good: any answer outside 2xx
// except 408, 429 and 5xx, which say "try again later", as does no answer at all.
func Permanent(status int) bool {
	return status != http.StatusRequestTimeout && status != http.StatusTooManyRequests && status < 500
}

// Post makes one signed attempt, bounded by the target's timeout. It returns the answer on 2xx and
// an *Error otherwise; when ctx itself ends (shutdown), ctx's error is returned as it is, so that
// the caller can tell an abandoned attempt from a failed one.
func (c *Client) Post(ctx context.Context, r Request) (*Response, error) {
	attemptCtx, cancel := context.WithTimeout(ctx, c.target.Timeout)
	defer cancel()
	ts := c.now().Unix()
	resp, err := c.http.R().
		SetContext(attemptCtx).
		SetHeader("Content-Type", r.ContentType).
		SetHeader(HeaderIdempotencyKey, r.IdempotencyKey).
		SetHeader(HeaderTimestamp, fmt.Sprint(ts)).
		SetHeader(HeaderSignature, Sign(c.target.Secret, ts, r.Body)).
		SetBody(r.Body).
		Post(r.Path)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", c.target.Timeout, err)
		}
		return nil, &Error{Err: err}
	}
	body := resp.String()
	if len(body) > maxKeptBody {
		body = strings.ToValidUTF8(body[:maxKeptBody], "")
	}
	status := resp.StatusCode()
	if status >= 200 && status < 300 {
		return &Response{Status: status, Body: body}, nil
	}
	return nil, &Error{Status: status, Body: body, Permanent: Permanent(status),
		Err: fmt.Errorf("HTTP %d", status)}
}
