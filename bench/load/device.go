package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"feidi/bench/fleet"
)

// trip is one commute log as a device holds it.
type trip struct {
	id             string
	depart, arrive time.Time
	from, to       string
	cost           float64
	note           string
}

// raw is the trip as WatermelonDB pushes it: status "created" or "updated".
func (t trip) raw(engineer, status string) map[string]any {
	changed := ""
	if status == "updated" {
		changed = "cost_yuan,note"
	}
	return map[string]any{"id": t.id, "_status": status, "_changed": changed, "engineer": engineer,
		"from_city": t.from, "to_city": t.to, "depart_at": t.depart.UnixMilli(), "arrive_at": t.arrive.UnixMilli(),
		"mode": "hsr", "distance_km": 230, "cost_yuan": t.cost, "note": t.note, "ticket": "", "created": 0, "updated": 0}
}

// device is one phone of one engineer: what it has synced and what it still has to push.
type device struct {
	n      int
	acc    fleet.Account
	c      *fleet.Client
	st     *stats
	rng    *rand.Rand
	cfg    config
	last   int64             // timestamp of the last pull
	base   time.Time         // the start of its timeline: a trip every two hours from here
	slot   int               // the next free slot
	acked  map[string]trip   // as the server acknowledged them
	order  []string          // acked ids, oldest first, to pick edits from
	queued map[string]trip   // changed on the device and not acknowledged yet
	tried  map[string][]trip // values pushed without an answer since the last acknowledgement
	edits  int               // edits made, to vary the note
}

func newDevice(n int, acc fleet.Account, c *fleet.Client, st *stats, cfg config, now time.Time) *device {
	return &device{n: n, acc: acc, c: c, st: st, cfg: cfg, rng: rand.New(rand.NewPCG(uint64(n), 2026)),
		base:  now.Truncate(time.Hour).Add(-400 * 24 * time.Hour),
		acked: map[string]trip{}, queued: map[string]trip{}, tried: map[string][]trip{}}
}

// deviceID makes an id like WatermelonDB's: 16 random characters of 0-9a-zA-Z.
func (d *device) deviceID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	id := make([]byte, 16)
	for i := range id {
		id[i] = alphabet[d.rng.IntN(len(alphabet))]
	}
	return string(id)
}

// pull asks for what changed since the last pull and keeps the new timestamp.
func (d *device) pull(ctx context.Context) error {
	var a struct {
		Timestamp int64 `json:"timestamp"`
	}
	path := "/api/sync/pull?schema_version=1"
	if d.last > 0 {
		path += fmt.Sprintf("&last_pulled_at=%d", d.last)
	}
	took, err := d.c.Patiently(ctx, http.MethodGet, path, d.acc.Token, nil, &a, func() { d.st.shed("pull") })
	d.st.request("pull", took, err)
	if err == nil {
		d.last = a.Timestamp
	}
	return err
}

// change logs the next trips: new ones forward in time, and edits of acknowledged ones.
func (d *device) change(now time.Time) {
	for range d.cfg.records - min(d.cfg.edits, len(d.order)) {
		depart := d.base.Add(time.Duration(d.slot) * 2 * time.Hour)
		if depart.After(now) {
			break // the timeline has reached today; only edits from here
		}
		t := trip{id: d.deviceID(), depart: depart, arrive: depart.Add(75 * time.Minute), from: "chengdu", to: "dazu",
			cost: 96.5, note: "G8591 成都东 → 大足南"}
		if d.slot%2 == 1 {
			t.from, t.to = t.to, t.from
		}
		d.slot++
		d.queued[t.id] = t
	}
	for range min(d.cfg.edits, len(d.order)) {
		id := d.order[len(d.order)-1-d.rng.IntN(min(len(d.order), 100))] // one of the last hundred
		t, ok := d.queued[id]
		if !ok {
			t = d.acked[id]
		}
		d.edits++
		t.cost = float64(50 + d.edits%100)
		t.note = fmt.Sprintf("改签 #%d", d.edits)
		d.queued[id] = t
	}
}

