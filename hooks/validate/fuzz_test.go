package validate

// Fuzz targets of the field normalisers: the credit code and the phone number. Short runs in CI
// (.ci/run); the seed corpus is in testdata/fuzz/FuzzXxx and in the f.Add calls. Survey answers
// are fuzzed through the REST API in fuzz_answers_test.go.

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
)

// fieldError fails t unless err is a field-level validation error with one of the codes, with a
// message that can be shown (valid UTF-8: a JSON answer would garble the rest).
func fieldError(t *testing.T, err error, codes ...string) {
	t.Helper()
	var ve validation.Error
	if !errors.As(err, &ve) {
		t.Fatalf("not a validation error: %T %v", err, err)
	}
	ok := false
	for _, c := range codes {
		ok = ok || ve.Code() == c
	}
	if !ok {
		t.Fatalf("code %q, want one of %v", ve.Code(), codes)
	}
	if !utf8.ValidString(ve.Error()) || ve.Error() == "" {
		t.Fatalf("message %q is not text to show", ve.Error())
	}
}

// FuzzNormalizeUSCC: a credit code is refused with a field error, or comes back as 18 characters
// of the code's alphabet that normalise to themselves, also when typed in lower case, padded,
// or in full-width characters; any one character changed is refused. Any 17 characters of the
// alphabet with their check character make a valid code.
func FuzzNormalizeUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", " 91350100m000100y43 ", "91500111MA5U7XKX1L", "91500111MA5U7XKX1M",
		"91350100I000100Y43", "91350100M0001OOY43", "", "91350100M000100Y4", "91350100M000100Y433",
		"９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y4\u0131", "9135010ſM000100Y43", "\xff\xfe91350100M000100Y",
		"000000000000000000", "YYYYYYYYYYYYYYYYYY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		// Seventeen characters of the alphabet picked by the input, with their check character.
		var b strings.Builder
		for i := 0; i < 17; i++ {
			c := byte(i)
			if i < len(raw) {
				c = raw[i]
			}
			b.WriteByte(usccAlphabet[int(c)%len(usccAlphabet)])
		}
		made := b.String() + string(USCCCheckChar(b.String()))
		if got, err := NormalizeUSCC(made); err != nil || got != made {
			t.Fatalf("NormalizeUSCC(%q) = %q, %v: a code with its check character refused", made, got, err)
		}

		code, err := NormalizeUSCC(raw)
		if err != nil {
			fieldError(t, err, "validation_uscc_length", "validation_uscc_character", "validation_uscc_check")
			return
		}
		if len(code) != 18 {
			t.Fatalf("%q accepted as %q", raw, code)
		}
		for i := 0; i < 18; i++ {
			if strings.IndexByte(usccAlphabet, code[i]) < 0 {
				t.Fatalf("%q accepted as %q, with %q", raw, code, code[i])
			}
		}
		for _, typed := range []string{code, strings.ToLower(code), "  " + code + "\t", fullWidth(code)} {
			if again, err := NormalizeUSCC(typed); err != nil || again != code {
				t.Fatalf("%q (%q typed as %q) = %q, %v", raw, code, typed, again, err)
			}
		}
		for i := 0; i < 18; i++ {
			for j := 0; j < len(usccAlphabet); j++ {
				if usccAlphabet[j] == code[i] {
					continue
				}
				changed := code[:i] + string(usccAlphabet[j]) + code[i+1:]
				if _, err := NormalizeUSCC(changed); err == nil {
					t.Fatalf("%q: position %d changed, %q, accepted", code, i+1, changed)
				}
			}
		}
	})
}

// fullWidth writes ASCII letters and digits as the full-width characters a Chinese input method
// types.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r - '!' + '！'
		}
		return r
	}, s)
}

// FuzzNormalizePhone: a phone number is refused with a field error, or comes back in E.164 as a
// Chinese number that fits the phone fields and normalises to itself.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"138 0013 8000", "+86 138-0013-8000", "023-4372 1234", "(028) 8888 8888", "12345",
		"138001380001", "hello", "+1 202 555 0100", "", "+86", "0086 138 0013 8000", "１３８００１３８０００",
		"138 0013 8000 ext. 123", "+86 10 1234 5678;ext=99", "tel:+86-10-1234-5678", "+8613800138000\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := NormalizePhone(raw)
		if err != nil {
			fieldError(t, err, "validation_invalid_phone")
			return
		}
		if !strings.HasPrefix(got, "+86") || len(got) > 20 {
			t.Fatalf("%q accepted as %q", raw, got)
		}
		for _, c := range got[1:] {
			if c < '0' || c > '9' {
				t.Fatalf("%q accepted as %q", raw, got)
			}
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Fatalf("%q accepted as %q, which normalises to %q, %v", raw, got, again, err)
		}
	})
}
