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
	var bad byte
	bad |= hexByte(&u[0], s[0], s[1]) | hexByte(&u[1], s[2], s[3]) | hexByte(&u[2], s[4], s[5]) | hexByte(&u[3], s[6], s[7])
	bad |= hexByte(&u[4], s[9], s[10]) | hexByte(&u[5], s[11], s[12])
	bad |= hexByte(&u[6], s[14], s[15]) | hexByte(&u[7], s[16], s[17])
	bad |= hexByte(&u[8], s[19], s[20]) | hexByte(&u[9], s[21], s[22])
	bad |= hexByte(&u[10], s[24], s[25]) | hexByte(&u[11], s[26], s[27]) | hexByte(&u[12], s[28], s[29])
	bad |= hexByte(&u[13], s[30], s[31]) | hexByte(&u[14], s[32], s[33]) | hexByte(&u[15], s[34], s[35])
	return u, bad&0xf0 == 0
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
