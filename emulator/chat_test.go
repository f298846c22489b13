package emulator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
)

type rawChat struct {
	UMID            string            `json:"umid"`
	User            map[string]string `json:"user"`
	ClientMessageID *string           `json:"clientMessageId"`
	Status          struct {
		State        string `json:"state"`
		Timestamp    string `json:"timestamp"`
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"status"`
}

type rawChatBatch struct {
	BatchID       string    `json:"batchId"`
	ClientBatchID *string   `json:"clientBatchId"`
	AcceptedCount int       `json:"acceptedCount"`
	RejectedCount int       `json:"rejectedCount"`
	Messages      []rawChat `json:"messages"`
}

const orderShipped = `{"user":{"msisdn":"+6598765432"},"clientMessageId":"order-88121-shipped","type":"template",
 "content":{"template":{"name":"order_shipped","language":"en","components":[{"type":"body","parameters":[{"type":"text","text":"Mei Ling"}]}]},
  "fallbackText":"Hi Mei Ling, order 88121 has shipped.","sms":{"encoding":"AUTO","source":"AcmeShop"}},
 "channels":[{"channel":"WhatsApp","fallbackAfter":900,"successStatus":"Delivered"},{"channel":"SMS"}],
 "dlrCallbackUrl":"https://hooks.acme.example/8x8/chatapps-dlr"}`

func TestChatSingle(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Templates: []string{"order_shipped"}, Now: clock.NewFake(t0).Now})
	tests := []struct {
		name, body string
		wantUser   map[string]string
		wantID     *string
	}{
		{"template", orderShipped, map[string]string{"msisdn": "+6598765432"}, ptr("order-88121-shipped")},
		{"text, no id", `{"user":{"msisdn":"6598765432","country":"SG"},"type":"text","content":{"text":"hi"}}`,
			map[string]string{"msisdn": "6598765432", "country": "SG"}, nil},
		{"capitalised type, channel user", `{"user":{"channelUserId":"US.1349"},"type":"Image","content":{"url":"https://x.example/a.png"},"clientMessageId":"img"}`,
			map[string]string{"channelUserId": "US.1349"}, ptr("img")},
		{"line user", `{"user":{"lineUserId":"U4af4980629"},"type":"location","content":{"location":{"latitude":1.2857,"longitude":103.8479}}}`,
			map[string]string{"lineUserId": "U4af4980629"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, smsPath("acme_chat"), tc.body)
			if r.status != 200 {
				t.Fatalf("status %d body %s", r.status, r.body)
			}
			var got rawChat
			decode(t, r, &got)
			if !uuidRE.MatchString(got.UMID) {
				t.Errorf("umid %q", got.UMID)
			}
			if !equalMaps(got.User, tc.wantUser) {
				t.Errorf("user = %v, want %v", got.User, tc.wantUser)
			}
			if deref(got.ClientMessageID) != deref(tc.wantID) {
				t.Errorf("clientMessageId = %v, want %v", deref(got.ClientMessageID), deref(tc.wantID))
			}
			if got.Status.State != "queued" || got.Status.Timestamp != "2026-08-01T02:14:07.42Z" || got.Status.ErrorCode != 0 {
				t.Errorf("status = %+v, want queued at 2026-08-01T02:14:07.42Z", got.Status)
			}
			var m map[string]json.RawMessage
			decode(t, r, &m)
			// The chat spec types clientMessageId as a string: left out
			// when none was sent, never null.
			if v, ok := m["clientMessageId"]; ok != (tc.wantID != nil) || string(v) == "null" {
				t.Errorf("clientMessageId = %s (present %v), want it only when sent", v, ok)
			}
		})
	}
	if got := s.Ledger().Count("acme_chat", "order-88121-shipped"); got != 1 {
		t.Errorf("ledger count = %d, want 1", got)
	}
	if got := s.Ledger().Accepted(); got != len(tests) {
		t.Errorf("accepted = %d, want %d", got, len(tests))
	}
}

func TestChatSingleValidation(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Templates: []string{"order_shipped"}, Now: clock.NewFake(t0).Now})
	text := func(extra string) string {
		return `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"hi"}` + extra + `}`
	}
	tests := []struct {
		name, body string
		code       int
	}{
		{"no user id", `{"user":{},"type":"text","content":{"text":"hi"}}`, 3015},
		{"bad msisdn", `{"user":{"msisdn":"+0123"},"type":"text","content":{"text":"hi"}}`, 3003},
		{"bad country", `{"user":{"msisdn":"+6598765432","country":"SGP"},"type":"text","content":{"text":"hi"}}`, 3018},
		{"id too long", text(`,"clientMessageId":"` + strings.Repeat("i", 51) + `"`), 3009},
		{"no type", `{"user":{"msisdn":"+6598765432"},"content":{"text":"hi"}}`, 3010},
		{"unknown type", `{"user":{"msisdn":"+6598765432"},"type":"fax","content":{"text":"hi"}}`, 3010},
		{"no content", `{"user":{"msisdn":"+6598765432"},"type":"text"}`, 3004},
		{"no text", `{"user":{"msisdn":"+6598765432"},"type":"text","content":{}}`, 3005},
		{"text too long", `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"` + strings.Repeat("t", 35_001) + `"}}`, 3006},
		{"no location", `{"user":{"msisdn":"+6598765432"},"type":"location","content":{}}`, 3021},
		{"location without latitude", `{"user":{"msisdn":"+6598765432"},"type":"location","content":{"location":{"longitude":103.8}}}`, 3021},
		{"longitude 181", `{"user":{"msisdn":"+6598765432"},"type":"location","content":{"location":{"latitude":1,"longitude":181}}}`, 3021},
		{"latitude not a number", `{"user":{"msisdn":"+6598765432"},"type":"location","content":{"location":{"latitude":true,"longitude":1}}}`, 1000},
		{"no media url", `{"user":{"msisdn":"+6598765432"},"type":"video","content":{}}`, 3007},
		{"bad media url", `{"user":{"msisdn":"+6598765432"},"type":"file","content":{"url":"not a url"}}`, 3008},
		{"empty template", `{"user":{"msisdn":"+6598765432"},"type":"template","content":{}}`, 3030},
		{"template without name", `{"user":{"msisdn":"+6598765432"},"type":"template","content":{"template":{"language":"en"}}}`, 3031},
		{"template without language", `{"user":{"msisdn":"+6598765432"},"type":"template","content":{"template":{"name":"order_shipped"}}}`, 3036},
		{"unknown template", strings.Replace(orderShipped, `"order_shipped"`, `"order_lost"`, 1), 3038},
		{"fallback too long", `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x","fallbackText":"` + strings.Repeat("f", 35_001) + `"}}`, 3017},
		{"sms source too long", `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x","sms":{"source":"` + strings.Repeat("s", 17) + `"}}}`, 3011},
		{"bad dlr url", text(`,"dlrCallbackUrl":"::"`), 3020},
		{"bad channel", text(`,"channels":[{"channel":"Pigeon"}]`), 3022},
		{"bad fallback delay", text(`,"channels":[{"channel":"SMS","fallbackAfter":5}]`), 3023},
		{"bad success status", text(`,"channels":[{"channel":"SMS","successStatus":"Opened"}]`), 3024},
		{"expiry passed", text(`,"expiry":"2020-01-01T00:00:00Z"`), 1006},
		{"user wrong type", `{"user":"+6598765432","type":"text","content":{"text":"hi"}}`, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, post(t, s, smsPath("acme_chat"), tc.body), 400, tc.code)
		})
	}
	if got := s.Ledger().Accepted(); got != 0 {
		t.Errorf("accepted = %d, want 0", got)
	}
}

