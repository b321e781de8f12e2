// Package clip fits text that people read — an error, a refusal — into a text field of bounded
// length, so that saving it never fails for its size.
package clip

// Text cuts s to at most n characters (runes, not bytes), the last of them "…" to mark the cut.
func Text(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
