package watermelon

// Fuzz targets of the sync's input: the push body (decoding and column conversion) and the pull's
// parameters. They run on the pure functions the handlers call, with the synced schema read from
// a real migrated app built once per test binary (this package's own tests cannot import
// apptest, which imports this package). The HTTP door is fuzzed by FuzzPushHandler in
// fuzz_handler_test.go.
//
// Short runs in CI (.ci/run); the seed corpus is in testdata/fuzz/FuzzXxx and in the f.Add calls.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	_ "feidi/migrations"
)

// fuzzApp is one migrated app for every exec of every target of the binary: making one per exec
// would cost more than the exec.
var fuzzApp struct {
	once   sync.Once
	app    *tests.TestApp
	schema *appSchema
	err    error
}

// roundTripID is the row of each synced table the round trip writes its values into.
const roundTripID = "FuzzRoundTrip001"

func fuzzSchema(f *testing.F) (core.App, *appSchema) {
	fuzzApp.once.Do(func() {
		dir, err := os.MkdirTemp("", "feidi-fuzz-*")
		if err != nil {
			fuzzApp.err = err
			return
		}
		app, err := tests.NewTestApp(dir) // migrates a copy of the empty dir
		os.RemoveAll(dir)
		if err != nil {
			fuzzApp.err = err
			return
		}
		fuzzApp.app = app
		if fuzzApp.schema, fuzzApp.err = loadSchema(app); fuzzApp.err != nil {
			return
		}
		// One bare row per table (every column has its default) for the round trip; raw SQL, so
		// that no rule or validation stands in the way of what the storage itself does.
		for _, t := range fuzzApp.schema.Tables {
			if _, err := app.DB().Insert(t.Name, dbx.Params{"id": roundTripID}).Execute(); err != nil {
				fuzzApp.err = fmt.Errorf("%s: %w", t.Name, err)
				return
			}
		}
	})
	if fuzzApp.err != nil {
		f.Fatal(fuzzApp.err)
	}
	return fuzzApp.app, fuzzApp.schema
}

// requestEvent is the event a handler gets for a request, enough for the decoders, which use it
// only to read the request and build their errors.
func requestEvent(app core.App, method, target string, body []byte) *core.RequestEvent {
	e := &core.RequestEvent{App: app}
	e.Request = httptest.NewRequest(method, target, bytes.NewReader(body))
	e.Response = httptest.NewRecorder()
	return e
}

// clientError fails t unless err is an API error a client is to blame for (4xx) that names what
// is wrong.
func clientError(t *testing.T, err error) {
	t.Helper()
	var api *router.ApiError
	if !errors.As(err, &api) {
		t.Fatalf("not an API error (would answer 500): %T %v", err, err)
	}
	if api.Status < 400 || api.Status > 499 {
		t.Fatalf("answered %d, want a 4xx: %v", api.Status, api)
	}
	if api.Message == "" {
		t.Fatalf("a %d without a message", api.Status)
	}
}

// roundTrip checks that a decoded push value comes back as itself: stored in the column by
// SQLite, read and written as the pull writes it, read again by the push decoder and stored
// again — the same stored value. A device that pulls what it pushed and pushes it again changes
// nothing. It returns what the pull sent, as the device reads it.
func roundTrip(t *testing.T, app core.App, tb *table, col *column, decoded any) (pulled any) {
	t.Helper()
	first := store(t, app, tb, col, decoded)
	wire := col.appendValue(nil, first)
	dec := json.NewDecoder(bytes.NewReader(wire))
	dec.UseNumber()
	if err := dec.Decode(&pulled); err != nil {
		t.Fatalf("%s.%s: the pull wrote %s, not JSON: %v", tb.Name, col.Name, wire, err)
	}
	c, _, err := parseRaw(tb, map[string]any{"id": roundTripID, col.Name: pulled})
	if err != nil {
		t.Fatalf("%s.%s: the pull wrote %s (stored %#v), which a push of it is refused: %v", tb.Name, col.Name, wire, first, err)
	}
	again := store(t, app, tb, col, c.values[col.Name])
	if fmt.Sprintf("%T %v", first, first) != fmt.Sprintf("%T %v", again, again) {
		t.Fatalf("%s.%s: stored %#v, pulled as %s, pushed back it is stored as %#v", tb.Name, col.Name, first, wire, again)
	}
	return pulled
}

