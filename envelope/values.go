package envelope

import (
	"math/bits"
	"strconv"
	"time"
	"unsafe"

	"github.com/google/uuid"
)

// This file holds the typed value readers the object decoders call with
// d.pos at the first byte of a member's value. A JSON null leaves the
// destination unchanged, as encoding/json does (the Decode methods zero
// their result first, so an absent or null field reads as the zero value,
// and with duplicate keys the last non-null value wins).

// null consumes a null literal at d.pos.
func (d *Decoder) null() { d.literal("null") }

// string reads a string member into dst.
func (d *Decoder) string(dst *string, name string) {
	data, i := d.data, d.pos
	switch data[i] {
	case '"':
		// Fast path: ASCII without escapes. This is quoted's loop, repeated
		// here to save a call per string.
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
		if j < len(data) && data[j] == '"' {
			if j > i+1 {
				*dst = unsafe.String(&data[i+1], j-i-1)
			} else {
				*dst = ""
			}
			d.pos = j + 1
			return
		}
		if s, ok := d.str(); ok {
			*dst = s
		}
	case 'n':
		d.null()
	default:
		d.wrongType(name, "string")
	}
}

// quoted returns the string value at d.pos, which starts with '"'. ASCII
// strings without escapes take the fast path here; the rest (non-ASCII,
// escapes, errors) go to d.str, which starts over.
func (d *Decoder) quoted() (string, bool) {
	data, i := d.data, d.pos
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
	if j < len(data) && data[j] == '"' {
		d.pos = j + 1
		if j == i+1 {
			return "", true
		}
		return unsafe.String(&data[i+1], j-i-1), true
	}
	return d.str()
}

// uuid reads a string member holding a UUID into dst.
func (d *Decoder) uuid(dst *uuid.UUID, name string) {
	data, off := d.data, d.pos
	switch data[off] {
	case '"':
		// Fast path: the canonical 36-byte form, parsed in place. Its bytes
		// are all plain, so a '"' right after them closes the string.
		if off+37 < len(data) && data[off+37] == '"' {
			if u, ok := parseUUID(unsafe.String(&data[off+1], 36)); ok {
				*dst = u
				d.pos = off + 38
				return
			}
		}
		if s, ok := d.quoted(); ok {
			if u, ok := parseUUID(s); ok {
				*dst = u
			} else {
				d.fieldErr(name, off, "invalid UUID")
			}
		}
	case 'n':
		d.null()
	default:
		d.wrongType(name, "string")
	}
}

// time reads a string member holding an RFC 3339 timestamp into dst.
func (d *Decoder) time(dst *time.Time, name string) {
	data, off := d.data, d.pos
	switch data[off] {
	case '"':
		// Fast path: parse in place, then check that the string ends there.
		if off+22 <= len(data) {
			if t, n, ok := parseTimePrefix(unsafe.String(&data[off+1], min(len(data)-off-1, 40))); ok &&
				off+1+n < len(data) && data[off+1+n] == '"' {
				*dst = t
				d.pos = off + 2 + n
				return
			}
		}
		if s, ok := d.quoted(); ok {
			if t, ok := parseTime(s); ok {
				*dst = t
			} else {
				d.fieldErr(name, off, "invalid RFC 3339 timestamp")
			}
		}
	case 'n':
		d.null()
	default:
		d.wrongType(name, "string")
	}
}

// int reads an integer member into dst. Like encoding/json into an int, it
// rejects a fraction or an exponent ("1.0", "1e2") and anything out of the
// int range.
func (d *Decoder) int(dst *int, name string) {
	c := d.data[d.pos]
	if c == 'n' {
		d.null()
		return
	}
	if c != '-' && c-'0' >= 10 {
		d.wrongType(name, "integer")
		return
	}
	start, isInt, ok := d.number()
	if !ok {
		return
	}
	if !isInt {
		d.fieldErr(name, start, "want integer, got "+numText(d.data[start:d.pos]))
		return
	}
	if v, ok := parseInt(d.data[start:d.pos]); ok {
		*dst = v
	} else {
		d.fieldErr(name, start, "integer out of range: "+numText(d.data[start:d.pos]))
	}
}

// numText quotes a number of the body in an error message: as it is when
// it has at most 6 bytes (1e400, 3038.5), else as its length, so that no
// error repeats a phone number a body put where a count belongs.
func numText(b []byte) string {
	if len(b) <= 6 {
		return string(b)
	}
	return "a " + strconv.Itoa(len(b)) + "-byte number"
}

// code reads an integer member into a Code.
func (d *Decoder) code(dst *Code, name string) {
	v := int(*dst)
	d.int(&v, name)
	*dst = Code(v)
}

const (
	maxInt = int(^uint(0) >> 1)
	minInt = -maxInt - 1
)

// parseInt parses a validated JSON integer (an optional '-' and digits, no
// leading zero) into an int, reporting overflow.
func parseInt(b []byte) (int, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var u uint64
	for _, c := range b {
		if u > (1<<64-1)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
		if u < uint64(c-'0') {
			return 0, false
		}
	}
	if neg {
		if u > uint64(maxInt)+1 {
			return 0, false
		}
		return int(-u), true
	}
	if u > uint64(maxInt) {
		return 0, false
	}
	return int(u), true
}

// object reports whether the value at d.pos is an object, to be decoded
// by the caller. A null is consumed (the field stays as it was) and any
// other value is a field error (and skipped); both return false.
func (d *Decoder) object(name string) bool {
	switch d.data[d.pos] {
	case '{':
		return true
	case 'n':
		d.null()
	default:
		d.wrongType(name, "object")
	}
	return false
}

// stringMembers decodes the object at d.pos, all of whose members are
// strings: the member named keys.names[i] goes to dst[i], any other member
// is skipped. prefix is the object's path in field errors.
func (d *Decoder) stringMembers(keys *keySet, prefix string, dst ...*string) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = prefix
	for first := true; ; first = false {
		x, more := d.member(first, keys)
		if !more {
			break
		}
		if x >= 0 && x < len(dst) {
			d.string(dst[x], keys.names[x])
		} else {
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}
