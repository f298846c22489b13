package emulator

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// flexFloat is a JSON number that also reads from a numeric string: 8x8's
// own location examples send "latitude":"1.2857". Set reports that a
// non-null value was given.
type flexFloat struct {
	V   float64
	Set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 1 && b[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return &json.UnmarshalTypeError{Value: "string " + s, Type: reflect.TypeFor[float64]()}
	}
	f.V, f.Set = v, true
	return nil
}

// chatLocation is content.location, and a template's location parameter.
type chatLocation struct {
	Latitude  flexFloat `json:"latitude"`
	Longitude flexFloat `json:"longitude"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
}

// complete reports that both coordinates were given.
func (l *chatLocation) complete() bool {
	return l != nil && l.Latitude.Set && l.Longitude.Set
}

// onGlobe reports that the coordinates are a latitude and a longitude.
func (l *chatLocation) onGlobe() bool {
	return l.Latitude.V >= -90 && l.Latitude.V <= 90 && l.Longitude.V >= -180 && l.Longitude.V <= 180
}
