package emulator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
)

// rawSMS is the single-send response with raw fields, so null and absence
// can be told apart.
type rawSMS struct {
	UMID            string                             `json:"umid"`
	ClientMessageID *string                            `json:"clientMessageId"`
	Destination     string                             `json:"destination"`
	Encoding        string                             `json:"encoding"`
	Status          struct{ Code, Description string } `json:"status"`
}

func TestSMSSingle(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Now: clock.NewFake(t0).Now})
	tests := []struct {
		name     string
		body     string
		wantID   *string
		wantDest string
		wantEnc  string
	}{
		{"with plus and id", `{"destination":"+6591234567","text":"Your code is 482913","clientMessageId":"otp-1"}`,
			ptr("otp-1"), "6591234567", "GSM7"},
		{"no plus, no id: null id", `{"destination":"6591234567","text":"hello"}`, nil, "6591234567", "GSM7"},
		{"auto picks UCS2 for non-GSM text", `{"destination":"+447700900123","text":"你好","encoding":"AUTO","clientMessageId":"u"}`,
			ptr("u"), "447700900123", "UCS2"},
		{"GSM extension chars stay GSM7", `{"destination":"+447700900123","text":"€ [x] {y} ~ é","clientMessageId":"g"}`,
			ptr("g"), "447700900123", "GSM7"},
		{"explicit UCS2 kept", `{"destination":"+447700900123","text":"abc","encoding":"ucs2","clientMessageId":"e"}`,
			ptr("e"), "447700900123", "UCS2"},
		{"all optional fields", `{"destination":"+6591234567","country":"SG","source":"AcmeBank","text":"t","encoding":"GSM7",` +
			`"clientMessageId":"full","scheduled":"2026-08-02T10:00:00+08:00","expiry":"2026-08-03T10:15:00.123Z",` +
			`"dlrCallbackUrl":"https://hooks.example/dlr","clientIp":"203.0.113.9","track":"Outcome"}`,
			ptr("full"), "6591234567", "GSM7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, smsPath("acme_hq"), tc.body)
			if r.status != 200 {
				t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
			}
			var got rawSMS
			decode(t, r, &got)
			if !uuidRE.MatchString(got.UMID) {
				t.Errorf("umid %q is not UUID-shaped", got.UMID)
			}
			if (got.ClientMessageID == nil) != (tc.wantID == nil) ||
				got.ClientMessageID != nil && *got.ClientMessageID != *tc.wantID {
				t.Errorf("clientMessageId = %v, want %v", deref(got.ClientMessageID), deref(tc.wantID))
			}
			if got.Destination != tc.wantDest || got.Encoding != tc.wantEnc {
				t.Errorf("destination, encoding = %q, %q; want %q, %q", got.Destination, got.Encoding, tc.wantDest, tc.wantEnc)
			}
			if got.Status.Code != "QUEUED" || got.Status.Description == "" {
				t.Errorf("status = %+v, want QUEUED with a description", got.Status)
			}
		})
	}
	// clientMessageId must be present as null, not missing.
	r := post(t, s, smsPath("acme_hq"), `{"destination":"6591234567","text":"hello"}`)
	var m map[string]json.RawMessage
	decode(t, r, &m)
	if v, ok := m["clientMessageId"]; !ok || string(v) != "null" {
		t.Errorf("clientMessageId = %s (present %v), want null", v, ok)
	}
	if got, want := s.Ledger().Accepted(), len(tests)+1; got != want {
		t.Errorf("ledger accepted = %d, want %d", got, want)
	}
}

