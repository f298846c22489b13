package retryafter

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 8, 1, 2, 14, 7, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		body   string
		want   time.Duration
		ok     bool
	}{
		{"delta seconds", "1", "", time.Second, true},
		{"delta with spaces", " \t120 ", "", 2 * time.Minute, true},
		{"zero", "0", "", 0, true},
		{"leading zeros", "007", "", 7 * time.Second, true},
		{"absurd clamps to a day", "99999999", "", Max, true},
		{"overflowing digits clamp", "999999999999999999999999999999", "", Max, true},
		{"exactly a day", "86400", "", Max, true},
		{"just under a day", "86399", "", Max - time.Second, true},
		{"negative", "-5", "", 0, false},
		{"plus sign", "+5", "", 0, false},
		{"fraction", "1.5", "", 0, false},
		{"digits then garbage", "12abc", "", 0, false},
		{"garbage", "soon", "", 0, false},
		{"empty", "", "", 0, false},
		{"http-date", "Sat, 01 Aug 2026 02:14:37 GMT", "", 30 * time.Second, true},
		{"rfc850 date", "Saturday, 01-Aug-26 02:15:07 GMT", "", time.Minute, true},
		{"asctime date", "Sat Aug  1 02:14:17 2026", "", 10 * time.Second, true},
		{"date in the past means now", "Wed, 21 Oct 2015 07:28:00 GMT", "", 0, true},
		{"date far ahead clamps", "Fri, 31 Dec 9999 23:59:59 GMT", "", Max, true},
		{"date with wrong zone", "Sat, 01 Aug 2026 02:14:37 PST", "", 0, false},
		{"body message", "", "Quota exceeded. Please try again in 1 second(s).", time.Second, true},
		{"body plural", "", "Quota exceeded. Please try again in 12 seconds", 12 * time.Second, true},
		{"body any case", "", "TRY AGAIN IN 3 SECOND(S)", 3 * time.Second, true},
		{"body in JSON", "", `{"code":429,"message":"Quota exceeded. Please try again in 2 second(s)."}`, 2 * time.Second, true},
		{"body absurd clamps", "", "try again in 99999999999999999999 seconds", Max, true},
		{"body second phrase wins when first lacks a number", "", "try again in a bit; try again in 4 seconds", 4 * time.Second, true},
		{"body without unit", "", "try again in 5", 0, false},
		{"body minutes not understood", "", "try again in 5 minutes", 0, false},
		{"body negative", "", "try again in -5 seconds", 0, false},
		{"body unrelated", "", "Internal server error", 0, false},
		{"header wins over body", "2", "try again in 9 seconds", 2 * time.Second, true},
		{"bad header falls back to body", "soon", "try again in 9 seconds", 9 * time.Second, true},
		{"truncated phrase", "", "try again i", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.header, tt.body, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Parse(%q, %q) = %v, %v; want %v, %v", tt.header, tt.body, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseScansBoundedBody(t *testing.T) {
	body := strings.Repeat("x", maxBodyScan) + "try again in 3 seconds"
	if d, ok := Parse("", body, time.Time{}); ok {
		t.Errorf("found %v past the scan limit", d)
	}
	body = strings.Repeat("x", maxBodyScan-30) + "try again in 3 seconds"
	if d, ok := Parse("", body, time.Time{}); !ok || d != 3*time.Second {
		t.Errorf("= %v, %v; want 3s inside the scan limit", d, ok)
	}
}

func TestParseAllocs(t *testing.T) {
	tests := []struct{ header, body string }{
		{"120", ""},
		{"", "Quota exceeded. Please try again in 1 second(s)."},
		{"", "no hint here"},
		{"Sat, 01 Aug 2026 02:14:37 GMT", ""},
	}
	now := time.Now()
	for _, tt := range tests {
		allocs := testing.AllocsPerRun(100, func() { Parse(tt.header, tt.body, now) })
		if allocs != 0 {
			t.Errorf("Parse(%q, %q): %v allocs, want 0", tt.header, tt.body, allocs)
		}
	}
}

// FuzzParse checks that no input panics and every accepted hint
// lies in [0, Max]. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("1", "", int64(0))
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "", int64(1445412480))
	f.Add("", "Quota exceeded. Please try again in 1 second(s).", int64(0))
	f.Fuzz(func(t *testing.T, header, body string, unix int64) {
		d, ok := Parse(header, body, time.Unix(unix, 0))
		if d < 0 || d > Max {
			t.Fatalf("Parse(%q, %q) = %v outside [0, %v]", header, body, d, Max)
		}
		if !ok && d != 0 {
			t.Fatalf("Parse(%q, %q) = %v, false: want 0 when not ok", header, body, d)
		}
	})
}
