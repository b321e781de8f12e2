package clip_test

import (
	"testing"

	"feidi/hooks/lib/clip"
)

func TestText(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"short", 5, "short"},
		{"longer", 5, "long…"},
		{"热处理工艺优化", 7, "热处理工艺优化"},
		{"热处理工艺优化", 4, "热处理…"}, // characters, not bytes: no rune is split
	}
	for _, c := range cases {
		if got := clip.Text(c.s, c.n); got != c.want {
			t.Errorf("Text(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
