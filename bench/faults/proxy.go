// Package faults proves that Feidi loses nothing when its process is killed or its network
// misbehaves (issue 15). Its tests run the real binary as a subprocess on loopback: kill_test.go
// and migrate_test.go kill it with SIGKILL at chosen points and start it again on the same data
// dir; proxy_test.go puts Proxy, a fault-injecting HTTP proxy, between WatermelonDB-shaped
// devices and the server. See README.md.
package faults

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is a kind of fault the proxy injects.
type Kind string

// The faults, each injected into one request.
const (
	DropRequest   Kind = "drop request"           // the connection is closed; the server never sees it
	DropAnswer    Kind = "drop answer"            // the server answers; the device gets a closed connection
	Delay         Kind = "delay"                  // held up to MaxDelay before it goes on
	LateDelivery  Kind = "delay past the timeout" // reaches the server after the device gave up on it
	Duplicate     Kind = "duplicate"              // sent to the server twice at once; one answer goes back
	LateDuplicate Kind = "duplicate, late"        // answered, then sent again later, as a replay
	Reorder       Kind = "reorder"                // held until a later request has gone past it
	CutRequest    Kind = "cut request mid-body"   // the server gets part of the body, then the connection ends
	CutAnswer     Kind = "cut answer mid-body"    // the device gets part of the answer, then the connection ends
	Unharmed      Kind = "unharmed"               // not a fault: a request that went through as it was
)

// Kinds is every fault kind, in the order reports list them.
var Kinds = []Kind{DropRequest, DropAnswer, Delay, LateDelivery, Duplicate, LateDuplicate, Reorder, CutRequest, CutAnswer}

// Config is how a proxy misbehaves.
type Config struct {
	Seed     uint64        // of the random choices: the same seed draws the same faults in the same order
	Rate     float64       // the share of requests that get a fault, 0 to 1
	MaxDelay time.Duration // the longest Delay, and of a Reorder's wait
	// Late is how long a LateDelivery is held: longer than the devices' timeout.
	Late time.Duration
}

// Proxy forwards HTTP requests from 127.0.0.1 to one upstream server and injects faults.
type Proxy struct {
	cfg      Config
	upstream string
	http     *http.Client
	listener net.Listener
	server   *http.Server
	faulty   atomic.Bool
	inflight sync.WaitGroup // requests sent upstream, including late ones

	mu     sync.Mutex
	rng    *rand.Rand
	counts map[Kind]int
	// cutAnswers counts what the server answered the requests whose body was cut, by status.
	cutAnswers map[string]int
	passed     uint64        // requests sent upstream so far
	overtake   chan struct{} // closed (and replaced) whenever a request is sent upstream
}

// NewProxy listens on a free 127.0.0.1 port and forwards to upstream (a base URL), faulty from
// the start.
func NewProxy(upstream string, cfg Config) (*Proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	transport.DisableCompression = true // the device's Accept-Encoding goes through as it asked
	p := &Proxy{cfg: cfg, upstream: strings.TrimSuffix(upstream, "/"), listener: l,
		http: &http.Client{Transport: transport, Timeout: 2 * time.Minute}, rng: rand.New(rand.NewPCG(cfg.Seed, 15)),
		counts: map[Kind]int{}, cutAnswers: map[string]int{}, overtake: make(chan struct{})}
	p.faulty.Store(true)
	p.server = &http.Server{Handler: p}
	go p.server.Serve(l)
	return p, nil
}

// URL is the proxy's base URL, for the devices.
func (p *Proxy) URL() string { return "http://" + p.listener.Addr().String() }

// SetFaulty turns the faults on or off; off, every request goes through unharmed.
func (p *Proxy) SetFaulty(on bool) { p.faulty.Store(on) }

// Drain waits until every request sent upstream, late ones included, has been answered.
func (p *Proxy) Drain() { p.inflight.Wait() }

// Close stops listening and waits for the requests sent upstream.
func (p *Proxy) Close() error {
	err := p.server.Close()
	p.Drain()
	return err
}

// Counts is how many times each kind was injected so far (and how many requests went unharmed).
func (p *Proxy) Counts() map[Kind]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Kind]int, len(p.counts))
	for k, n := range p.counts {
		out[k] = n
	}
	return out
}

// CutAnswers is what the server answered the requests whose body was cut, by status line.
func (p *Proxy) CutAnswers() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.cutAnswers)
}

// Report is the counts as one line per kind.
func (p *Proxy) Report() string {
	c := p.Counts()
	var b strings.Builder
	total := 0
	for _, k := range Kinds {
		fmt.Fprintf(&b, "  %-24s %6d\n", k, c[k])
		total += c[k]
	}
	fmt.Fprintf(&b, "  %-24s %6d\n  %-24s %6d\n", "faults in all", total, Unharmed, c[Unharmed])
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(&b, "  the server's answers to the cut requests: %v\n", p.cutAnswers)
	return b.String()
}

func (p *Proxy) count(k Kind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[k]++
}

