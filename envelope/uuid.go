package envelope

import "github.com/google/uuid"

// parseUUID parses s as uuid.Parse does, without allocating and with one
// difference: the 38-byte form must be wrapped in braces (uuid.Parse takes
// any first and last byte). It accepts
//
//	xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
//	{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}
//	urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
//	xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
//
// with hex digits in either case, and checks neither the version nor the
// variant: 8x8's ids are often SQL Server sequential GUIDs such as
// bda3d56d-1424-e711-813c-06ed3428fe67, which are not RFC 4122 UUIDs.
func parseUUID(s string) (u uuid.UUID, ok bool) {
	switch len(s) {
	case 36:
	case 38:
		if s[0] != '{' || s[37] != '}' {
			return u, false
		}
		s = s[1:37]
	case 45:
		if !equalFoldASCII(s[:9], "urn:uuid:") {
			return u, false
		}
		s = s[9:]
	case 32:
		var bad byte
		for i := range u {
			hi, lo := hexVal[s[2*i]], hexVal[s[2*i+1]]
			bad |= hi | lo
			u[i] = hi<<4 | lo
		}
		return u, bad&0xf0 == 0
	default:
		return u, false
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	// Four words of eight hex digits each: 0-7, 9-12+14-17, 19-22+24-27,
	// 28-35.
	w0 := load64s(s, 0)
	w1 := uint64(load32s(s, 9)) | uint64(load32s(s, 14))<<32
	w2 := uint64(load32s(s, 19)) | uint64(load32s(s, 24))<<32
	w3 := load64s(s, 28)
	if !isHex8(w0) || !isHex8(w1) || !isHex8(w2) || !isHex8(w3) {
		return u, false
	}
	putHex8(u[0:4], w0)
	putHex8(u[4:8], w1)
	putHex8(u[8:12], w2)
	putHex8(u[12:16], w3)
	return u, true
}

// isHex8 reports whether each of the eight bytes of w is an ASCII hex digit.
func isHex8(w uint64) bool {
	if w&msb != 0 {
		return false
	}
	// With every byte below 0x80, adding a constant below 0x80 to each
	// byte carries into no other byte, and the high bit of each sum tells a
	// comparison: b+(0x80-lo) has it iff b >= lo.
	digit := (w + lsb*(0x80-'0')) &^ (w + lsb*(0x80-'9'-1)) & msb
	l := w | lsb*0x20 // fold A-F to a-f
	letter := (l + lsb*(0x80-'a')) &^ (l + lsb*(0x80-'f'-1)) & msb
	return digit|letter == msb
}

// putHex8 stores the four bytes the eight hex digits of w (first digit in
// the low byte) spell into b.
func putHex8(b []byte, w uint64) {
	// Digit values: the low nibble, plus 9 for letters (bit 6 set).
	v := w&(lsb*0x0f) + (w>>6)&lsb*9
	// Pair the digits: high nibble from the even byte, low from the odd.
	v = (v&0x000f000f000f000f)<<4 | (v>>8)&0x000f000f000f000f
	// Squeeze the 16-bit lanes into bytes.
	v = (v | v>>8) & 0x0000ffff0000ffff
	v = (v | v>>16) & 0xffffffff
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// hexByte stores the byte the hex digits hi and lo spell in *b and returns
// a value with bits 4-7 set if either is not a hex digit.
func hexByte(b *byte, hi, lo byte) byte {
	h, l := hexVal[hi], hexVal[lo]
	*b = h<<4 | l
	return h | l
}

// equalFoldASCII reports whether s equals the lower-case ASCII t ignoring
// ASCII case.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
