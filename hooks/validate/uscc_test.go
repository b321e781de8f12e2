package validate

import (
	"strings"
	"testing"
)

func TestNormalizeUSCC(t *testing.T) {
	const valid = "91350100M000100Y43" // the example of GB 32100-2015 given in DOMAIN.md
	if got, err := NormalizeUSCC(" 91350100m000100y43 "); err != nil || got != valid {
		t.Fatalf("NormalizeUSCC(valid) = %q, %v", got, err)
	}
	// Changing any one character breaks the code.
	for i := 0; i < len(valid); i++ {
		for _, c := range []byte(usccAlphabet) {
			if c == valid[i] {
				continue
			}
			changed := valid[:i] + string(c) + valid[i+1:]
			if _, err := NormalizeUSCC(changed); err == nil {
				t.Errorf("%s (position %d changed) was accepted", changed, i+1)
			}
		}
	}
	for _, bad := range []string{"", "91350100M000100Y4", "91350100M000100Y433", "91350100I000100Y43", "91350100M0001OOY43"} {
		if _, err := NormalizeUSCC(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for raw, want := range map[string]string{
		"138 0013 8000":     "+8613800138000",
		"+86 138-0013-8000": "+8613800138000",
		"023-4372 1234":     "+862343721234",
		"(028) 8888 8888":   "+862888888888",
	} {
		if got, err := NormalizePhone(raw); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, bad := range []string{"12345", "138001380001", "hello", "+1 202 555 0100"} {
		if got, err := NormalizePhone(bad); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", bad, got)
		}
	}
}

// Found by FuzzNormalizeUSCC (testdata/fuzz/FuzzNormalizeUSCC): a code typed with a Chinese input
// method in full-width characters was refused as not having 18 characters, and a character
// outside ASCII was named by its first byte alone, which is not text.
func TestNormalizeUSCCReadsFullWidthAndNamesTheCharacter(t *testing.T) {
	if got, err := NormalizeUSCC("\u3000９１３５０１００ｍ０００１００ｙ４３"); err != nil || got != "91350100M000100Y43" {
		t.Errorf("full-width code = %q, %v", got, err)
	}
	_, err := NormalizeUSCC("91350100M000100Y4é")
	if err == nil || !strings.Contains(err.Error(), "Character É cannot") {
		t.Errorf("a code with é: %v", err)
	}
}
