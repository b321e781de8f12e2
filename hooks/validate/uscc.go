package validate

import (
	"strings"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"golang.org/x/text/width"
)

// usccAlphabet lists the characters of a Unified Social Credit Code (GB 32100-2015) in the order
// of their values 0..30: digits and capitals without I, O, S, V and Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC trims and upper-cases a credit code, reads full-width characters (as a Chinese
// input method types them) as their ASCII forms, and checks its length, alphabet and check
// character.
func NormalizeUSCC(raw string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(width.Fold.String(raw)))
	if utf8.RuneCountInString(code) != 18 {
		return "", validation.NewError("validation_uscc_length", "A unified social credit code has 18 characters.")
	}
	for _, r := range code {
		if r >= utf8.RuneSelf || strings.IndexByte(usccAlphabet, byte(r)) < 0 {
			return "", validation.NewError("validation_uscc_character",
				"Character "+string(r)+" cannot appear in a unified social credit code (I, O, S, V and Z are never used).")
		}
	}
	if code[17] != USCCCheckChar(code[:17]) {
		return "", validation.NewError("validation_uscc_check",
			"The check character does not match: please re-read the code from the business licence.")
	}
	return code, nil
}

// USCCCheckChar computes the 18th character for the first 17 of a credit code, which must be
// from the code's alphabet.
func USCCCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccAlphabet, first17[i]) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}
