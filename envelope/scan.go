package envelope

import (
	"math/bits"
	"strconv"
	"unsafe"
)

// This file holds the scanner the decoders share: the Decoder's state,
// errors, whitespace, object keys and array elements (strings.go has the
// string scanner, skip.go numbers, literals and the validating skip). Every
// read of d.data is bounds-checked by Go, or, for the unchecked eight-byte
// loads (load64), preceded by an explicit length test, so no input can make
// a decoder read past the body or panic.
//
// Error handling: a syntax error is recorded in d.err and stops the decode;
// every loop checks it. A field error (valid JSON, wrong content) is
// recorded in d.ferr and decoding goes on, so that a syntax error later in
// the body still wins, as with encoding/json.

// Decoder decodes the API's response bodies. The zero value is ready to use.
// A Decoder keeps a scratch buffer for strings that had to be unescaped, so
// that decoding allocates nothing once the buffer has grown to fit; keep one
// Decoder per goroutine (it is not safe for concurrent use) and reuse it.
// The buffer keeps the largest size one body needed (proportional to the
// body: escapes shrink, invalid UTF-8 bytes triple); drop the Decoder to
// release it.
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
		d.ws()
	}
	if d.pos >= len(d.data) {
		d.unexpected(d.pos, "value")
		return false
	}
	return true
}
