package envelope

import (
	"math"
	"strconv"
)

// ChatLocation is a point on a map with an optional label: the content of
// a "location" message ("content.location") and the value of a template's
// location header parameter. Latitude and Longitude are always encoded
// (the API requires both); Name and Address are left out when empty.
type ChatLocation struct {
	Latitude  float64 // "latitude", degrees
	Longitude float64 // "longitude", degrees
	Name      string  // "name": shown below the map
	Address   string  // "address": shown below the map
}

func appendLocation(dst []byte, l *ChatLocation) []byte {
	var o object
	dst = append(dst, '{')
	dst = appendFloat(o.key(dst, "latitude"), l.Latitude)
	dst = appendFloat(o.key(dst, "longitude"), l.Longitude)
	dst = o.optStr(dst, "name", l.Name)
	dst = o.optStr(dst, "address", l.Address)
	return append(dst, '}')
}

// appendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from 1e21
// on. NaN and the infinities, which JSON cannot hold, are written as null.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 becomes 1e-7, as encoding/json writes it.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
