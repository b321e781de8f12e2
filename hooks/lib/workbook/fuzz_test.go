package workbook

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParsePeriod: the period of an export (the API's period_from and period_to, the export
// command's --from and --to) is refused with a sentence, or is 1 to MaxMonths whole months
// written exactly as asked, whose Shanghai bounds are in order.
func FuzzParsePeriod(f *testing.F) {
	for _, p := range [][2]string{{"2026-01", "2026-06"}, {"2026-06", "2026-01"}, {"2024-01", "2026-01"}, {"2024-01", "2025-12"},
		{"2026-1", "2026-13"}, {"0000-01", "0000-01"}, {"9999-12", "9999-12"}, {"2026-00", "2026-02"}, {"", ""},
		{"2026-01-01", "2026-02"}, {"+2026-01", "2026-02"}, {"２０２６-０１", "2026-02"}, {"2026-02\x00", "2026-03"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := ParsePeriod(from, to)
		if err != nil {
			if msg := err.Error(); msg == "" || !utf8.ValidString(msg) && utf8.ValidString(from+to) {
				t.Fatalf("ParsePeriod(%q, %q): message %q", from, to, msg)
			}
			return
		}
		if n := p.Months(); n < 1 || n > MaxMonths {
			t.Fatalf("ParsePeriod(%q, %q): %d months", from, to, n)
		}
		if p.From.Format(monthLayout) != from || p.To.Format(monthLayout) != to {
			t.Fatalf("ParsePeriod(%q, %q) read as %s", from, to, p)
		}
		for _, m := range []time.Time{p.From, p.To} {
			if m.Day() != 1 || m.Hour() != 0 || m.Location() != time.UTC {
				t.Fatalf("ParsePeriod(%q, %q): a month starting %v", from, to, m)
			}
		}
		if !p.Start().Before(p.End()) || p.monthIndex(p.From) != 0 || p.monthIndex(p.To) != p.Months()-1 {
			t.Fatalf("ParsePeriod(%q, %q): %v to %v", from, to, p.Start(), p.End())
		}
	})
}