// store writes v into col of the table's round-trip row as a record holding it would, and
// returns what SQLite then holds, as the pull reads it.
func store(t *testing.T, app core.App, tb *table, col *column, v any) any {
	t.Helper()
	value := driverValue(t, app, tb, col, v)
	if _, err := app.DB().Update(tb.Name, dbx.Params{col.Name: value}, dbx.HashExp{"id": roundTripID}).Execute(); err != nil {
		// The storage refusing what the decoder let through would answer 500.
		t.Fatalf("%s.%s: storing %#v (from %#v): %v", tb.Name, col.Name, value, v, err)
	}
	var stored any
	if err := app.DB().NewQuery("SELECT [[" + col.Name + "]] FROM {{" + tb.Name + "}} WHERE id = {:id}").
		Bind(dbx.Params{"id": roundTripID}).Row(&stored); err != nil {
		t.Fatal(err)
	}
	if b, ok := stored.([]byte); ok {
		stored = string(b)
	}
	return stored
}

// driverValue is what a record holding v in col writes to the database.
func driverValue(t *testing.T, app core.App, tb *table, col *column, v any) any {
	t.Helper()
	r := core.NewRecord(tb.collection)
	r.Set(col.Name, v)
	exported, err := r.DBExport(app)
	if err != nil {
		t.Fatalf("%s.%s: export of %#v: %v", tb.Name, col.Name, v, err)
	}
	return exported[col.Name]
}

var decimal = regexp.MustCompile(`^[0-9]+$`)