func TestSMSSingleValidation(t *testing.T) {
	fake := clock.NewFake(t0)
	s := start(t, Config{APIKey: testKey, Now: fake.Now})
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		body string
		code int
	}{
		{"malformed JSON", `{"destination":`, 1000},
		{"not an object", `[1,2]`, 1000},
		{"wrong type", `{"destination":6591234567,"text":"x"}`, 1000},
		{"empty body", ``, 1000},
		{"missing destination", `{"text":"x"}`, 1002},
		{"leading zero", `{"destination":"+06591234567","text":"x"}`, 1002},
		{"too short", `{"destination":"+123456","text":"x"}`, 1002},
		{"too long", `{"destination":"+1234567890123456","text":"x"}`, 1002},
		{"letters", `{"destination":"+65912345a7","text":"x"}`, 1002},
		{"missing text", `{"destination":"+6591234567"}`, 1004},
		{"source too long", `{"destination":"+6591234567","text":"x","source":"` + long(17) + `"}`, 1005},
		{"bad encoding", `{"destination":"+6591234567","text":"x","encoding":"UTF8"}`, 1003},
		{"country too long", `{"destination":"+6591234567","text":"x","country":"SGP"}`, 1009},
		{"clientMessageId too long", `{"destination":"+6591234567","text":"x","clientMessageId":"` + long(351) + `"}`, 3009},
		{"expiry passed", `{"destination":"+6591234567","text":"x","expiry":"2026-08-01T02:14:07Z"}`, 1006},
		{"expiry garbage", `{"destination":"+6591234567","text":"x","expiry":"tomorrow"}`, 1006},
		{"scheduled too far", `{"destination":"+6591234567","text":"x","scheduled":"2026-08-09T00:00:00Z"}`, 1011},
		{"bad callback", `{"destination":"+6591234567","text":"x","dlrCallbackUrl":"ftp://x"}`, 1000},
		{"bad client IP", `{"destination":"+6591234567","text":"x","clientIp":"300.1.1.1"}`, 1012},
		{"bad track", `{"destination":"+6591234567","text":"x","track":"Always"}`, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, post(t, s, smsPath("acme_hq"), tc.body), 400, tc.code)
		})
	}
	// The limits themselves are accepted.
	ok := `{"destination":"+6591234567","text":"x","source":"` + long(16) + `","clientMessageId":"` + long(350) + `"}`
	if r := post(t, s, smsPath("acme_hq"), ok); r.status != 200 {
		t.Errorf("at the limits: status %d, body %s", r.status, r.body)
	}
	if got := s.Ledger().Accepted(); got != 1 {
		t.Errorf("ledger accepted = %d, want only the valid message", got)
	}
}

type rawBatch struct {
	BatchID       string   `json:"batchId"`
	ClientBatchID *string  `json:"clientBatchId"`
	AcceptedCount int      `json:"acceptedCount"`
	RejectedCount int      `json:"rejectedCount"`
	Messages      []rawSMS `json:"messages"`
}

