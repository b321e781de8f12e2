package main

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

// client sends the JSON requests of the setup and of the devices to one server.
type client struct {
	http *http.Client
	url  string
}

func newClient(url string, conns int, timeout time.Duration) *client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = conns + 10
	transport.MaxIdleConnsPerHost = conns + 10
	return &client{url: url, http: &http.Client{Transport: transport, Timeout: timeout}}
}

// statusError is an answer other than 200.
type statusError struct {
	status     int
	body       string
	retryAfter time.Duration // of a 503
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %.300s", e.status, e.body) }

// do sends body (JSON of it, if not nil) and decodes a 200 answer into out (if not nil).
func (c *client) do(ctx context.Context, method, path, token string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		se := &statusError{status: res.StatusCode, body: string(data)}
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && n > 0 {
			se.retryAfter = time.Duration(n) * time.Second
		}
		return se
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// busy reports how long a 503 answer asks to wait before trying again.
func busy(err error) (time.Duration, bool) {
	var se *statusError
	if !errors.As(err, &se) || se.status != http.StatusServiceUnavailable {
		return 0, false
	}
	return max(se.retryAfter, time.Second), true
}

// patiently sends a request as a phone's sync loop does: a 503 is waited out for as long as
// its Retry-After asks, and the request sent again; shed counts each 503. It returns the last
// answer and how long that one took.
func (c *client) patiently(ctx context.Context, method, path, token string, body, out any, shed func()) (time.Duration, error) {
	for {
		start := time.Now()
		err := c.do(ctx, method, path, token, body, out)
		took := time.Since(start)
		wait, ok := busy(err)
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

// isTimeout tells a request that ran out of the client's time from other failures.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// account is an engineer's login and engineers record.
type account struct {
	email, token, engineer string
}

const accountPassword = "load-engineer-2026"

// createAccounts creates n engineer users, each with an engineers record, as the superuser, and
// gets each a token: all before the measured phase. Password hashing makes this the slow part.
func createAccounts(ctx context.Context, c *client, t target, n, conns int) ([]account, error) {
	var su struct {
		Token string `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": t.email, "password": t.password}, &su); err != nil {
		return nil, fmt.Errorf("superuser sign-in: %w", err)
	}
	accounts := make([]account, n)
	err := parallel(n, conns, func(i int) error {
		a := &accounts[i]
		a.email = fmt.Sprintf("engineer%04d@load.feidi.test", i)
		var user, eng struct {
			ID string `json:"id"`
		}
		if err := c.do(ctx, http.MethodPost, "/api/collections/users/records", su.Token, map[string]any{
			"email": a.email, "password": accountPassword, "passwordConfirm": accountPassword,
			"name": fmt.Sprintf("工程师%04d", i), "role": "engineer", "verified": true}, &user); err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		if err := c.do(ctx, http.MethodPost, "/api/collections/engineers/records", su.Token, map[string]any{
			"user": user.ID, "name": fmt.Sprintf("工程师%04d", i)}, &eng); err != nil {
			return fmt.Errorf("create engineer %d: %w", i, err)
		}
		a.engineer = eng.ID
		var auth struct {
			Token string `json:"token"`
		}
		// A token minted by the superuser, as the server's sign-in is rate limited per address and
		// every device here shares 127.0.0.1 (the phones of a Monday morning signed in long before).
		if err := c.do(ctx, http.MethodPost, "/api/collections/users/impersonate/"+user.ID, su.Token,
			map[string]any{"duration": 7 * 24 * 3600}, &auth); err != nil {
			return fmt.Errorf("sign in %d: %w", i, err)
		}
		a.token = auth.Token
		return nil
	})
	return accounts, err
}

// parallel runs fn(0..n-1) on at most conns goroutines and returns the first error.
func parallel(n, conns int, fn func(i int) error) error {
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
