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
