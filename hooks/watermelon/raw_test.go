package watermelon

import (
	"encoding/json"
	"testing"
)

// appendString must write exactly what json.Marshal writes, escapes and all.
func TestAppendStringIsJSONMarshal(t *testing.T) {
	for _, s := range appendStringCases {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range appendStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

var appendStringCases = []string{"", "Enterprise000001", "重庆大足五金制品有限公司", "G8591 成都东 → 大足南",
	`say "hi"`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<b>&amp;</b>", "line\u2028para\u2029",
	"bad \xff utf8", "cut \xe9\x87", "\uFFFD replacement", "emoji 🚄", `{"rd":{"staff":8}}`}

// Found by FuzzColumnConversion (testdata/fuzz/FuzzColumnConversion): a pushed value is taken as
// it was typed or refused, never silently changed on its way to storage.
func TestPushedValuesAreTakenAsTypedOrRefused(t *testing.T) {
	answers := &column{Name: "answers", codec: asJSONText, IsOptional: true}
	v, err := answers.decode(`{"n":12345678901234567890,"spend_wan":120.50}`)
	if err != nil {
		t.Fatal(err)
	}
	// Read as float64 the number was stored as 12345678901234567000.
	if got, _ := json.Marshal(v); string(got) != `{"n":12345678901234567890,"spend_wan":120.50}` {
		t.Errorf("answers decoded as %s", got)
	}
	// A number alone is stored by SQLite as a number: one beyond float64 would be infinity,
	// pulled as "+Inf", which no push could send back.
	if got, err := answers.decode(`1e400`); err == nil {
		t.Errorf("1e400 taken as %v", got)
	}
	if got, err := answers.decode(`0.0`); err != nil || got != float64(0) {
		t.Errorf("0.0 taken as %#v, %v", got, err)
	}
	if _, err := answers.decode(`{"a":1} {"b":2}`); err == nil {
		t.Error("two JSON values taken as one")
	}
	date := &column{Name: "starts_at", codec: asMillis}
	for _, refused := range []float64{
		1772000000000.7, // the milliseconds were cut off
		-62135596800000, // the first instant of year 1 is Go's zero time, stored as no date
		253402300799001,
	} {
		if got, err := date.decode(refused); err == nil {
			t.Errorf("%v taken as %v", refused, got)
		}
	}
	if _, err := date.decode(float64(-62135596799999)); err != nil {
		t.Errorf("the year 1 refused: %v", err)
	}
}