// FuzzPushDecode: a push body is either refused with a 4xx naming what is wrong, or every record
// in it has a well-formed id, appears once, and each value it carries round-trips.
func FuzzPushDecode(f *testing.F) {
	app, s := fuzzSchema(f)
	for _, seed := range []string{
		`{"changes":{},"lastPulledAt":1}`,
		`{"changes":{"enterprises":{"created":[{"id":"k3JdT8sQ2mN9xYz1","name":"大足新兴五金厂","uscc":"91500111MA60000A0T","industry":"hardware","location":"{\"lon\":105.72,\"lat\":29.7}","employees":35,"created":0,"updated":0,"_status":"created","_changed":""}],"updated":[],"deleted":[]}},"lastPulledAt":1772000000000}`,
		`{"changes":{"surveys":{"created":[{"id":"0b7f2c1e-9d3a-4f5b-8e6c-1a2b3c4d5e6f","enterprise":"k3JdT8sQ2mN9xYz1","status":"submitted","answers":"{\"rd\":{\"spend_wan\":120}}","visited_at":1772000000000,"photos":"[]"}],"updated":[{"id":"SurveyOfficerA01","notes":"老板说下周再来"}],"deleted":["SurveyOfficerB01"]}},"lastPulledAt":5}`,
		`{"changes":{"commute_logs":{"created":[{"id":"CommuteOfEngA009","depart_at":1772000000000,"arrive_at":null,"cost_yuan":96.5,"distance_km":1e3}],"updated":[],"deleted":[]}},"lastPulledAt":"7"}`,
		`{"changes":{"schedules":{"created":[],"updated":[{"id":"ScheduleOfEngA01","starts_at":-62135596800000}],"deleted":[]}},"lastPulledAt":3}`,
		`{"changes":{"local_drafts":{"created":[],"updated":[],"deleted":[]}},"lastPulledAt":1}`,
		`{"changes":{"local_drafts":{"created":[{"id":"x"}]}},"lastPulledAt":1}`,
		`{"changes":{"needs":{"deleted":[5,"NeedOpenOfA00001","NeedOpenOfA00001"]}},"lastPulledAt":1}`,
		`{"changes":{},"lastPulledAt":0}`, `{"changes":{},"lastPulledAt":-1}`, `{"changes":{},"lastPulledAt":1.5}`,
		`{"changes":{}}`, `{} {}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := requestEvent(app, http.MethodPost, "/api/sync/push", body)
		last, changes, err := decodePush(e, s)
		if err != nil {
			clientError(t, err)
			return
		}
		if last < 1 {
			t.Fatalf("accepted lastPulledAt %d", last)
		}
		seen := map[string]bool{}
		checked := 0 // round trips are database writes: a few per exec keep the execs many
		for _, c := range changes {
			if !idPattern.MatchString(c.id) {
				t.Fatalf("accepted id %q", c.id)
			}
			if seen[c.table.Name+"/"+c.id] {
				t.Fatalf("%s %s accepted twice", c.table.Name, c.id)
			}
			seen[c.table.Name+"/"+c.id] = true
			for name, v := range c.values {
				if checked++; checked <= 32 {
					roundTrip(t, app, c.table, c.table.byName[name], v)
				}
			}
		}
	})
}

// FuzzColumnConversion: any JSON value pushed in any synced column is refused with a field-level
// error or round-trips. It reaches the columns faster than FuzzPushDecode, which must first find
// a table's and a column's name.
func FuzzColumnConversion(f *testing.F) {
	app, s := fuzzSchema(f)
	values := []string{`0`, `-0`, `1.5`, `1e308`, `1e400`, `-1e-320`, `12345678901234567890`, `true`, `false`, `null`,
		`""`, `"x"`, `"重庆大足"`, `"\u0000"`, `"\ud800"`, `"{}"`, `"[]"`, `"null"`, `"[\"a\",\"a\"]"`,
		`"{\"lon\":105.72,\"lat\":29.7}"`, `"{\"n\":12345678901234567890}"`, `"1e400"`, `1772000000000`, `1772000000000.7`,
		`-62135596800000`, `253402300799000`, `253402300799999`, `[]`, `{}`}
	for ti, tb := range s.Tables {
		for ci := range tb.Columns {
			f.Add(uint8(ti), uint8(ci), []byte(values[(ti*7+ci)%len(values)]))
		}
	}
	f.Fuzz(func(t *testing.T, ti, ci uint8, value []byte) {
		tb := s.Tables[int(ti)%len(s.Tables)]
		col := &tb.Columns[int(ci)%len(tb.Columns)]
		dec := json.NewDecoder(bytes.NewReader(value))
		dec.UseNumber() // as the push reads its body
		var v any
		if dec.Decode(&v) != nil {
			return // not JSON: the push decoder's concern, FuzzPushDecode's
		}
		c, column, err := parseRaw(tb, map[string]any{"id": roundTripID, col.Name: v})
		if err != nil {
			if column != col.Name {
				t.Fatalf("refused naming %q, not the column %q: %v", column, col.Name, err)
			}
			return
		}
		if col.readOnly {
			if _, ok := c.values[col.Name]; ok {
				t.Fatalf("%s.%s is the server's, yet the push's value was taken", tb.Name, col.Name)
			}
			return
		}
		pulled := roundTrip(t, app, tb, col, c.values[col.Name])
		if v == nil {
			return // null is the column's empty value
		}
		// What was taken is what the device gets back: no digit of a number, no millisecond of a
		// date, no character of a text, no number inside a JSON answer is changed on the way.
		lost := false
		switch col.codec {
		case asNumber, asMillis:
			a, _ := v.(json.Number).Float64()
			b, ok := pulled.(json.Number)
			f, _ := b.Float64()
			lost = !ok || a != f
		case asJSONText:
			// Inside an object or a list; a number alone is a number (see parseJSONText).
			if _, isJSON := col.field.(*core.JSONField); isJSON && strings.ContainsAny(v.(string), "[{") {
				p, _ := pulled.(string)
				lost = !sameJSON(v.(string), p)
			}
		case asString:
			switch col.field.(type) {
			case *core.TextField, *core.EditorField, *core.EmailField, *core.URLField:
				// Relations and selects are normalised by PocketBase ("[\"a\"]" is "a") and checked
				// against their ids and values when saved; a text is kept as typed.
				lost = fmt.Sprint(v) != fmt.Sprint(pulled)
			}
		case asBool:
			lost = v != pulled
		}
		if lost {
			t.Fatalf("%s.%s: pushed %s, stored and pulled back as %v", tb.Name, col.Name, value, pulled)
		}
	})
}

// sameJSON says whether two JSON texts hold the same value, numbers compared digit for digit.
func sameJSON(a, b string) bool {
	parse := func(s string) any {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return s
		}
		return normalNumbers(v)
	}
	x, _ := json.Marshal(parse(a))
	y, _ := json.Marshal(parse(b))
	return string(x) == string(y)
}

// normalNumbers writes every number the one way (1.0, 1e0 and 1 are the same number).
func normalNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if r, ok := new(big.Rat).SetString(v.String()); ok {
			return r.RatString()
		}
		return v.String()
	case []any:
		for i := range v {
			v[i] = normalNumbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalNumbers(v[k])
		}
	}
	return v
}

// FuzzPullParams: the pull's parameters are refused with a 400 naming the parameter, or accepted
// with a timestamp the server could have given out (a whole number from 0) and a schema version
// it syncs.
func FuzzPullParams(f *testing.F) {
	app, s := fuzzSchema(f)
	f.Add("", "", "")
	f.Add("1772000000000", "3", "")
	f.Add("null", "", "null")
	f.Add("undefined", "2", `{"from":2,"tables":["challenges","proposals"],"columns":[]}`)
	f.Add("-1", "0", `{"from":1,"tables":[],"columns":[{"table":"surveys","column":"notes"}]}`)
	f.Add("+5", "+3", `{"from":1,"tables":["nope"]}`)
	f.Add("1e3", "4", `{"from":"1"}`)
	f.Add("9223372036854775808", "99999999999999999999", `[`)
	f.Add("0x10", " 3", `{"from":1,"columns":[{"table":"surveys","column":"sync_seq"}]}`)
	f.Fuzz(func(t *testing.T, last, version, migration string) {
		q := url.Values{}
		for k, v := range map[string]string{"last_pulled_at": last, "schema_version": version, "migration": migration} {
			if v != "" {
				q.Set(k, v)
			}
		}
		e := requestEvent(app, http.MethodGet, "/api/sync/pull?"+q.Encode(), nil)
		p, err := parsePull(e, s)
		if err != nil {
			clientError(t, err)
			var api *router.ApiError
			errors.As(err, &api)
			for field := range api.Data {
				switch field {
				case "last_pulled_at", "schema_version", "migration":
				default:
					t.Fatalf("refused naming %q", field)
				}
			}
			return
		}
		if p.lastPulledAt < 0 {
			t.Fatalf("accepted last_pulled_at %q as %d", last, p.lastPulledAt)
		}
		if last != "" && last != "null" && last != "undefined" && !decimal.MatchString(last) {
			t.Fatalf("accepted last_pulled_at %q, which the server never gives out", last)
		}
		if version != "" && !decimal.MatchString(version) {
			t.Fatalf("accepted schema_version %q", version)
		}
		for name, bucket := range p.whole {
			if s.table(name) == nil || (bucket != "created" && bucket != "updated") {
				t.Fatalf("accepted migration of %q (%q)", name, bucket)
			}
		}
		if strings.TrimSpace(migration) == "" && migration != "" && len(p.whole) > 0 {
			t.Fatalf("blank migration %q named tables", migration)
		}
	})
}
