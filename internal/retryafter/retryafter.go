// Package retryafter reads a server's wait hint: the Retry-After header
// (delta-seconds or an HTTP-date) and, when that is missing or unreadable,
// the "try again in N second(s)" of 8x8's 429 message (docs/8x8-api.md).
// The client parses each response's hint with Parse and hands it to
// policy.Decide in Outcome.RetryAfter; Decide clamps it further to the
// policy's RetryAfterCeiling.
package retryafter

import (
	"time"
)

// Max is the longest hint Parse returns: longer ones (99999999 seconds, a
// date years ahead, digits that overflow int64) are clamped to it.
const Max = 24 * time.Hour

// maxBodyScan bounds how much of a body Parse searches.
const maxBodyScan = 64 << 10

// HTTP-date layouts (RFC 9110, section 5.6.7): IMF-fixdate, then the two
// obsolete forms recipients must accept.
var httpDateLayouts = [...]string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// Parse reads a server's wait hint. It tries, in order:
//
//   - header as delta-seconds ("1", "120"): digits only, no sign;
//   - header as an HTTP-date, relative to now (a date in the past means
//     "now": 0, true);
//   - the "try again in N second(s)" number of 8x8's 429 message in body
//     (case-insensitive), for when the header is missing or unreadable.
//
// It returns the hint and true, or 0 and false when none of them holds a
// usable value (empty, negative, fractional, garbage). Hints over Max,
// including ones whose digits overflow, are clamped to Max. It never
// panics and allocates nothing on the delta-seconds and body paths.
func Parse(header string, body string, now time.Time) (time.Duration, bool) {
	if d, ok := parseHeader(trimOWS(header), now); ok {
		return d, true
	}
	if len(body) > maxBodyScan {
		body = body[:maxBodyScan]
	}
	return parseBody(body)
}

func parseHeader(h string, now time.Time) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if isDigit(h[0]) {
		return parseSeconds(h)
	}
	for _, layout := range httpDateLayouts {
		t, err := time.Parse(layout, h)
		if err != nil {
			continue
		}
		d := t.Sub(now) // saturates instead of overflowing
		if d < 0 {
			return 0, true
		}
		return min(d, Max), true
	}
	return 0, false
}

// parseSeconds parses s, all digits, as seconds, clamped to Max.
func parseSeconds(s string) (time.Duration, bool) {
	const limit = int64(Max / time.Second)
	var n int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if n <= limit { // stop growing once over the clamp: no overflow
			n = n*10 + int64(s[i]-'0')
		}
	}
	if n > limit {
		return Max, true
	}
	return time.Duration(n) * time.Second, true
}

// parseBody finds "try again in N second" in s.
func parseBody(s string) (time.Duration, bool) {
	const phrase = "try again in"
	for i := 0; i+len(phrase) <= len(s); i++ {
		if !hasPrefixFold(s[i:], phrase) {
			continue
		}
		j := i + len(phrase)
		j = skipSpaces(s, j)
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j {
			continue
		}
		if !hasPrefixFold(s[skipSpaces(s, k):], "second") {
			continue
		}
		return parseSeconds(s[j:k])
	}
	return 0, false
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// hasPrefixFold reports whether s starts with prefix, ASCII
// case-insensitively; prefix must be lower case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// trimOWS trims HTTP optional whitespace (spaces and tabs).
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
