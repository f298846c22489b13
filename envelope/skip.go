package envelope

// This file holds numbers, literals and the validating skip of any value.

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
