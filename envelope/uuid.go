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
	for i, x := range [16]byte{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34} {
		hi, lo := hexVal[s[x]], hexVal[s[x+1]]
		bad |= hi | lo
		u[i] = hi<<4 | lo
	}
	return u, bad&0xf0 == 0
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
