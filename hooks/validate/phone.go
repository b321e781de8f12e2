package validate

import (
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone parses a mainland Chinese mobile or landline number, written the way people write them
// ("138 0013 8000", "023-4372 1234", "+86 28 8888 8888"), and returns it in E.164 form.
func NormalizePhone(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	num, err := phonenumbers.Parse(raw, "CN")
	if err != nil || !phonenumbers.IsValidNumberForRegion(num, "CN") {
		return "", validation.NewError("validation_invalid_phone",
			"Not a valid phone number: write a Chinese mobile (138 0013 8000) or a landline with its area code (023 4372 1234).")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
