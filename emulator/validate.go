package emulator

import (
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// validSubAccount reports whether s matches ^[A-Za-z0-9\-._&]{3,50}$.
func validSubAccount(s string) bool {
	if len(s) < 3 || len(s) > 50 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '&':
		default:
			return false
		}
	}
	return true
}

// validMSISDN reports whether s matches ^\+?[1-9][0-9]{6,14}$.
func validMSISDN(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 7 || len(s) > 15 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validCallbackURL reports whether s is an absolute http or https URL.
func validCallbackURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// parseTime parses a request date-time (RFC 3339, any fraction, Z or an
// offset).
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// gsm7Extra holds the non-ASCII characters of the GSM 03.38 basic set and
// its extension table. Every printable ASCII character except '`' is in one
// of the two, as are LF, CR and form feed.
const gsm7Extra = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€"

// isGSM7 reports whether s can be sent in the GSM 7-bit alphabet.
func isGSM7(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return isGSM7Slow(s[i:])
		}
		if (c < ' ' && c != '\n' && c != '\r' && c != '\f') || c == '`' || c == 0x7f {
			return false
		}
	}
	return true
}

func isGSM7Slow(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if (r < ' ' && r != '\n' && r != '\r' && r != '\f') || r == '`' || r == 0x7f {
				return false
			}
			continue
		}
		if !strings.ContainsRune(gsm7Extra, r) {
			return false
		}
	}
	return true
}

// smsEncoding resolves a requested encoding: AUTO (or none) becomes GSM7 or
// UCS2 by the text; GSM7 and UCS2 are kept (any case). ok is false for
// anything else.
func smsEncoding(requested, text string) (string, bool) {
	switch {
	case requested == "" || strings.EqualFold(requested, "AUTO"):
		if isGSM7(text) {
			return "GSM7", true
		}
		return "UCS2", true
	case strings.EqualFold(requested, "GSM7"):
		return "GSM7", true
	case strings.EqualFold(requested, "UCS2"):
		return "UCS2", true
	}
	return "", false
}
