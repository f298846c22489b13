// Package redact masks personal data in text the client did not write:
// the message an API error envelope carries, the description of a
// rejected message, a decoder's quote of a server value. 8x8, and proxies
// in front of it, echo the destination and the text of the message they
// refuse; none of that may reach an error, a log record or a hook.
//
// The package uses only the standard library; Mask allocates nothing when
// there is nothing to mask.
package redact

import "strings"

// TextMark replaces an occurrence of a message's text.
const TextMark = "[text]"

// minPrefix is how long a prefix of a message text must be to count as an
// echo of the text (a server quoting a long text cut short).
const minPrefix = 8

// shortSecret is the length under which a secret is masked only as a whole
// word: "ok" as a message text must not turn "token" into "t[text]en".
const shortSecret = 4

// minDigits is how many digits make a run of digits look like a phone
// number.
const minDigits = 7

// Mask returns s with personal data masked:
//
//   - every occurrence of a destination (ASCII case-insensitive) is masked
//     as Destination masks it;
//   - every occurrence of a text, or of a prefix of at least 8 bytes of
//     it (a server cutting a long text short), becomes TextMark;
//   - every other run of 7 or more digits, possibly broken by single or
//     double separators (space, '-', '.', '(', ')', '+'), not glued to a
//     letter, has all its digits but the last two replaced by '*'.
//
// Secrets are trimmed of surrounding spaces; empty ones are ignored, and
// ones shorter than 4 bytes match only as a whole word. UUIDs (an
// errorId) and RFC 3339 dates and timestamps are kept as they are, so are
// shorter numbers (an error code). When nothing is masked Mask returns s
// itself.
func Mask(s string, dests, texts []string) string {
	if s == "" {
		return s
	}
	m := marks{s: s}
	m.digits()
	for _, d := range dests {
		m.secret(d, flagDest, false)
	}
	for _, t := range texts {
		m.secret(t, flagText, true)
	}
	if m.kind == nil {
		return s
	}
	out := m.render()
	if len(dests)+len(texts) > 0 {
		// A mask can free digits that were glued to a masked word.
		out = Mask(out, nil, nil)
	}
	return out
}

// Destination masks a destination for logs: it keeps the first three and
// the last two bytes, e.g. +6591234567 -> +65******67, and masks all of a
// destination of five bytes or fewer.
func Destination(d string) string {
	if len(d) <= 5 {
		return "*****"[:len(d)]
	}
	b := make([]byte, len(d))
	copy(b, d[:3])
	for i := 3; i < len(d)-2; i++ {
		b[i] = '*'
	}
	copy(b[len(d)-2:], d[len(d)-2:])
	return string(b)
}

// Flags of a masked byte.
const (
	flagDigit uint8 = 1 << iota // a digit of a phone-like run: becomes '*'
	flagDest                    // part of a destination
	flagText                    // part of a message text: the run becomes TextMark
)

// marks records, for each byte of s, how it is masked. kind stays nil
// while nothing is.
type marks struct {
	s    string
	kind []uint8
}

func (m *marks) set(from, to int, f uint8) {
	if m.kind == nil {
		m.kind = make([]uint8, len(m.s))
	}
	for i := from; i < to; i++ {
		m.kind[i] |= f
	}
}

// secret marks every occurrence of sec in s, ASCII case-insensitively;
// with prefixes, an occurrence of sec's first minPrefix bytes marks as
// much of sec as follows it.
func (m *marks) secret(sec string, f uint8, prefixes bool) {
	sec = strings.TrimSpace(sec)
	if sec == "" {
		return
	}
	needle := len(sec)
	if prefixes && len(sec) > minPrefix {
		needle = minPrefix
	}
	s := m.s
	starts := foldScan{s: s[:max(len(s)-needle+1, 0)], c: lower(sec[0]), lo: -1, up: -1}
	for i := 0; i+needle <= len(s); {
		if i = starts.next(i); i < 0 {
			break
		}
		if !foldEq(s[i:i+needle], sec[:needle]) {
			i++
			continue
		}
		n := needle
		for n < len(sec) && i+n < len(s) && lower(s[i+n]) == lower(sec[n]) {
			n++
		}
		if len(sec) >= shortSecret || (!isAlnum(s, i-1) && !isAlnum(s, i+n)) {
			m.set(i, i+n, f)
			i += n
			continue
		}
		i++
	}
}

// A foldScan finds the bytes of s equal to c (a lower-case byte) under
// ASCII case folding, from left to right: each case's next index is kept
// until the scan passes it, so a whole scan reads s at most twice, however
// many candidates fail.
type foldScan struct {
	s      string
	c      byte
	lo, up int // the next index of c and of its upper case; -1 before the first search, len(s) when none is left
}

// next returns the first index ≥ i of a byte equal to c, or -1.
func (f *foldScan) next(i int) int {
	f.lo = nextByte(f.s, f.c, i, f.lo)
	n := f.lo
	if f.c >= 'a' && f.c <= 'z' {
		f.up = nextByte(f.s, f.c-'a'+'A', i, f.up)
		n = min(n, f.up)
	}
	if n >= len(f.s) {
		return -1
	}
	return n
}

// nextByte returns prev if it is still at or past i, else the index of the
// first c in s at or past i (len(s) if none).
func nextByte(s string, c byte, i, prev int) int {
	if prev >= i {
		return prev
	}
	if i >= len(s) {
		return len(s)
	}
	if j := strings.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return len(s)
}

// foldEq reports whether a and b, of the same length, are equal under
// ASCII case folding.
func foldEq(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasDigit reports whether s holds an ASCII digit. A plain loop:
// strings.ContainsAny builds a byte set on every call first.
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			return true
		}
	}
	return false
}

