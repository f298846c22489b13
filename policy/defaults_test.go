package policy

import (
	"strconv"
	"strings"
	"testing"

	"github.com/octosend/octosend/envelope"
)

// TestDefaultTableCoversEnvelope walks envelope's lists so that a code or
// status added there without a default entry here fails the build.
func TestDefaultTableCoversEnvelope(t *testing.T) {
	defaults := builtin.defaults
	for _, c := range envelope.Codes() {
		t.Run("code "+strconv.Itoa(int(c)), func(t *testing.T) {
			i, ok := defaults.code[c]
			if !ok {
				t.Fatalf("code %d %s has no explicit default entry", c, c)
			}
			e := defaults.entries[i]
			if !e.Action.Valid() {
				t.Errorf("code %d: invalid action %v", c, e.Action)
			}
			want := strconv.Itoa(int(c)) + " " + c.String() + ": "
			if !strings.HasPrefix(e.Reason, want) || len(e.Reason) <= len(want)+10 {
				t.Errorf("code %d: reason %q, want %q and a real sentence", c, e.Reason, want+"...")
			}
		})
	}
	for _, s := range envelope.Statuses() {
		t.Run("status "+strconv.Itoa(s), func(t *testing.T) {
			i, ok := defaults.status[s]
			if !ok {
				t.Fatalf("status %d has no explicit default entry", s)
			}
			e := defaults.entries[i]
			if !e.Action.Valid() || statusName(s) == "" {
				t.Errorf("status %d: action %v, name %q", s, e.Action, statusName(s))
			}
			if want := strconv.Itoa(s) + " " + statusName(s) + ": "; !strings.HasPrefix(e.Reason, want) || len(e.Reason) <= len(want)+5 {
				t.Errorf("status %d: reason %q, want %q and a real sentence", s, e.Reason, want+"...")
			}
		})
	}
}

// TestDefaultTableNamesOnlyKnownCodes catches typos in the table: every
// code it names must exist in envelope.
func TestDefaultTableNamesOnlyKnownCodes(t *testing.T) {
	seen := map[int]bool{}
	for _, d := range defaultCodes {
		if !envelope.Code(d.code).Known() {
			t.Errorf("default table names code %d, which envelope does not know", d.code)
		}
		if seen[d.code] {
			t.Errorf("code %d listed twice", d.code)
		}
		seen[d.code] = true
	}
	seenStatus := map[int]bool{}
	for _, d := range defaultStatuses {
		if seenStatus[d.status] {
			t.Errorf("status %d listed twice", d.status)
		}
		seenStatus[d.status] = true
	}
}