// sync is one synchronize(): pull, then push what is queued; on 409 pull and push again.
func (d *device) sync(ctx context.Context) {
	if err := d.pull(ctx); err != nil {
		return // queued changes wait for the next sync
	}
	d.change(time.Now())
	for attempt := 0; attempt < 3; attempt++ {
		created, updated := []any{}, []any{}
		for id, t := range d.queued {
			if _, ok := d.acked[id]; ok {
				updated = append(updated, t.raw(d.acc.Engineer, "updated"))
			} else {
				created = append(created, t.raw(d.acc.Engineer, "created"))
			}
		}
		body := map[string]any{"changes": map[string]any{
			"commute_logs": map[string]any{"created": created, "updated": updated, "deleted": []any{}},
			"schedules":    map[string]any{"created": []any{}, "updated": []any{}, "deleted": []any{}},
		}}
		var answer struct {
			Rejected map[string][]string `json:"experimentalRejectedIds"`
		}
		took, err := d.c.Patiently(ctx, http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", d.last), d.acc.Token, body, &answer,
			func() { d.st.shed("push") })
		var status *fleet.StatusError
		if errors.As(err, &status) && status.Status == http.StatusConflict {
			d.st.conflict(took)
			if d.pull(ctx) != nil {
				return
			}
			continue
		}
		d.st.request("push", took, err)
		if err != nil {
			for id, t := range d.queued {
				d.tried[id] = append(d.tried[id], t)
			}
			return // pushed again at the next sync, as WatermelonDB does
		}
		rejected := map[string]bool{}
		for _, id := range answer.Rejected["commute_logs"] {
			rejected[id] = true
		}
		d.st.done(len(d.queued)-len(rejected), len(rejected))
		for id, t := range d.queued {
			if rejected[id] {
				continue // refused for good: kept in sync_rejects, not on the server
			}
			if _, ok := d.acked[id]; !ok {
				d.order = append(d.order, id)
			}
			d.acked[id] = t
			delete(d.tried, id)
		}
		clear(d.queued)
		return
	}
}

// verify pulls the account afresh, as a new device, and compares its trips with what the
// server acknowledged: every acknowledged trip there with the acknowledged values (or those of
// a later push that was never answered), and nothing else but trips whose push was never
// answered.
func (d *device) verify(ctx context.Context) (v verification, err error) {
	var a struct {
		Changes map[string]struct {
			Created, Updated []struct {
				ID   string  `json:"id"`
				Cost float64 `json:"cost_yuan"`
				Note string  `json:"note"`
			}
		} `json:"changes"`
	}
	if _, err := d.c.Patiently(ctx, http.MethodGet, "/api/sync/pull?schema_version=1", d.acc.Token, nil, &a, nil); err != nil {
		return v, err
	}
	onServer := map[string]bool{}
	logs := a.Changes["commute_logs"]
	for _, r := range append(logs.Created, logs.Updated...) {
		onServer[r.ID] = true
		want, ok := d.acked[r.ID]
		// A push never answered may have been applied, or not: any value it carried will do.
		unanswered := d.tried[r.ID]
		switch {
		case !ok && len(unanswered) == 0:
			v.unexpected++
		case ok && (want.cost != r.Cost || want.note != r.Note) &&
			!slices.ContainsFunc(unanswered, func(t trip) bool { return t.cost == r.Cost && t.note == r.Note }):
			v.changed++
		}
	}
	for id := range d.acked {
		if !onServer[id] {
			v.lost++
		}
	}
	v.acked, v.queued = len(d.acked), len(d.queued)
	return v, nil
}

// verification is what the final pull of an account found.
type verification struct {
	acked, queued, lost, changed, unexpected int
}

func (v *verification) add(o verification) {
	v.acked += o.acked
	v.queued += o.queued
	v.lost += o.lost
	v.changed += o.changed
	v.unexpected += o.unexpected
}
