package envelope

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// FuzzParseUUID checks parseUUID against uuid.Parse (with the braces rule).
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f", "BDA3D56D-1424-E711-813C-06ED3428FE67",
		"{bda3d56d-1424-e711-813c-06ed3428fe67}", "urn:uuid:bda3d56d-1424-e711-813c-06ed3428fe67",
		"bda3d56d1424e711813c06ed3428fe67", "bda3d56d-1424-e711-813c-06ed3428fe6g", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUUID(s)
		if ok != refUUIDOK(s) {
			t.Fatalf("parseUUID(%q) ok = %v, reference %v", s, ok, !ok)
		}
		if ok {
			if want, _ := uuid.Parse(s); got != want {
				t.Fatalf("parseUUID(%q) = %v, uuid.Parse = %v", s, got, want)
			}
		}
	})
}

// FuzzParseTime checks parseTime against the reference grammar and
// time.Parse.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020-12-22T05:52:01.85Z", "2018-08-04T09:25:40.9235752+00:00", "2016-01-01T00:00:00Z",
		"2026-08-01T19:20:30+08:00", "2024-02-29T23:59:59.999999999-23:59", "2026-02-30T00:00:00Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseTime(s)
		if ok != refTimeOK(s) {
			t.Fatalf("parseTime(%q) ok = %v, reference %v", s, ok, !ok)
		}
		if ok {
			want, _ := time.Parse(time.RFC3339Nano, s)
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("parseTime(%q) = %v, time.Parse = %v", s, got, want)
			}
		}
		// The prefix parser, as the decoders use it on a body (the string
		// is taken when a '"' follows the prefix), agrees with parseTime.
		if !strings.Contains(s, `"`) {
			pt, n, pok := parseTimePrefix(s + `"rest`)
			if whole := pok && n == len(s); whole != ok || (ok && pt != got) {
				t.Fatalf("parseTimePrefix(%q) = %v, %d, %v; parseTime = %v, %v", s+`"rest`, pt, n, pok, got, ok)
			}
		}
	})
}
