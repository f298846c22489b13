package redact

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	const (
		dest = "+6591234567"
		text = "Your verification code is 482913. Do not share it."
	)
	dests, texts := []string{dest}, []string{text}
	for _, tc := range []struct {
		name         string
		in           string
		dests, texts []string
		want         string
	}{
		{"empty", "", dests, texts, ""},
		{"nothing to mask", "Invalid MSISDN", dests, texts, "Invalid MSISDN"},
		{"destination", "Invalid MSISDN +6591234567", dests, texts, "Invalid MSISDN +********67"},
		{"destination without plus", "Invalid MSISDN 6591234567.", dests, texts, "Invalid MSISDN ********67."},
		{"destination twice", "+6591234567/+6591234567", dests, texts, "+********67/+********67"},
		{"text", "Message '" + text + "' refused", dests, texts, "Message '[text]' refused"},
		{"text in other case", strings.ToUpper(text), dests, texts, "[text]"},
		{"text cut short", "text 'Your verification co...' too long", dests, texts, "text '[text]...' too long"},
		{"text prefix too short to count", "Your ve", dests, texts, "Your ve"},
		{"both", `{"to":"+6591234567","text":"` + text + `"}`, dests, texts, `{"to":"+********67","text":"[text]"}`},
		{"short text only as a word", "token ok; ok.", nil, []string{"ok"}, "token [text]; [text]."},
		{"text trimmed", "said hello there", nil, []string{"  hello there\n"}, "said [text]"},
		{"blank secrets ignored", "a b", []string{""}, []string{" "}, "a b"},
		{"chat user id", "unknown user U4af4980629", []string{"U4af4980629"}, nil, "unknown user U4a******29"},
		{"other phone", "number +44 7700 900123 is barred", nil, nil, "number +** **** ****23 is barred"},
		{"dashes and parentheses", "call +1 (415) 555-0100 now", nil, nil, "call +* (***) ***-**00 now"},
		{"seven digits", "1234567", nil, nil, "*****67"},
		{"six digits kept", "code 482913", nil, nil, "code 482913"},
		{"error code kept", "code 1002: invalid", nil, nil, "code 1002: invalid"},
		{"glued to a word kept", "req_id abc1234567890 x1234567", nil, nil, "req_id abc1234567890 x1234567"},
		{"glued after kept", "1234567abc", nil, nil, "1234567abc"},
		{"three separators break", "123 - 4567", nil, nil, "123 - 4567"},
		{"two separators join", "123 -4567", nil, nil, "*** -**67"},
		{"uuid kept", "errorId 5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f", nil, nil, "errorId 5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f"},
		{"digit uuid kept", "12345678-1234-1234-1234-123456789012", nil, nil, "12345678-1234-1234-1234-123456789012"},
		{"timestamp kept", "at 2026-08-01T02:14:07.4213371Z", nil, nil, "at 2026-08-01T02:14:07.4213371Z"},
		{"date kept", "scheduled 2026-08-01 is past", nil, nil, "scheduled 2026-08-01 is past"},
		{"date then phone", "2026-08-01 6591234567", nil, nil, "2026-08-01 ********67"},
		{"not a date", "2026-13-01", nil, nil, "****-**-01"},
		{"ip address", "from 192.168.100.200", nil, nil, "from ***.***.***.*00"},
		{"non-ASCII neighbours", "号码6591234567", nil, nil, "号码********67"},
		{"text wins over destination", "hi +6591234567", dests, []string{"hi +6591234567"}, "[text]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Mask(tc.in, tc.dests, tc.texts); got != tc.want {
				t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskAllocatesNothingWhenClean(t *testing.T) {
	s := "Invalid MSISDN, errorId 5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f at 2026-08-01T02:14:07Z, code 1002"
	dests, texts := []string{"+6591234567"}, []string{"your code is 482913"}
	if n := testing.AllocsPerRun(100, func() { _ = Mask(s, dests, texts) }); n != 0 {
		t.Errorf("Mask of a clean string allocates %.0f times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Mask("invalid msisdn", nil, nil) }); n != 0 {
		t.Errorf("Mask without secrets of a clean string allocates %.0f times, want 0", n)
	}
}

func TestDestination(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "12": "**", "12345": "*****", "+6591234567": "+65******67", "123456": "123*56",
	} {
		if got := Destination(in); got != want {
			t.Errorf("Destination(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMask checks, on arbitrary input, that Mask never panics, that no
// destination or text survives it (of 4 bytes or more, without the masks'
// own characters, and not overlapping itself: the bytes a destination's
// mask keeps could then rebuild it with their neighbours, as "AAA***AA"
// and "AA" rebuild "AAAA"), that no phone-like run of 7 digits does, and
// that what it keeps of s it keeps in place.
func FuzzMask(f *testing.F) {
	f.Add("Invalid MSISDN +6591234567 for 'hello world, code 482913'", "+6591234567", "hello world, code 482913")
	f.Add("errorId 5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f at 2026-08-01T02:14:07.42Z", "", "")
	f.Add("+1 (415) 555-0100", "4155550100", "ok")
	f.Add("aaaaaaaaaaaaaaaa", "aaaa", "aaaaaaaaa")
	f.Fuzz(func(t *testing.T, s, dest, text string) {
		got := Mask(s, []string{dest}, []string{text})
		lower := asciiLower(got)
		for _, sec := range []string{dest, text} {
			sec = strings.TrimSpace(sec)
			if len(sec) < shortSecret || strings.ContainsAny(sec, "*[]") || hasBorder(asciiLower(sec)) {
				continue
			}
			if strings.Contains(lower, asciiLower(sec)) {
				t.Fatalf("Mask(%q, %q, %q) = %q: still holds %q", s, dest, text, got, sec)
			}
		}
		if r := phoneRun(got); r != "" {
			t.Fatalf("Mask(%q, %q, %q) = %q: still holds the number %q", s, dest, text, got, r)
		}
		if dest == "" && text == "" && len(got) != len(s) {
			t.Fatalf("Mask(%q) = %q: digits only are masked, the length must not change", s, got)
		}
		if Mask(got, nil, nil) != got {
			t.Fatalf("Mask(%q) = %q is not stable", s, got)
		}
	})
}

// phoneRun returns the first run of 7 consecutive digits of s that is not
// glued to a letter and not part of a UUID or timestamp; "" when none.
func phoneRun(s string) string {
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
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j-i >= minDigits && !isLetter(s, i-1) && !isLetter(s, j) {
			return s[i:j]
		}
		i = j
	}
	return ""
}

// hasBorder reports whether a proper prefix of s is also its suffix, so
// that two occurrences of s can overlap.
func hasBorder(s string) bool {
	for n := 1; n < len(s); n++ {
		if s[:n] == s[len(s)-n:] {
			return true
		}
	}
	return false
}

// asciiLower folds ASCII letters only, as Mask does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// BenchmarkMask is the mask of a typical 8x8 error answer (destination,
// text and errorId) and of a 64 KiB body that is one long run of a text's
// first byte in both cases, where every byte is a candidate start: the
// scan must stay linear in the body.
func BenchmarkMask(b *testing.B) {
	dests := []string{"+6591234567"}
	texts := []string{"Your verification code is 482913. Do not share it."}
	for _, bc := range []struct{ name, s string }{
		{"answer", `{"code":1002,"message":"Invalid MSISDN format: +6591234567","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`},
		{"candidates-64KiB", strings.Repeat("yY", 32<<10)},
		{"description", "SMS is accepted and queued for processing"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				Mask(bc.s, dests, texts)
			}
		})
	}
}
