package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Client sends the JSON requests of the setup and of the devices to one server.
type Client struct {
	HTTP *http.Client
	URL  string
}

// NewClient is a client for url keeping up to conns connections open, each request bounded by
// timeout.
func NewClient(url string, conns int, timeout time.Duration) *Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = conns + 10
	transport.MaxIdleConnsPerHost = conns + 10
	return &Client{URL: url, HTTP: &http.Client{Transport: transport, Timeout: timeout}}
}

// StatusError is an answer other than 200.
type StatusError struct {
	Status     int
	Body       string
	RetryAfter time.Duration // of a 503
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d %.300s", e.Status, e.Body) }

// Do sends body (JSON of it, if not nil) and decodes a 200 answer into out (if not nil).
func (c *Client) Do(ctx context.Context, method, path, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		se := &StatusError{Status: res.StatusCode, Body: string(data)}
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && n > 0 {
			se.RetryAfter = time.Duration(n) * time.Second
		}
		return se
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Busy reports how long a 503 answer asks to wait before trying again.
func Busy(err error) (time.Duration, bool) {
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable {
		return 0, false
	}
	return max(se.RetryAfter, time.Second), true
}

// HasStatus tells whether err is an answer with this status.
func HasStatus(err error, status int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == status
}

// Patiently sends a request as a phone's sync loop does: a 503 is waited out for as long as
// its Retry-After asks, and the request sent again; shed counts each 503. It returns the last
// answer and how long that one took.
func (c *Client) Patiently(ctx context.Context, method, path, token string, body, out any, shed func()) (time.Duration, error) {
	for {
		start := time.Now()
		err := c.Do(ctx, method, path, token, body, out)
		took := time.Since(start)
		wait, ok := Busy(err)
		if !ok {
			return took, err
		}
		if shed != nil {
			shed()
		}
		select {
		case <-ctx.Done():
			return took, err
		case <-time.After(wait):
		}
	}
}

// IsTimeout tells a request that ran out of the client's time from other failures.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// Account is an engineer's login and engineers record.
type Account struct {
	Email, Token, User, Engineer string
}

// AccountPassword is the password of every engineer account CreateAccounts makes.
const AccountPassword = "load-engineer-2026"

// SuperuserToken signs the superuser in.
func SuperuserToken(ctx context.Context, c *Client, email, password string) (string, error) {
	var su struct {
		Token string `json:"token"`
	}
	if err := c.Do(ctx, http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &su); err != nil {
		return "", fmt.Errorf("superuser sign-in: %w", err)
	}
	return su.Token, nil
}

// CreateAccounts creates n engineer users (engineerNNNN@<domain>), each with an engineers
// record, as the superuser whose token is su, and gets each a token. Password hashing makes
// this the slow part.
func CreateAccounts(ctx context.Context, c *Client, su, domain string, n, conns int) ([]Account, error) {
	accounts := make([]Account, n)
	err := Parallel(n, conns, func(i int) error {
		a := &accounts[i]
		a.Email = fmt.Sprintf("engineer%04d@%s", i, domain)
		var user, eng struct {
			ID string `json:"id"`
		}
		if err := c.Do(ctx, http.MethodPost, "/api/collections/users/records", su, map[string]any{
			"email": a.Email, "password": AccountPassword, "passwordConfirm": AccountPassword,
			"name": fmt.Sprintf("工程师%04d", i), "role": "engineer", "verified": true}, &user); err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		if err := c.Do(ctx, http.MethodPost, "/api/collections/engineers/records", su, map[string]any{
			"user": user.ID, "name": fmt.Sprintf("工程师%04d", i)}, &eng); err != nil {
			return fmt.Errorf("create engineer %d: %w", i, err)
		}
		a.User, a.Engineer = user.ID, eng.ID
		var auth struct {
			Token string `json:"token"`
		}
		// A token minted by the superuser, as the server's sign-in is rate limited per address and
		// every device here shares 127.0.0.1 (the phones of a Monday morning signed in long before).
		if err := c.Do(ctx, http.MethodPost, "/api/collections/users/impersonate/"+user.ID, su,
			map[string]any{"duration": 7 * 24 * 3600}, &auth); err != nil {
			return fmt.Errorf("sign in %d: %w", i, err)
		}
		a.Token = auth.Token
		return nil
	})
	return accounts, err
}

// Parallel runs fn(0..n-1) on at most conns goroutines and returns the first error.
func Parallel(n, conns int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range min(conns, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
