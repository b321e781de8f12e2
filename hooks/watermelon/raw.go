package watermelon

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/tools/types"

	"feidi/hooks/lib/tz"
	"feidi/hooks/validate"
)

// idPattern is what a synced record's id may be: WatermelonDB's default 16 characters of
// 0-9a-zA-Z, or a UUID — the same rule every save of a synced collection is held to.
var idPattern = validate.DeviceID

// bookkeeping are WatermelonDB's own columns on every pushed raw; they are not data.
var bookkeeping = map[string]bool{"_status": true, "_changed": true}

// appendValue appends the JSON of one stored value (as the SQLite driver returns it) in the
// column's wire form.
func (c *column) appendValue(buf []byte, v any) []byte {
	switch c.codec {
	case asNumber:
		switch n := v.(type) {
		case int64:
			return strconv.AppendInt(buf, n, 10)
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				return append(buf, '0')
			}
			return strconv.AppendFloat(buf, n, 'f', -1, 64)
		case nil:
			return append(buf, '0')
		default:
			f, _ := strconv.ParseFloat(fmt.Sprint(n), 64)
			return strconv.AppendFloat(buf, f, 'f', -1, 64)
		}
	case asBool:
		switch b := v.(type) {
		case int64:
			return strconv.AppendBool(buf, b != 0)
		case bool:
			return strconv.AppendBool(buf, b)
		default:
			return append(buf, "false"...)
		}
	case asMillis:
		s := text(v)
		if s == "" {
			return append(buf, "null"...)
		}
		if t, err := tz.ParseStored(s); err == nil { // PocketBase's form, read without time.Parse
			return strconv.AppendInt(buf, t.UnixMilli(), 10)
		}
		dt, err := types.ParseDateTime(s)
		if err != nil || dt.IsZero() {
			return append(buf, "null"...)
		}
		return strconv.AppendInt(buf, dt.Time().UnixMilli(), 10)
	case asJSONText:
		if v == nil {
			if c.IsOptional {
				return append(buf, "null"...)
			}
			return append(buf, `""`...)
		}
		return appendString(buf, text(v))
	default:
		return appendString(buf, text(v))
	}
}

func text(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	case nil:
		return ""
	default:
		return fmt.Sprint(s)
	}
}

// appendString appends s as encoding/json writes it. Most values need no escaping and are
// copied as they are; the rest go through json.Marshal, which a pull would otherwise call for
// every string it sends.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// json.Marshal escapes these, the HTML ones included.
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendMarshaled(buf, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return appendMarshaled(buf, s)
		}
		i += size
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

func appendMarshaled(buf []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(buf, b...)
}

// decode turns one pushed value into what the record field takes, or says why it cannot.
func (c *column) decode(v any) (any, error) {
	switch c.codec {
	case asNumber:
		switch n := v.(type) {
		case nil:
			return 0, nil
		case float64:
			return n, nil
		}
		return nil, fmt.Errorf("must be a number")
	case asBool:
		switch b := v.(type) {
		case nil:
			return false, nil
		case bool:
			return b, nil
		}
		return nil, fmt.Errorf("must be a boolean")
	case asMillis:
		switch n := v.(type) {
		case nil:
			return "", nil
		case float64:
			// The first instant of year 1 is Go's zero time, which PocketBase stores as no date:
			// it would come back null.
			if n <= -62135596800000 || n > 253402300799000 {
				return nil, fmt.Errorf("must be milliseconds since 1970 within the years 1 to 9999")
			}
			if n != math.Trunc(n) {
				return nil, fmt.Errorf("must be whole milliseconds since 1970")
			}
			return time.UnixMilli(int64(n)).UTC(), nil
		}
		return nil, fmt.Errorf("must be milliseconds since the epoch (a number) or null")
	case asJSONText:
		switch s := v.(type) {
		case nil:
			return nil, nil
		case string:
			if s == "" {
				return nil, nil
			}
			parsed, err := parseJSONText(s)
			if err != nil {
				return nil, fmt.Errorf("must be JSON text: %v", err)
			}
			return parsed, nil
		}
		return nil, fmt.Errorf("must be JSON text (a string)")
	default:
		switch s := v.(type) {
		case nil:
			return "", nil
		case string:
			return s, nil
		}
		return nil, fmt.Errorf("must be a string")
	}
}

// parseJSONText reads one JSON value, keeping the numbers inside it as written: an answer of
// {"n": 12345678901234567890} read as float64 would be stored as 12345678901234567000.
func parseJSONText(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more after the JSON value")
	}
	// A number alone is stored by SQLite as a number (a JSON column has NUMERIC affinity):
	// take it as the float64 it becomes, and refuse one beyond float64, stored as infinity.
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		if err != nil {
			return nil, fmt.Errorf("the number %s is out of range", n)
		}
		return f, nil
	}
	return v, nil
}