// TestDefaultActions pins the decisions the issue requires of the
// built-in table.
func TestDefaultActions(t *testing.T) {
	p := Default()
	tests := []struct {
		name   string
		status int
		code   envelope.Code
		want   Action
	}{
		{"200", 200, 0, ActionOK},
		{"201", 201, 0, ActionOK},
		{"202", 202, 0, ActionOK},
		{"204", 204, 0, ActionOK},
		{"429", 429, 0, ActionBackoff},
		{"429/429", 429, envelope.CodeTooManyRequests, ActionBackoff},
		{"400/1002", 400, envelope.CodeInvalidMSISDN, ActionFail},
		{"400/3038", 400, envelope.CodeTemplateNotFound, ActionFail},
		{"500/2000", 500, envelope.CodeInternalError, ActionTrip},
		{"500", 500, 0, ActionTrip},
		{"502", 502, 0, ActionTrip},
		{"503", 503, 0, ActionTrip},
		{"504", 504, 0, ActionTrip},
		{"401", 401, 0, ActionHalt},
		{"401/1200", 401, envelope.CodeUnauthorized, ActionHalt},
		{"401/1001 halts", 401, envelope.CodeIllegalSubAccountID, ActionHalt},
		{"400/1001 fails", 400, envelope.CodeIllegalSubAccountID, ActionFail},
		{"403", 403, 0, ActionHalt},
		{"403/1201", 403, envelope.CodeAccessForbidden, ActionHalt},
		{"426/1014", 426, envelope.CodeInsecureProtocol, ActionFail},
		{"426", 426, 0, ActionFail},
		{"404/1300", 404, envelope.CodeNotFound, ActionFail},
		{"409/3060", 409, envelope.CodeTemplateBeingDeleted, ActionFail},
		{"410/2002", 410, envelope.CodeUnsupportedAPIVersion, ActionFail},
		{"413/7001", 413, envelope.CodeFileTooLarge, ActionFail},
		{"422", 422, 0, ActionFail},
		{"unknown 4xx", 418, 0, ActionFail},
		{"unknown 4xx, unknown code", 499, 4018, ActionFail},
		{"unknown 5xx", 599, 0, ActionTrip},
		{"unknown 5xx, unknown code", 507, 9999, ActionTrip},
		{"429-like: code 429 on another status", 420, envelope.CodeTooManyRequests, ActionBackoff},
		{"unknown 2xx", 299, 0, ActionOK},
		{"code ignored on 2xx", 200, envelope.CodeInvalidMSISDN, ActionOK},
		{"3xx", 302, 0, ActionFail},
		{"1xx", 100, 0, ActionFail},
		{"status out of range", 700, 0, ActionFail},
		{"negative status", -1, 0, ActionFail},
	}
	for c := envelope.Code(1000); c <= 1012; c++ {
		if c.Known() {
			tests = append(tests, struct {
				name   string
				status int
				code   envelope.Code
				want   Action
			}{"400/" + strconv.Itoa(int(c)), 400, c, ActionFail})
		}
	}
	n3000 := 0
	for c := envelope.Code(3001); c <= 3053; c++ {
		if !c.Known() {
			t.Errorf("envelope does not know %d; docs/error-codes.md lists every code 3001..3053", c)
			continue
		}
		n3000++
		tests = append(tests, struct {
			name   string
			status int
			code   envelope.Code
			want   Action
		}{"400/" + strconv.Itoa(int(c)), 400, c, ActionFail})
	}
	if n3000 != 53 {
		t.Errorf("checked %d codes in 3001..3053, want 53", n3000)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(Outcome{Status: tt.status, Code: tt.code, Attempt: 1})
			if d.Action != tt.want {
				t.Errorf("Decide(%d, %d).Action = %v, want %v (reason %q)", tt.status, tt.code, d.Action, tt.want, d.Reason)
			}
			if d.Reason == "" {
				t.Errorf("Decide(%d, %d): empty reason", tt.status, tt.code)
			}
		})
	}
}

func TestDefaultTransportActions(t *testing.T) {
	p := Default()
	tests := []struct {
		tr        Transport
		want      Action
		retry     bool
		ambiguous bool
	}{
		{TransportConnect, ActionRetry, true, false},
		{TransportDNS, ActionRetry, true, false},
		{TransportTLS, ActionRetry, true, false},
		{TransportTimeout, ActionRetry, true, true},
		{TransportReset, ActionRetry, true, true},
		{TransportCanceled, ActionFail, false, false},
		{TransportNone, ActionFail, false, false}, // no status, no transport error: a client bug
		{Transport(99), ActionFail, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.tr.String(), func(t *testing.T) {
			d := p.Decide(Outcome{Transport: tt.tr, Attempt: 1})
			if d.Action != tt.want || d.Retry != tt.retry || d.Ambiguous != tt.ambiguous || d.Reason == "" {
				t.Errorf("Decide(%v) = %+v, want action %v retry %v ambiguous %v and a reason", tt.tr, d, tt.want, tt.retry, tt.ambiguous)
			}
		})
	}
}

func TestDefaultReasonText(t *testing.T) {
	d := Default().Decide(Outcome{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempt: 1})
	if want := "1002 InvalidMSISDN: permanent, fix the number (E.164 expected); proves earlier attempts were refused too (clears Ambiguous)"; d.Reason != want || !d.Refused {
		t.Errorf("reason = %q (refused %v), want %q, refused", d.Reason, d.Refused, want)
	}
}
