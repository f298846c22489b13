package envelope

import "time"

// parseTime parses an RFC 3339 timestamp of the form
//
//	YYYY-MM-DDTHH:MM:SS[.F]Z  or  YYYY-MM-DDTHH:MM:SS[.F]±HH:MM
//
// where F is 1 to 9 digits, without allocating. Fields are range-checked as
// time.Parse checks them (month 1-12, day within the month, hour 0-23,
// minute and second 0-59, offset hour 0-23 and minute 0-59).
//
// The result is always in time.UTC: it denotes the same instant as the
// text, but a non-zero offset is not kept as a Location (building a
// time.FixedZone would allocate). t.In(loc) recovers any view of it.
func parseTime(s string) (t time.Time, ok bool) {
	t, n, ok := parseTimePrefix(s)
	return t, ok && n == len(s)
}

// parseTimePrefix parses a timestamp (as parseTime) at the start of s and
// returns the number of bytes it spans; s may go on after it. The decoders
// call it on the body itself, before looking for the closing quote: every
// byte of a timestamp is a plain string byte, so if a '"' follows, the JSON
// string was exactly the timestamp.
func parseTimePrefix(s string) (t time.Time, n int, ok bool) {
	if len(s) < len("2006-01-02T15:04:05Z") ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return t, 0, false
	}
	year, ok1 := digits4(s[0:4])
	month, ok2 := digits2(s[5:7])
	day, ok3 := digits2(s[8:10])
	hour, ok4 := digits2(s[11:13])
	minute, ok5 := digits2(s[14:16])
	sec, ok6 := digits2(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return t, 0, false
	}
	n = 19
	nsec := 0
	if s[n] == '.' {
		n++
		start := n
		for n < len(s) && s[n]-'0' < 10 {
			nsec = nsec*10 + int(s[n]-'0')
			n++
		}
		digits := n - start
		if digits < 1 || digits > 9 {
			return t, 0, false
		}
		nsec *= int(pow10[9-digits])
	}
	off := 0
	switch {
	case n < len(s) && s[n] == 'Z':
		n++
	case n+6 <= len(s) && (s[n] == '+' || s[n] == '-') && s[n+3] == ':':
		oh, ok1 := digits2(s[n+1 : n+3])
		om, ok2 := digits2(s[n+4 : n+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return t, 0, false
		}
		off = oh*3600 + om*60
		if s[n] == '-' {
			off = -off
		}
		n += 6
	default:
		return t, 0, false
	}
	unix := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-off)
	return time.Unix(unix, int64(nsec)).UTC(), n, true
}

var pow10 = [...]int32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

func digits2(s string) (int, bool) {
	a, b := s[0]-'0', s[1]-'0'
	return int(a)*10 + int(b), a < 10 && b < 10
}

func digits4(s string) (int, bool) {
	a, b, c, d := s[0]-'0', s[1]-'0', s[2]-'0', s[3]-'0'
	return int(a)*1000 + int(b)*100 + int(c)*10 + int(d), a < 10 && b < 10 && c < 10 && d < 10
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (H. Hinnant's algorithm), for years 0 to 9999.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
