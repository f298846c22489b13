package envelope

import (
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// hexDigits are the lower-case hexadecimal digits.
const hexDigits = "0123456789abcdef"

// AppendString appends s to dst as a JSON string, quotes included, and
// returns the extended buffer. It escapes '"', '\\' and every control
// character (as \b, \f, \n, \r, \t or \u00XX), writes each byte of invalid
// UTF-8 as \ufffd (as encoding/json does), and escapes U+2028 and U+2029,
// which JavaScript treats as line ends. Everything else, '<', '>' and '&'
// included, is copied as is. It allocates only if dst lacks capacity.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	start := 0
	i := 0
	for {
		i = scanPlain(b, i)
		if i >= len(b) {
			break
		}
		c := b[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				i++
				start = i
				continue
			}
			if r == '\u2028' || r == '\u2029' {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// object writes the members of one JSON object, adding commas as needed.
type object struct {
	n int // members written
}

func (o *object) key(dst []byte, k string) []byte {
	if o.n > 0 {
		dst = append(dst, ',')
	}
	o.n++
	dst = append(dst, '"')
	dst = append(dst, k...) // keys are constants that need no escaping
	return append(dst, '"', ':')
}

// str writes k with the string v.
func (o *object) str(dst []byte, k, v string) []byte {
	return AppendString(o.key(dst, k), v)
}

// optStr writes k with v unless v is "".
func (o *object) optStr(dst []byte, k, v string) []byte {
	if v == "" {
		return dst
	}
	return o.str(dst, k, v)
}

// optTime writes k with t in RFC 3339 (with its offset, fractional seconds
// only when non-zero) unless t is zero. RFC 3339 offsets are whole minutes:
// a time in a zone whose offset has seconds (historical local mean times)
// is written in UTC instead, so that the instant stays exact. Years outside
// 0000-9999 cannot be written in RFC 3339 and are the caller's to avoid.
func (o *object) optTime(dst []byte, k string, t time.Time) []byte {
	if t.IsZero() {
		return dst
	}
	if _, off := t.Zone(); off%60 != 0 {
		t = t.UTC()
	}
	dst = append(o.key(dst, k), '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// int writes k with v.
func (o *object) int(dst []byte, k string, v int) []byte {
	return strconv.AppendInt(o.key(dst, k), int64(v), 10)
}

// optBool writes k with true when v is set.
func (o *object) optBool(dst []byte, k string, v bool) []byte {
	if !v {
		return dst
	}
	return append(o.key(dst, k), "true"...)
}
