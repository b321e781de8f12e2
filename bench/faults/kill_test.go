package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"feidi/bench/fleet"
	"feidi/integrations/delivery/deliverytest"
)

// pushTrips is the size of the large pushes the server is killed in.
const pushTrips = 1500

const collegeSecret = "faults-college-secret-2026"

// TestKillMidWork kills `feidi serve` with SIGKILL in the middle of a large push, of a pull, of
// an export job and of an outbox delivery to the College, starts it again on the same data dir
// each time, and checks what the issue asks: the push is all there or not at all and the
// device's retry (the same changes, the same last_pulled_at) converges; the pull is answered
// whole afterwards; the export job finishes; the College applies the delivery once. The phases
// share one server and its data (the export is of the pushed trips).
func TestKillMidWork(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	college := deliverytest.NewReceiver(t, collegeSecret)
	f := startFeidi(t, ctx, "FEIDI_COLLEGE_URL="+college.URL, "FEIDI_COLLEGE_SECRET="+collegeSecret,
		"FEIDI_COLLEGE_TIMEOUT=60s")
	accounts, err := fleet.CreateAccounts(ctx, f.c, f.su, "kill.feidi.test", 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -200)

	// One device per account, each with its first pull done and a push of pushTrips new trips.
	type phone struct {
		acc   fleet.Account
		last  int64
		trips []trip
		body  map[string]any
	}
	phones := make([]*phone, len(accounts))
	for i, a := range accounts {
		p := &phone{acc: a}
		var ans pullAnswer
		if err := f.c.Do(ctx, http.MethodGet, pullPath(0), a.Token, nil, &ans); err != nil {
			t.Fatal(err)
		}
		p.last = ans.Timestamp
		for n := range pushTrips {
			p.trips = append(p.trips, newTrip(tripID(fmt.Sprintf("Kp%d", i), n), base, n))
		}
		p.body = pushBody(a.Engineer, p.trips, nil)
		phones[i] = p
	}
	push := func(p *phone) (map[string][]string, error) {
		var ans struct {
			Rejected map[string][]string `json:"experimentalRejectedIds"`
		}
		err := f.c.Do(ctx, http.MethodPost, fmt.Sprintf("/api/sync/push?last_pulled_at=%d", p.last), p.acc.Token, p.body, &ans)
		return ans.Rejected, err
	}
	tripsOf := func(p *phone) int { return f.count(ctx, "commute_logs", fmt.Sprintf("engineer = %q", p.acc.Engineer)) }

	ok := t.Run("push", func(t *testing.T) {
		start := time.Now()
		if rejected, err := push(phones[0]); err != nil || len(rejected) > 0 {
			t.Fatalf("the unkilled push: %v, rejected %v", err, rejected)
		}
		whole := time.Since(start)
		t.Logf("a push of %d trips took %s unkilled", pushTrips, whole.Round(time.Millisecond))
		// Killed 30% and 80% into the push (by the unkilled one's time), and the moment its
		// trips are visible to a reader: just after the commit, whether or not the answer left.
		for i, when := range []float64{0.3, 0.8, 0} {
			p := phones[i+1]
			answered := make(chan error, 1)
			go func() { _, err := push(p); answered <- err }()
			label := fmt.Sprintf("%.0f%% into the push", when*100)
			if when > 0 {
				time.Sleep(time.Duration(when * float64(whole)))
			} else {
				label = "once its trips were visible"
				eventually(ctx, time.Minute, func() bool { return tripsOf(p) > 0 })
			}
			f.srv.Kill()
			pushErr := <-answered
			f.restart(ctx)
			n := tripsOf(p)
			t.Logf("killed %s (answer: %v): %d of %d trips stored", label, pushErr, n, pushTrips)
			if pushErr == nil && n != pushTrips {
				t.Fatalf("the push was acknowledged and %d of %d trips are stored", n, pushTrips)
			}
			if n != 0 && n != pushTrips {
				t.Fatalf("a killed push left %d of its %d trips: not all or nothing", n, pushTrips)
			}
			// WatermelonDB pushes the same changes again with the same last_pulled_at.
			if rejected, err := push(p); err != nil || len(rejected) > 0 {
				t.Fatalf("the retried push: %v, rejected %v", err, rejected)
			}
		}
		for i, p := range phones {
			if n := tripsOf(p); n != pushTrips {
				t.Errorf("account %d: %d trips stored, want %d", i, n, pushTrips)
			}
			// Each trip written once: one version in its history, whether the first push or the
			// retry wrote it.
			if n := f.count(ctx, "record_history", fmt.Sprintf(`table = "commute_logs" && record_id ~ "Kp%d"`, i)); n != pushTrips {
				t.Errorf("account %d: %d versions in the trips' history, want %d (one each)", i, n, pushTrips)
			}
			// The device's next pull converges: its trips come back as stored.
			var ans pullAnswer
			if err := f.c.Do(ctx, http.MethodGet, pullPath(p.last), p.acc.Token, nil, &ans); err != nil {
				t.Fatal(err)
			}
			got, err := ans.trips()
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range p.trips {
				if got[tr.ID] != tr {
					t.Fatalf("account %d: trip %s pulled as %+v, pushed as %+v", i, tr.ID, got[tr.ID], tr)
				}
			}
			p.last = ans.Timestamp
		}
		if n := f.count(ctx, "sync_rejects", ""); n != 0 {
			t.Errorf("%d sync_rejects after the retries", n)
		}
	})
	if !ok {
		t.FailNow()
	}

	t.Run("pull", func(t *testing.T) {
		all := f.count(ctx, "commute_logs", "")
		// A first pull killed while the server judges its reach or streams it, then one killed
		// once the answer is flowing.
		for _, after := range []string{"30ms", "first bytes"} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.c.URL+pullPath(0), nil)
			req.Header.Set("Authorization", f.su)
			got := make(chan int, 1)
			go func() {
				res, err := f.c.HTTP.Do(req)
				if err != nil {
					got <- -1
					return
				}
				defer res.Body.Close()
				n, _ := io.CopyN(io.Discard, res.Body, 4096)
				got <- int(n)
				_, _ = io.Copy(io.Discard, res.Body)
			}()
			if after == "first bytes" {
				if n := <-got; n <= 0 {
					t.Fatalf("the pull answered nothing before the kill")
				}
			} else {
				time.Sleep(30 * time.Millisecond)
			}
			f.srv.Kill()
			f.restart(ctx)
			t.Logf("killed a superuser's first pull of %d trips after %s", all, after)
		}
		var ans pullAnswer
		if err := f.c.Do(ctx, http.MethodGet, pullPath(0), f.su, nil, &ans); err != nil {
			t.Fatal(err)
		}
		trips, err := ans.trips()
		if err != nil {
			t.Fatal(err)
		}
		if len(trips) != all {
			t.Errorf("the pull after the kills has %d trips, the server %d", len(trips), all)
		}
		// A device's incremental pull goes on from its timestamp: nothing new, no replacement.
		p := phones[0]
		var next pullAnswer
		if err := f.c.Do(ctx, http.MethodGet, pullPath(p.last), p.acc.Token, nil, &next); err != nil {
			t.Fatal(err)
		}
		if n, _ := next.trips(); len(n) != 0 || next.Strategy != "" {
			t.Errorf("an incremental pull after the kills: %d trips, strategy %q", len(n), next.Strategy)
		}
	})

	t.Run("export", func(t *testing.T) {
		coordinator := f.create(ctx, "users", map[string]any{"email": "coordinator@kill.feidi.test",
			"password": fleet.AccountPassword, "passwordConfirm": fleet.AccountPassword, "name": "协调员", "role": "coordinator", "verified": true})
		cohort := f.create(ctx, "cohorts", map[string]any{"name": "断电测试班", "program": "精密制造", "coordinator": coordinator})
		for _, a := range accounts {
			f.create(ctx, "cohort_members", map[string]any{"cohort": cohort, "engineer": a.Engineer})
		}
		from := base.In(time.FixedZone("CST", 8*3600))
		to := from.Add(pushTrips * 2 * time.Hour)
		var job string
		caught := false
		// The job must be caught running; a machine fast enough to finish before the poll sees it
		// gets another job (a different format), up to three.
		for attempt, format := range []string{"xlsx", "csv", "xlsx"} {
			if attempt == 2 {
				from = from.AddDate(0, -1, 0)
			}
			job = f.create(ctx, "exports", map[string]any{"kind": "cohort", "cohort": cohort, "format": format,
				"period_from": from.Format("2006-01"), "period_to": to.Format("2006-01"), "requested_by": coordinator})
			var status string
			eventually(ctx, 30*time.Second, func() bool {
				var r struct {
					Status string `json:"status"`
				}
				f.record(ctx, "exports", job, &r)
				status = r.Status
				return status != "queued"
			})
			f.srv.Kill()
			db := openData(t, copyData(t, f.srv.Data), "data.db")
			var stored struct {
				Status string `db:"status"`
			}
			err := db.NewQuery("SELECT status FROM exports WHERE id = {:id}").Bind(map[string]any{"id": job}).One(&stored)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			f.restart(ctx)
			t.Logf("export %s (%s): killed when the API said %q; the data dir said %q", job, format, status, stored.Status)
			if stored.Status == "running" {
				caught = true
				break
			}
		}
		if !caught {
			t.Fatal("no export job was caught running in three tries")
		}
		var r struct {
			Status    string         `json:"status"`
			Error     string         `json:"error"`
			File      string         `json:"file"`
			Rows      map[string]int `json:"rows"`
			TotalRows int            `json:"total_rows"`
		}
		if !eventually(ctx, 90*time.Second, func() bool {
			f.record(ctx, "exports", job, &r)
			return r.Status == "done" || r.Status == "failed"
		}) {
			t.Fatalf("the export did not finish after the restart: %+v", r)
		}
		if r.Status != "done" || r.File == "" || r.TotalRows < len(accounts)*pushTrips {
			t.Fatalf("export after the restart: %+v, want done with a file and at least %d rows", r, len(accounts)*pushTrips)
		}
		t.Logf("the export finished after the restart: %d rows %v", r.TotalRows, r.Rows)
	})

	t.Run("delivery", func(t *testing.T) {
		// Everything queued so far delivered first (enrolments, the export upload), so that the
		// next delivery is the one hung.
		if !eventually(ctx, 60*time.Second, func() bool { return f.count(ctx, "outbox", `status != "delivered"`) == 0 }) {
			t.Fatalf("%d outbox rows not delivered", f.count(ctx, "outbox", `status != "delivered"`))
		}
		college.SetMode(deliverytest.Hang)
		user := f.create(ctx, "users", map[string]any{"email": "late@kill.feidi.test", "password": fleet.AccountPassword,
			"passwordConfirm": fleet.AccountPassword, "name": "迟到的工程师", "role": "engineer", "verified": true})
		engineer := f.create(ctx, "engineers", map[string]any{"user": user, "name": "迟到的工程师"})
		var key string
		select {
		case key = <-college.Hung():
		case <-time.After(60 * time.Second):
			t.Fatal("the enrolment was not delivered")
		}
		f.srv.Kill()
		db := openData(t, copyData(t, f.srv.Data), "data.db")
		var row struct {
			Status   string `db:"status"`
			Attempts int    `db:"attempts"`
		}
		err := db.NewQuery("SELECT status, attempts FROM outbox WHERE idempotency_key = {:k}").Bind(map[string]any{"k": key}).One(&row)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if row.Status != "delivering" {
			t.Fatalf("the row of the hung delivery is %q after the kill, want delivering", row.Status)
		}
		college.SetMode(deliverytest.Up)
		f.restart(ctx)
		if !eventually(ctx, 60*time.Second, func() bool {
			return f.count(ctx, "outbox", fmt.Sprintf("idempotency_key = %q && status = \"delivered\"", key)) == 1
		}) {
			t.Fatal("the delivery was not made after the restart")
		}
		applied := 0
		for _, r := range college.Applied() {
			if strings.HasSuffix(r.Path, "/enrolments") {
				var e struct {
					Engineer string `json:"engineer_id"`
				}
				if json.Unmarshal(r.Body, &e) == nil && e.Engineer == engineer {
					applied++
				}
			}
		}
		if applied != 1 || college.Hits(key) < 2 {
			t.Fatalf("the College applied the new engineer's enrolment %d times from %d requests with its key; want once from at least two", applied, college.Hits(key))
		}
		if n := f.count(ctx, "outbox", `status != "delivered"`); n != 0 {
			t.Errorf("%d outbox rows not delivered", n)
		}
		if n := college.BadSignatures(); n != 0 {
			t.Errorf("%d requests with a bad signature", n)
		}
		t.Logf("the delivery hung when killed (attempt %d) was sent again with key %s: %d requests, applied once", row.Attempts, key, college.Hits(key))
	})
}