func TestSMSBatch(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	body := `{"clientBatchId":"promo-2026-08-01","template":{"source":"AcmeShop","text":"Flash sale today only!","encoding":"AUTO"},
	 "messages":[
	  {"destination":"+447700900123","clientMessageId":"promo-0001"},
	  {"destination":"+447700","clientMessageId":"promo-0002","text":"Hi Priya"},
	  {"destination":"+447700900456","text":"Ünïcødé ✓"},
	  {"destination":"+447700900789","clientMessageId":"promo-0004","source":"` + strings.Repeat("s", 17) + `"}],
	 "includeMessagesInResponse":true}`
	r := post(t, s, batchPath("acme_hq"), body)
	if r.status != 200 {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var got rawBatch
	decode(t, r, &got)
	if !uuidRE.MatchString(got.BatchID) || deref(got.ClientBatchID) != "promo-2026-08-01" {
		t.Errorf("batchId %q, clientBatchId %v", got.BatchID, deref(got.ClientBatchID))
	}
	if got.AcceptedCount != 2 || got.RejectedCount != 2 || len(got.Messages) != 4 {
		t.Fatalf("accepted %d rejected %d messages %d, want 2 2 4", got.AcceptedCount, got.RejectedCount, len(got.Messages))
	}
	want := []struct{ id, dest, enc, code string }{
		{"promo-0001", "447700900123", "GSM7", "QUEUED"},
		{"promo-0002", "447700", "GSM7", "REJECTED"},
		{"promo-2026-08-01/447700900456", "447700900456", "UCS2", "QUEUED"},
		{"promo-0004", "447700900789", "GSM7", "REJECTED"},
	}
	for i, w := range want {
		m := got.Messages[i]
		if deref(m.ClientMessageID) != w.id || m.Destination != w.dest || m.Status.Code != w.code || m.Encoding != w.enc {
			t.Errorf("messages[%d] = id %v dest %q enc %q status %q; want %q %q %q %q",
				i, deref(m.ClientMessageID), m.Destination, m.Encoding, m.Status.Code, w.id, w.dest, w.enc, w.code)
		}
		if !uuidRE.MatchString(m.UMID) || m.Status.Description == "" {
			t.Errorf("messages[%d]: umid %q description %q", i, m.UMID, m.Status.Description)
		}
	}
	l := s.Ledger()
	for id, n := range map[string]int{"promo-0001": 1, "promo-0002": 0, "promo-2026-08-01/447700900456": 1, "promo-0004": 0} {
		if c := l.Count("acme_hq", id); c != n {
			t.Errorf("ledger count %q = %d, want %d", id, c, n)
		}
	}
}

func TestSMSBatchSharedAndDefaults(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	// Shared-content mode, without includeMessagesInResponse: messages and
	// clientBatchId are null.
	r := post(t, s, batchPath("acme_ops"), `{"destinations":["+6581110001","+6581110002","12"],
		"template":{"source":"AcmeOps","text":"Service restored."}}`)
	var m map[string]json.RawMessage
	decode(t, r, &m)
	for _, k := range []string{"messages", "clientBatchId"} {
		if v, ok := m[k]; !ok || string(v) != "null" {
			t.Errorf("%s = %s (present %v), want null", k, v, ok)
		}
	}
	if string(m["acceptedCount"]) != "2" || string(m["rejectedCount"]) != "1" {
		t.Errorf("counts = %s/%s, want 2/1", m["acceptedCount"], m["rejectedCount"])
	}
	if got := s.Ledger().Count("acme_ops", ""); got != 2 {
		t.Errorf("anonymous accepted = %d, want 2", got)
	}
	// messages wins over destinations.
	r = post(t, s, batchPath("acme_ops"), `{"messages":[{"destination":"+6581110003","clientMessageId":"a"}],
		"destinations":["+6581110004","+6581110005"],"template":{"text":"x"}}`)
	var b rawBatch
	decode(t, r, &b)
	if b.AcceptedCount != 1 || s.Ledger().Count("acme_ops", "a") != 1 {
		t.Errorf("accepted %d, ledger a %d; want messages to win", b.AcceptedCount, s.Ledger().Count("acme_ops", "a"))
	}
	// No text anywhere: every item rejected, still a 200.
	r = post(t, s, batchPath("acme_ops"), `{"messages":[{"destination":"+6581110003"}]}`)
	decode(t, r, &b)
	if r.status != 200 || b.AcceptedCount != 0 || b.RejectedCount != 1 {
		t.Errorf("status %d accepted %d rejected %d; want 200 0 1", r.status, b.AcceptedCount, b.RejectedCount)
	}
}

func TestSMSBatchLimits(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	dests := func(n int) string {
		var sb strings.Builder
		sb.WriteString(`{"template":{"text":"x"},"destinations":[`)
		for i := range n {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(`"+6581110001"`)
		}
		sb.WriteString(`]}`)
		return sb.String()
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   int
	}{
		{"no messages", `{"template":{"text":"x"}}`, 400, 3012},
		{"empty messages", `{"messages":[],"template":{"text":"x"}}`, 400, 3012},
		{"too many", dests(10_001), 400, 3013},
		{"exactly the max", dests(10_000), 200, 0},
		{"clientBatchId too long", `{"clientBatchId":"` + strings.Repeat("b", 21) + `","destinations":["+6581110001"],"template":{"text":"x"}}`, 400, 3014},
		{"clientBatchId at the max", `{"clientBatchId":"` + strings.Repeat("b", 20) + `","destinations":["+6581110001"],"template":{"text":"x"}}`, 200, 0},
		{"bad clientIp", `{"clientIp":"nope","destinations":["+6581110001"],"template":{"text":"x"}}`, 400, 1012},
		{"malformed", `{"messages":[{]}`, 400, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, batchPath("acme_hq"), tc.body)
			if tc.status == 200 {
				if r.status != 200 {
					t.Fatalf("status %d, body %.300s", r.status, r.body)
				}
				return
			}
			wantError(t, r, tc.status, tc.code)
		})
	}
	if got := s.Ledger().Accepted(); got != 10_001 {
		t.Errorf("ledger accepted = %d, want 10001 (the two good batches)", got)
	}
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}