func TestChatBatch(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Templates: []string{"ship_notice"}, Now: clock.NewFake(t0).Now})
	body := `{"clientBatchId":"ship-notices-0801","includeMessagesInResponse":true,
	 "template":{"type":"template","content":{"template":{"name":"ship_notice","language":"en"}}},
	 "messages":[
	  {"user":{"msisdn":"+6598765432"},"clientMessageId":"n-1"},
	  {"user":{"msisdn":"+6591110000"},"clientMessageId":"n-2","content":{"template":{"name":"nope","language":"en"}}},
	  {"user":{"msisdn":"+6591110001"},"type":"text","content":{"text":"custom"}},
	  {"clientMessageId":"n-4"}]}`
	r := post(t, s, batchPath("acme_chat"), body)
	if r.status != 200 {
		t.Fatalf("status %d body %s", r.status, r.body)
	}
	var got rawChatBatch
	decode(t, r, &got)
	if !uuidRE.MatchString(got.BatchID) || deref(got.ClientBatchID) != "ship-notices-0801" {
		t.Errorf("batchId %q clientBatchId %v", got.BatchID, deref(got.ClientBatchID))
	}
	if got.AcceptedCount != 2 || got.RejectedCount != 2 || len(got.Messages) != 4 {
		t.Fatalf("accepted %d rejected %d messages %d; want 2 2 4", got.AcceptedCount, got.RejectedCount, len(got.Messages))
	}
	want := []struct {
		id    string
		state string
		code  int
	}{
		{"n-1", "queued", 0},
		{"n-2", "rejected", 3038},
		{"<null>", "queued", 0},
		{"n-4", "rejected", 3001},
	}
	for i, w := range want {
		m := got.Messages[i]
		if deref(m.ClientMessageID) != w.id || m.Status.State != w.state || m.Status.ErrorCode != w.code {
			t.Errorf("messages[%d] = %v %s %d, want %s %s %d", i, deref(m.ClientMessageID), m.Status.State, m.Status.ErrorCode, w.id, w.state, w.code)
		}
		if w.code != 0 && m.Status.ErrorMessage == "" {
			t.Errorf("messages[%d]: rejected without errorMessage", i)
		}
	}
	if got.Messages[1].Status.ErrorMessage != "Template not found for provided name and language" {
		t.Errorf("3038 message = %q", got.Messages[1].Status.ErrorMessage)
	}
	l := s.Ledger()
	if l.Count("acme_chat", "n-1") != 1 || l.Count("acme_chat", "n-2") != 0 || l.Count("acme_chat", "") != 1 {
		t.Errorf("ledger n-1 %d n-2 %d anonymous %d; want 1 0 1", l.Count("acme_chat", "n-1"), l.Count("acme_chat", "n-2"), l.Count("acme_chat", ""))
	}

	// Items without a clientMessageId leave the key out.
	var raw struct {
		Messages []map[string]json.RawMessage `json:"messages"`
	}
	decode(t, r, &raw)
	if v, ok := raw.Messages[2]["clientMessageId"]; ok {
		t.Errorf("messages[2].clientMessageId = %s, want it left out", v)
	}

	// Without includeMessagesInResponse or a clientBatchId, both keys are
	// left out (the chat spec types them as array / string, not nullable).
	r = post(t, s, batchPath("acme_chat"), `{"messages":[{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x"}}]}`)
	var m map[string]json.RawMessage
	decode(t, r, &m)
	_, hasMessages := m["messages"]
	_, hasBatchID := m["clientBatchId"]
	if hasMessages || hasBatchID || string(m["acceptedCount"]) != "1" {
		t.Errorf("body %s: want no messages, no clientBatchId, acceptedCount 1", r.body)
	}
}

