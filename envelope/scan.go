package envelope

import (
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// This file holds the scanner the decoders share: whitespace, object keys,
// strings (with and without escapes), numbers, literals, and a validating
// skip of any JSON value. Every function indexes d.data only after a bounds
// check, so no input can make it read past the body or panic.
//
// Error handling: a syntax error is recorded in d.err and stops the decode;
// every loop checks it. A field error (valid JSON, wrong content) is
// recorded in d.ferr and decoding goes on, so that a syntax error later in
// the body still wins, as with encoding/json.

// Decoder decodes the API's response bodies. The zero value is ready to use.
// A Decoder keeps a scratch buffer for strings that had to be unescaped, so
// that decoding allocates nothing once the buffer has grown to fit; keep one
// Decoder per goroutine (it is not safe for concurrent use) and reuse it.
//
// Lifetimes: strings in the results borrow either the body or the Decoder's
// scratch buffer. They stay valid until the body is modified or the Decoder
// is used again, whichever comes first. Copy them with strings.Clone to keep
// them longer.
type Decoder struct {
	data    []byte
	pos     int
	depth   int
	scratch []byte
	err     error       // first syntax error: decoding stops
	ferr    *FieldError // first field error: decoding goes on to validate syntax
	index   int         // index in "messages" of the item being decoded, -1 outside
	prefix  string      // "status." or "user." inside those objects, for FieldError.Field
	hwm     int         // items of "messages" initialised during this decode
}

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

func (d *Decoder) begin(body []byte) {
	d.data = body
	d.pos = 0
	d.depth = 0
	d.scratch = d.scratch[:0]
	d.err = nil
	d.ferr = nil
	d.index = -1
	d.prefix = ""
	d.hwm = 0
}

// end checks for trailing data and returns the decode's result.
func (d *Decoder) end() error {
	if d.err == nil {
		if d.ws(); d.pos < len(d.data) {
			d.syntax(d.pos, "invalid character "+quoteByte(d.data[d.pos])+" after top-level value")
		}
	}
	d.data = nil
	if d.err != nil {
		return d.err
	}
	if d.ferr != nil {
		return d.ferr
	}
	return nil
}

// top positions d at the top-level value and reports whether it is an
// object. Anything else is a field error (or a syntax error) and is skipped.
func (d *Decoder) top() bool {
	c := d.ws()
	if c == '{' {
		return true
	}
	if d.pos >= len(d.data) {
		d.syntax(d.pos, "empty body")
		return false
	}
	d.wrongType("", "object")
	return false
}

func (d *Decoder) syntax(off int, msg string) {
	if d.err == nil {
		d.err = &SyntaxError{Offset: int64(off), Msg: msg}
	}
}

func (d *Decoder) unexpected(off int, what string) {
	if off >= len(d.data) {
		d.syntax(off, "unexpected end of input, want "+what)
		return
	}
	d.syntax(off, "invalid character "+quoteByte(d.data[off])+", want "+what)
}

func quoteByte(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	return strconv.QuoteRuneToASCII(rune(c))
}

// fieldErr records a field error at off for field name (relative to the
// object being decoded).
func (d *Decoder) fieldErr(name string, off int, msg string) {
	if d.ferr != nil {
		return
	}
	f := d.prefix + name
	if d.index >= 0 {
		item := "messages[" + strconv.Itoa(d.index) + "]"
		if f == "" {
			f = item
		} else {
			f = item + "." + f
		}
	}
	d.ferr = &FieldError{Field: f, Offset: int64(off), Msg: msg}
}

// wrongType records a field error for the value at d.pos, which is not of
// type want, and skips it.
func (d *Decoder) wrongType(name, want string) {
	off := d.pos
	got := "invalid value"
	if off < len(d.data) {
		switch d.data[off] {
		case '"':
			got = "string"
		case '{':
			got = "object"
		case '[':
			got = "array"
		case 't', 'f':
			got = "bool"
		case 'n':
			got = "null"
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			got = "number"
		}
	}
	start := d.err
	d.skip()
	if d.err == start {
		// Only a valid value is a type error; an invalid one is the
		// syntax error skip recorded.
		d.fieldErr(name, off, "want "+want+", got "+got)
	}
}

// ws skips whitespace and returns the byte at d.pos, or 0 at the end.
func (d *Decoder) ws() byte {
	data, i := d.data, d.pos
	for ; i < len(data); i++ {
		c := data[i]
		if c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
			d.pos = i
			return c
		}
	}
	d.pos = i
	return 0
}

// enter consumes the '{' or '[' at d.pos, counting depth.
func (d *Decoder) enter() bool {
	d.depth++
	if d.depth > MaxDepth {
		if d.err == nil {
			d.err = &SyntaxError{Offset: int64(d.pos), Msg: "nesting deeper than " + strconv.Itoa(MaxDepth), err: ErrTooDeep}
		}
		return false
	}
	d.pos++
	return true
}