// draw picks the fault for a request (Unharmed for none) and a random fraction for it.
func (p *Proxy) draw(hasBody bool) (Kind, float64) {
	if !p.faulty.Load() {
		return Unharmed, 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rng.Float64() >= p.cfg.Rate {
		return Unharmed, 0
	}
	kinds := Kinds
	if !hasBody {
		kinds = slices.DeleteFunc(slices.Clone(Kinds), func(k Kind) bool { return k == CutRequest })
	}
	return kinds[p.rng.IntN(len(kinds))], p.rng.Float64()
}

// answer is an upstream answer, read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Te", "Trailer", "Content-Length"}

// passing notes that a request is sent upstream, for the reordered ones waiting for it.
func (p *Proxy) passing() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passed++
	close(p.overtake)
	p.overtake = make(chan struct{})
}

// forward sends the request upstream, whatever happened to the device meanwhile.
func (p *Proxy) forward(r *http.Request, body []byte) (*answer, error) {
	p.inflight.Add(1)
	defer p.inflight.Done()
	p.passing()
	req, err := http.NewRequestWithContext(context.Background(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	req.Header = r.Header.Clone()
	for _, h := range hopByHop {
		req.Header.Del(h)
	}
	res, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &answer{status: res.StatusCode, header: res.Header, body: data}, nil
}

// cutRequest sends the request upstream on a connection of its own, announcing the whole body
// and sending only its first n bytes, then ends the connection (after a moment, so that the
// server has read what came).
func (p *Proxy) cutRequest(r *http.Request, body []byte, n int) {
	p.inflight.Add(1)
	defer p.inflight.Done()
	p.passing()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(p.upstream, "http://"), 5*time.Second)
	if err != nil {
		return
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, r.URL.RequestURI(), r.Host)
	h := r.Header.Clone()
	for _, k := range hopByHop {
		h.Del(k)
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	_ = h.Write(&head)
	head.WriteString("\r\n")
	head.Write(body[:n])
	if _, err := conn.Write(head.Bytes()); err != nil {
		return
	}
	// No more comes: the server reads the end of the connection mid-body. What it answers, if it
	// can, is kept for the report.
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	status := "no answer"
	if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		status = res.Status
		res.Body.Close()
	}
	p.mu.Lock()
	p.cutAnswers[status]++
	p.mu.Unlock()
}

// hangUp closes the device's connection without an answer (or after what was written).
func hangUp(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

func (a *answer) write(w http.ResponseWriter, upTo int) {
	for k, vs := range a.header {
		if !slices.Contains(hopByHop, http.CanonicalHeaderKey(k)) {
			w.Header()[k] = vs
		}
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(a.body)))
	w.WriteHeader(a.status)
	w.Write(a.body[:upTo])
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		hangUp(w)
		return
	}
	kind, frac := p.draw(len(body) > 0)
	switch kind {
	case DropRequest:
		p.count(kind)
		hangUp(w)
		return
	case CutRequest:
		p.count(kind)
		p.cutRequest(r, body, int(frac*float64(len(body)-1)))
		hangUp(w)
		return
	case Delay:
		time.Sleep(time.Duration(frac * float64(p.cfg.MaxDelay)))
	case LateDelivery:
		// The device gives up first; the request still reaches the server afterwards.
		p.count(kind)
		p.inflight.Add(1)
		go func() {
			defer p.inflight.Done()
			time.Sleep(p.cfg.Late)
			_, _ = p.forward(r, body)
		}()
		<-r.Context().Done()
		hangUp(w)
		return
	case Reorder:
		p.mu.Lock()
		seen, wait := p.passed, p.overtake
		p.mu.Unlock()
		select {
		case <-wait:
		case <-time.After(p.cfg.MaxDelay):
		}
		p.mu.Lock()
		overtaken := p.passed > seen
		p.mu.Unlock()
		if !overtaken {
			kind = Unharmed // nothing came past: no reordering happened
		}
	}
	var a *answer
	if kind == Duplicate {
		results := make(chan *answer, 2)
		for range 2 {
			go func() {
				a, _ := p.forward(r, body)
				results <- a
			}()
		}
		a = <-results
		if a == nil {
			a = <-results
		}
	} else {
		a, err = p.forward(r, body)
	}
	if a == nil {
		hangUp(w) // the server is unreachable: as a network would
		return
	}
	switch kind {
	case DropAnswer:
		hangUp(w)
	case CutAnswer:
		if len(a.body) < 2 {
			kind = DropAnswer
			hangUp(w)
			break
		}
		a.write(w, 1+int(frac*float64(len(a.body)-2)))
		hangUp(w)
	case LateDuplicate:
		a.write(w, len(a.body))
		p.inflight.Add(1)
		go func() {
			defer p.inflight.Done()
			time.Sleep(time.Duration((0.2 + frac) * float64(p.cfg.MaxDelay)))
			_, _ = p.forward(r, body)
		}()
	default:
		a.write(w, len(a.body))
	}
	p.count(kind)
}