func TestChatBatchLimits(t *testing.T) {
	s := start(t, Config{APIKey: testKey})
	item := `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x"}}`
	items := func(n int) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	tests := []struct {
		name   string
		body   string
		status int
		code   int
	}{
		{"empty messages with chat template", `{"messages":[],"template":{"type":"text","content":{"text":"x"}}}`, 400, 3012},
		{"too many", `{"messages":[` + items(1001) + `]}`, 400, 3013},
		{"the max", `{"messages":[` + items(1000) + `]}`, 200, 0},
		{"clientBatchId too long", `{"clientBatchId":"` + strings.Repeat("c", 101) + `","messages":[` + item + `]}`, 400, 3014},
		{"clientBatchId at the max", `{"clientBatchId":"` + strings.Repeat("c", 100) + `","messages":[` + item + `]}`, 200, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, batchPath("acme_chat"), tc.body)
			if tc.status == 200 {
				if r.status != 200 {
					t.Fatalf("status %d body %.200s", r.status, r.body)
				}
				return
			}
			wantError(t, r, tc.status, tc.code)
		})
	}
	if got := s.Ledger().Accepted(); got != 1001 {
		t.Errorf("accepted = %d, want 1001", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// A quoted reply names the umid it answers: accepted with a GUID, refused
// with 3029 when empty and with 1000 when not a GUID.
func TestChatContext(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Now: clock.NewFake(t0).Now})
	reply := func(ctx string) string {
		return `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"Yes, 3pm works."},"context":` + ctx + `}`
	}
	for _, tc := range []struct {
		name, ctx string
		code      int
		msg       string
	}{
		{"guid", `{"umid":"0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}`, 0, ""},
		{"sql server guid", `{"umid":"BDA3D56D-1424-E711-813C-06ED3428FE67"}`, 0, ""},
		{"null", `null`, 0, ""},
		{"no umid", `{}`, 3029, "Missed UMID"},
		{"empty umid", `{"umid":""}`, 3029, "Missed UMID"},
		{"not a guid", `{"umid":"msg-1"}`, 1000, "Invalid umid."},
		{"guid without dashes", `{"umid":"0f6d2b8a91c44e57b1a23c4d5e6f7a8b0000"}`, 1000, "Invalid umid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, smsPath("acme_chat"), reply(tc.ctx))
			if tc.code == 0 {
				if r.status != 200 {
					t.Fatalf("status %d body %s, want 200", r.status, r.body)
				}
				return
			}
			if e := wantError(t, r, 400, tc.code); e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
		})
	}
}