// key advances to the next member of the object being decoded and returns
// its key, leaving d.pos at the first byte of the member's value. It returns
// false at the closing '}' (consumed) or on a syntax error (recorded).
// first tells whether no member has been read yet.
func (d *Decoder) key(first bool) (string, bool) {
	// Fast path: a plain key after optional whitespace, a ',' unless first,
	// and ':' right after the key; anything else goes to keySlow.
	data, i := d.data, d.pos
	for i < len(data) && data[i] <= ' ' && isSpace(data[i]) {
		i++
	}
	if !first && i < len(data) && data[i] == ',' {
		i++
		for i < len(data) && data[i] <= ' ' && isSpace(data[i]) {
			i++
		}
	} else if !first {
		d.pos = i
		return d.keySlow(keyNext)
	}
	if i < len(data) && data[i] == '"' {
		j := i + 1
		for {
			if j+8 > len(data) {
				j = scanPlainTail(data, j)
				break
			}
			if m := plainMask(load64(data, j)); m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j+2 < len(data) && data[j] == '"' && data[j+1] == ':' {
			k := ""
			if j > i+1 {
				k = unsafe.String(&data[i+1], j-i-1)
			}
			j += 2
			for j < len(data) && data[j] <= ' ' && isSpace(data[j]) {
				j++
			}
			if j < len(data) {
				d.pos = j
				return k, true
			}
		}
	}
	d.pos = i
	if !first {
		// The ',' is consumed; keySlow must not look for it again.
		return d.keySlow(keyAfterComma)
	}
	return d.keySlow(keyFirst)
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// Modes of keySlow: what may come at d.pos.
const (
	keyFirst      = iota // '}' or the first key
	keyNext              // '}' or ',' and a key
	keyAfterComma        // a key (the ',' is consumed)
)

// keySlow is key for every case the fast path does not handle.
func (d *Decoder) keySlow(mode int) (string, bool) {
	c := d.ws()
	if c == '}' && mode != keyAfterComma {
		d.pos++
		d.depth--
		return "", false
	}
	if mode == keyNext {
		if c != ',' {
			d.unexpected(d.pos, "',' or '}' after object member")
			return "", false
		}
		d.pos++
		c = d.ws()
	}
	if c != '"' {
		d.unexpected(d.pos, "string for object key")
		return "", false
	}
	k, ok := d.str()
	if !ok {
		return "", false
	}
	if d.ws() != ':' {
		d.unexpected(d.pos, "':' after object key")
		return "", false
	}
	d.pos++
	if d.ws(); d.pos >= len(d.data) {
		d.unexpected(d.pos, "value")
		return "", false
	}
	return k, true
}

// next advances to the next element of the array being decoded, leaving
// d.pos at its first byte. It returns false at the closing ']' (consumed) or
// on a syntax error (recorded).
func (d *Decoder) next(first bool) bool {
	c := d.ws()
	if c == ']' {
		d.pos++
		d.depth--
		return false
	}
	if !first {
		if c != ',' {
			d.unexpected(d.pos, "',' or ']' after array element")
			return false
		}
		d.pos++
		c = d.ws()
	}
	if d.pos >= len(d.data) {
		d.unexpected(d.pos, "value")
		return false
	}
	return true
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

// number validates the number at d.pos and leaves d.pos after it. isInt
// reports whether it has neither a fraction nor an exponent.
func (d *Decoder) number() (start int, isInt, ok bool) {
	data := d.data
	start = d.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		d.unexpected(i, "digit")
		return start, false, false
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		i++
		for i < len(data) && data[i]-'0' < 10 {
			i++
		}
	default:
		d.unexpected(i, "digit")
		return start, false, false
	}
	isInt = true
	if i < len(data) && data[i] == '.' {
		isInt = false
		i++
		if i >= len(data) || data[i]-'0' >= 10 {
			d.unexpected(i, "digit after decimal point")
			return start, false, false
		}
		for i < len(data) && data[i]-'0' < 10 {
			i++
		}
	}
	if i < len(data) && data[i]|0x20 == 'e' {
		isInt = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i]-'0' >= 10 {
			d.unexpected(i, "digit in exponent")
			return start, false, false
		}
		for i < len(data) && data[i]-'0' < 10 {
			i++
		}
	}
	d.pos = i
	return start, isInt, true
}

// literal consumes the literal lit ("true", "false" or "null") at d.pos.
func (d *Decoder) literal(lit string) bool {
	data, i := d.data, d.pos
	for k := 0; k < len(lit); k++ {
		if i+k >= len(data) || data[i+k] != lit[k] {
			d.unexpected(i+k, "literal "+lit)
			return false
		}
	}
	d.pos = i + len(lit)
	return true
}

// skip validates and skips the value at d.pos (after whitespace).
func (d *Decoder) skip() bool {
	switch c := d.ws(); c {
	case '"':
		return d.skipStr()
	case '{':
		if !d.enter() {
			return false
		}
		for first := true; ; first = false {
			if _, more := d.key(first); !more {
				return d.err == nil
			}
			if !d.skip() {
				return false
			}
		}
	case '[':
		if !d.enter() {
			return false
		}
		for first := true; ; first = false {
			if !d.next(first) {
				return d.err == nil
			}
			if !d.skip() {
				return false
			}
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		if c == '-' || c-'0' < 10 {
			_, _, ok := d.number()
			return ok
		}
		d.unexpected(d.pos, "value")
		return false
	}
}
