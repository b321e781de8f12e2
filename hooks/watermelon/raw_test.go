package watermelon

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"
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

func TestStoredMillisAgreesWithTimeParse(t *testing.T) {
	for _, s := range []string{"2026-03-02 10:00:00.000Z", "1970-01-01 00:00:00.000Z", "2026-12-31 23:59:59.999Z",
		"2024-02-29 12:34:56.789Z", "0001-01-01 00:00:00.000Z"} {
		want, err := time.Parse(types.DefaultDateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := storedMillis(s); !ok || got != want.UnixMilli() {
			t.Errorf("%s: %d %v, want %d", s, got, ok, want.UnixMilli())
		}
	}
	for _, s := range []string{"", "2026-03-02", "2026-13-02 10:00:00.000Z", "2026-03-02T10:00:00.000Z", "2026-03-02 10:00:00.00xZ"} {
		if _, ok := storedMillis(s); ok {
			t.Errorf("%q was read as a stored date", s)
		}
	}
}