// digits marks the digits of phone-like runs of s, leaving UUIDs and
// dates alone. It looks at s as the server wrote it, before any secret is
// masked, so that what a destination's mask keeps cannot join a run.
func (m *marks) digits() {
	s := m.s
	if !hasDigit(s) {
		return // most answers' descriptions: nothing to mark, no UUID or date to skip
	}
	for i := 0; i < len(s); {
		if n := uuidAt(s, i); n > 0 {
			i += n
			continue
		}
		if n := timestampAt(s, i); n > 0 {
			i += n
			continue
		}
		if !isDigit(s[i]) {
			i++
			continue
		}
		if isLetter(s, i-1) { // glued to a word: an id, not a number
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			continue
		}
		end, count := run(s, i)
		for isLetter(s, end) { // its last group is glued to a word: drop it
			j := end
			for j > i && isDigit(s[j-1]) {
				j--
			}
			g := end - j
			for j > i && isSep(s[j-1]) {
				j--
			}
			if j == i {
				break
			}
			end, count = j, count-g
		}
		if count >= minDigits && !isLetter(s, end) {
			kept := 0
			for j := end - 1; j >= i; j-- {
				if isDigit(s[j]) && kept < 2 {
					kept++
				} else if isDigit(s[j]) {
					m.set(j, j+1, flagDigit)
				}
			}
		}
		i = end
	}
}

// run returns the end of the run of digits that starts at s[i] (after its
// last digit) and how many digits it holds. Separators join digits when
// at most two of them stand between.
func run(s string, i int) (end, count int) {
	end = i
	for j := i; j < len(s); {
		if isDigit(s[j]) {
			count++
			j++
			end = j
			continue
		}
		k := j
		for k < len(s) && k-j < 3 && isSep(s[k]) {
			k++
		}
		if k == j || k-j > 2 || k >= len(s) || !isDigit(s[k]) {
			break
		}
		j = k
	}
	return end, count
}

// render builds the masked string: each run of a text's bytes becomes
// TextMark, each run of a destination's bytes its Destination mask (which
// keeps no digit the digit rule masks), other digit marks '*'.
func (m *marks) render() string {
	var b strings.Builder
	b.Grow(len(m.s) + 8)
	s := m.s
	for i := 0; i < len(s); {
		f := m.kind[i]
		j := i + 1
		switch {
		case f&flagText != 0:
			for j < len(s) && m.kind[j]&flagText != 0 {
				j++
			}
			b.WriteString(TextMark)
		case f&flagDest != 0:
			for j < len(s) && m.kind[j]&(flagDest|flagText) == flagDest {
				j++
			}
			for p := i; p < j; p++ {
				keep := j-i > 5 && (p-i < 3 || j-p <= 2) && m.kind[p]&flagDigit == 0
				if keep {
					b.WriteByte(s[p])
				} else {
					b.WriteByte('*')
				}
			}
		case f&flagDigit != 0:
			b.WriteByte('*')
		default:
			b.WriteByte(s[i])
		}
		i = j
	}
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSep(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+'
}

// isLetter reports whether s[i] is an ASCII letter (false out of range).
func isLetter(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i] | 0x20
	return 'a' <= c && c <= 'z'
}

// isAlnum reports whether s[i] is an ASCII letter or digit, or a byte of a
// multi-byte UTF-8 sequence (false out of range).
func isAlnum(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	return isDigit(s[i]) || isLetter(s, i) || s[i] >= 0x80
}

// uuidAt returns 36 when a UUID in its textual form (8-4-4-4-12 hex
// digits) that is a word of its own starts at s[i], 0 otherwise.
func uuidAt(s string, i int) int {
	const n = 36
	if len(s)-i < n || isAlnum(s, i-1) || isAlnum(s, i+n) {
		return 0
	}
	for j := range n {
		c := s[i+j]
		switch j {
		case 8, 13, 18, 23:
			if c != '-' {
				return 0
			}
		default:
			if !isDigit(c) && !('a' <= c|0x20 && c|0x20 <= 'f') {
				return 0
			}
		}
	}
	return n
}

// timestampAt returns the length of the RFC 3339 date, or date and time,
// that is a word of its own and starts at s[i]: 2026-08-01,
// 2026-08-01T02:14:07.42Z, 2026-08-01 02:14+08:00. It returns 0 when there
// is none.
func timestampAt(s string, i int) int {
	if isAlnum(s, i-1) {
		return 0
	}
	p := i
	num := func(width int, lo, hi int) bool {
		if len(s)-p < width {
			return false
		}
		v := 0
		for j := range width {
			if !isDigit(s[p+j]) {
				return false
			}
			v = v*10 + int(s[p+j]-'0')
		}
		p += width
		return lo <= v && v <= hi
	}
	lit := func(cs string) bool {
		if p < len(s) && strings.IndexByte(cs, s[p]) >= 0 {
			p++
			return true
		}
		return false
	}
	if !num(4, 0, 9999) || !lit("-") || !num(2, 1, 12) || !lit("-") || !num(2, 1, 31) {
		return 0
	}
	end := p
	if lit("Tt ") && num(2, 0, 23) && lit(":") && num(2, 0, 59) {
		end = p
		if lit(":") && num(2, 0, 60) {
			end = p
			if lit(".") && p < len(s) && isDigit(s[p]) {
				for p < len(s) && isDigit(s[p]) {
					p++
				}
				end = p
			}
		}
		p = end
		if lit("Zz") {
			end = p
		} else if lit("+-") && num(2, 0, 23) && lit(":") && num(2, 0, 59) {
			end = p
		}
	}
	if end < len(s) && isDigit(s[end]) {
		return 0
	}
	return end - i
}
