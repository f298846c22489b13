package envelope

import (
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// This file holds the string scanner: finding the end of a plain string
// eight bytes at a time, unescaping the rest exactly as encoding/json does,
// and validating strings that are skipped.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainMask returns a mask with the high bit set in each byte of x (read
// little-endian) that may end a run of plain string bytes: '"', '\\', a
// control byte or a non-ASCII byte. The lowest set byte is exact; bytes
// above it may be false positives, which is harmless since callers only use
// the lowest.
func plainMask(x uint64) uint64 {
	q := x ^ (lsb * '"')
	b := x ^ (lsb * '\\')
	return ((q-lsb)&^q | (b-lsb)&^b | (x - lsb*0x20) | x) & msb
}

// notPlain marks the bytes plainMask flags.
var notPlain = func() (t [256]bool) {
	for i := range t {
		t[i] = i < 0x20 || i == '"' || i == '\\' || i >= 0x80
	}
	return
}()

// scanPlain returns the index of the first byte at or after i that is not a
// plain string byte, or len(data). It looks at eight bytes at a time. The
// hottest callers (key, string, quoted) repeat its loop inline to save a
// call per string, which is measurable on bodies this small.
func scanPlain(data []byte, i int) int {
	for i+8 <= len(data) {
		if m := plainMask(load64(data, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	return scanPlainTail(data, i)
}

// scanPlainTail is scanPlain for the last bytes.
func scanPlainTail(data []byte, i int) int {
	for i < len(data) && !notPlain[data[i]] {
		i++
	}
	return i
}

// str decodes the string whose opening quote is at d.pos and leaves d.pos
// after its closing quote. The result borrows d.data when the string has no
// escapes and is valid UTF-8, and d.scratch otherwise.
func (d *Decoder) str() (string, bool) {
	data := d.data
	start := d.pos + 1
	i := start
	for {
		i = scanPlain(data, i)
		if i >= len(data) {
			d.syntax(len(data), "unexpected end of input in string")
			return "", false
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			if i == start {
				return "", true
			}
			return unsafe.String(&data[start], i-start), true
		case c == '\\':
			return d.strSlow(start, i)
		case c < 0x20:
			d.syntax(i, "invalid control character in string")
			return "", false
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return d.strSlow(start, i)
			}
			i += size
		}
	}
}

// strSlow finishes decoding a string that needs unescaping or UTF-8 repair
// into d.scratch, data[start:i] being its plain prefix. It unescapes exactly
// as encoding/json does: a lone or mismatched surrogate escape becomes
// U+FFFD, and so does each byte of an invalid UTF-8 sequence.
func (d *Decoder) strSlow(start, i int) (string, bool) {
	data := d.data
	s0 := len(d.scratch)
	buf := append(d.scratch, data[start:i]...)
	for {
		j := scanPlain(data, i)
		buf = append(buf, data[i:j]...)
		i = j
		if i >= len(data) {
			d.scratch = buf
			d.syntax(len(data), "unexpected end of input in string")
			return "", false
		}
		c := data[i]
		switch {
		case c == '"':
			d.scratch = buf
			d.pos = i + 1
			if len(buf) == s0 {
				return "", true
			}
			return unsafe.String(&buf[s0], len(buf)-s0), true
		case c == '\\':
			if i+1 >= len(data) {
				d.scratch = buf
				d.syntax(len(data), "unexpected end of input in string escape")
				return "", false
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, bad := hex4(data, i+2)
				if bad >= 0 {
					d.scratch = buf
					d.unexpected(bad, "hexadecimal digit in \\u escape")
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
						if v, bad := hex4(data, i+2); bad < 0 {
							r2 = v
						}
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				d.scratch = buf
				d.syntax(i+1, "invalid escape character "+quoteByte(e)+" in string")
				return "", false
			}
		case c < 0x20:
			d.scratch = buf
			d.syntax(i, "invalid control character in string")
			return "", false
		default:
			r, size := utf8.DecodeRune(data[i:])
			buf = utf8.AppendRune(buf, r)
			i += size
		}
	}
}

// hexVal maps a byte to its hexadecimal value, or 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := byte(0); i < 10; i++ {
		t['0'+i] = i
	}
	for i := byte(0); i < 6; i++ {
		t['a'+i] = 10 + i
		t['A'+i] = 10 + i
	}
	return
}()

// hex4 decodes the four hex digits at data[i:]. bad is the offset of the
// first byte that is not a hex digit (len(data) if the input ends), or -1.
func hex4(data []byte, i int) (r rune, bad int) {
	for k := i; k < i+4; k++ {
		if k >= len(data) {
			return 0, len(data)
		}
		v := hexVal[data[k]]
		if v == 0xff {
			return 0, k
		}
		r = r<<4 | rune(v)
	}
	return r, -1
}

// skipStr validates the string whose opening quote is at d.pos without
// decoding it. Invalid UTF-8 is accepted, as encoding/json accepts it.
func (d *Decoder) skipStr() bool {
	data := d.data
	i := d.pos + 1
	for {
		i = scanPlain(data, i)
		if i >= len(data) {
			d.syntax(len(data), "unexpected end of input in string")
			return false
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return true
		case c == '\\':
			if i+1 >= len(data) {
				d.syntax(len(data), "unexpected end of input in string escape")
				return false
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, bad := hex4(data, i+2); bad >= 0 {
					d.unexpected(bad, "hexadecimal digit in \\u escape")
					return false
				}
				i += 6
			default:
				d.syntax(i+1, "invalid escape character "+quoteByte(e)+" in string")
				return false
			}
		case c < 0x20:
			d.syntax(i, "invalid control character in string")
			return false
		default:
			i++
		}
	}
}
