package envelope

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// stdString is what encoding/json writes for s (without HTML escaping).
func stdString(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestAppendString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"hello", `"hello"`},
		{`say "hi" \ bye`, `"say \"hi\" \\ bye"`},
		{"a\nb\tc\rd\be\ff", `"a\nb\tc\rd\be\ff"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`},
		{"café 你好 😀", `"café 你好 😀"`},
		{"line\u2028sep\u2029para", `"line\u2028sep\u2029para"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"\xc3", `"\ufffd"`},
		{"/path/to", `"/path/to"`},
		{strings.Repeat("0123456789", 5) + "\"", `"` + strings.Repeat("0123456789", 5) + `\""`},
	}
	for _, tt := range tests {
		got := string(AppendString(nil, tt.in))
		if got != tt.want {
			t.Errorf("AppendString(%+q) = %s, want %s", tt.in, got, tt.want)
		}
		if std := stdString(t, tt.in); got != std {
			t.Errorf("AppendString(%+q) = %s, encoding/json writes %s", tt.in, got, std)
		}
	}
	// It appends.
	if got := string(AppendString([]byte("x:"), "y")); got != `x:"y"` {
		t.Errorf("AppendString did not append: %s", got)
	}
}

var (
	sched = time.Date(2026, 8, 1, 19, 20, 30, 0, time.FixedZone("SGT", 8*3600))
	exp   = time.Date(2026, 8, 1, 10, 15, 0, 500_000_000, time.UTC)
)

func TestAppendSMSRequest(t *testing.T) {
	tests := []struct {
		name string
		r    SMSRequest
		want string
	}{
		{"minimal", SMSRequest{Destination: "+6591234567", Text: "hi"},
			`{"destination":"+6591234567","text":"hi"}`},
		{"empty required fields are kept", SMSRequest{}, `{"destination":"","text":""}`},
		{"full", SMSRequest{Destination: "+6591234567", Country: "SG", Source: "AcmeBank",
			ClientMessageID: "otp-7f3c2a9e-0001", Text: "Your code is \"482913\".\nIt expires in 5 minutes.",
			Encoding: "AUTO", Scheduled: sched, Expiry: exp, DLRCallbackURL: "https://hooks.acme.example/8x8/dlr?a=1&b=2",
			ClientIP: "203.0.113.7", Track: "Outcome"},
			`{"destination":"+6591234567","country":"SG","source":"AcmeBank","clientMessageId":"otp-7f3c2a9e-0001",` +
				`"text":"Your code is \"482913\".\nIt expires in 5 minutes.","encoding":"AUTO",` +
				`"scheduled":"2026-08-01T19:20:30+08:00","expiry":"2026-08-01T10:15:00.5Z",` +
				`"dlrCallbackUrl":"https://hooks.acme.example/8x8/dlr?a=1&b=2","clientIp":"203.0.113.7","track":"Outcome"}`},
	}
	lmt := time.Date(1900, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 6*3600+55*60+25))
	tests = append(tests, struct {
		name string
		r    SMSRequest
		want string
	}{"offset with seconds is written in UTC", SMSRequest{Destination: "1", Text: "t", Scheduled: lmt},
		`{"destination":"1","text":"t","scheduled":"1899-12-31T17:04:35Z"}`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendSMSRequest(nil, &tt.r))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("invalid JSON: %s", got)
			}
		})
	}
}

func TestAppendBatchRequest(t *testing.T) {
	tests := []struct {
		name string
		r    BatchRequest
		want string
	}{
		{"personalised", BatchRequest{
			ClientBatchID: "promo-2026-08-01",
			Template:      SMSTemplate{Source: "AcmeShop", Text: "Flash sale today only!", Encoding: "AUTO"},
			Messages: []SMSRequest{
				{Destination: "+447700900123", ClientMessageID: "promo-0001"},
				{Destination: "+447700900456", ClientMessageID: "promo-0002", Text: "Hi Priya, your VIP code SAVE30 works today only."},
			},
			Destinations:              []string{"ignored"},
			IncludeMessagesInResponse: true,
		}, `{"clientBatchId":"promo-2026-08-01","template":{"text":"Flash sale today only!","source":"AcmeShop","encoding":"AUTO"},` +
			`"messages":[{"destination":"+447700900123","clientMessageId":"promo-0001"},` +
			`{"destination":"+447700900456","clientMessageId":"promo-0002","text":"Hi Priya, your VIP code SAVE30 works today only."}],` +
			`"includeMessagesInResponse":true}`},
		{"shared content", BatchRequest{
			ClientBatchID: "outage-17", Destinations: []string{"+6581110001", "+6581110002"},
			Template: SMSTemplate{Source: "AcmeOps", Text: "Service restored.", Expiry: exp, DLRCallbackURL: "https://x"},
			ClientIP: "::1",
		}, `{"clientBatchId":"outage-17","template":{"text":"Service restored.","source":"AcmeOps","expiry":"2026-08-01T10:15:00.5Z","dlrCallbackUrl":"https://x"},` +
			`"destinations":["+6581110001","+6581110002"],"clientIp":"::1"}`},
		{"empty", BatchRequest{}, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendBatchRequest(nil, &tt.r))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAppendChatRequest(t *testing.T) {
	r := ChatRequest{
		User:            ChatUser{MSISDN: "+6598765432"},
		ClientMessageID: "order-88121-shipped",
		Type:            "template",
		Content: ChatContent{
			Template: &ChatTemplate{Name: "order_shipped", Language: "en", Components: []ChatTemplateComponent{
				{Type: "body", Parameters: []ChatTemplateParameter{{Type: "text", Text: "Mei Ling"}, {Type: "text", Text: "88121"}}},
				{Type: "button", SubType: "Url", Index: 0, Parameters: []ChatTemplateParameter{{Type: "text", Text: "track/88121"}}},
			}},
			FallbackText: "Hi Mei Ling, order 88121 has shipped.",
			SMSEncoding:  "AUTO", SMSSource: "AcmeShop",
		},
		Channels:       []ChatChannel{{Channel: "WhatsApp", FallbackAfter: 900, SuccessStatus: "Delivered"}, {Channel: "SMS"}},
		DLRCallbackURL: "https://hooks.acme.example/8x8/chatapps-dlr",
	}
	want := `{"user":{"msisdn":"+6598765432"},"clientMessageId":"order-88121-shipped","type":"template",` +
		`"content":{"fallbackText":"Hi Mei Ling, order 88121 has shipped.","sms":{"encoding":"AUTO","source":"AcmeShop"},` +
		`"template":{"name":"order_shipped","language":"en","components":[` +
		`{"type":"body","parameters":[{"type":"text","text":"Mei Ling"},{"type":"text","text":"88121"}]},` +
		`{"type":"button","subType":"Url","index":0,"parameters":[{"type":"text","text":"track/88121"}]}]}},` +
		`"dlrCallbackUrl":"https://hooks.acme.example/8x8/chatapps-dlr",` +
		`"channels":[{"channel":"WhatsApp","fallbackAfter":900,"successStatus":"Delivered"},{"channel":"SMS"}]}`
	if got := string(AppendChatRequest(nil, &r)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	extra := ChatRequest{User: ChatUser{ChannelUserID: "US.1349"}, Type: "interactive",
		Content:   ChatContent{Text: "pick one", Extra: []byte(`"interactive":{"type":"button","action":{"buttons":[]}}`)},
		Scheduled: sched}
	want = `{"user":{"channelUserId":"US.1349"},"type":"interactive","content":{"text":"pick one",` +
		`"interactive":{"type":"button","action":{"buttons":[]}}},"scheduled":"2026-08-01T19:20:30+08:00"}`
	if got := string(AppendChatRequest(nil, &extra)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	onlyExtra := ChatRequest{Type: "location", Content: ChatContent{Extra: []byte(`"location":{"latitude":1.3,"longitude":103.8}`)}}
	want = `{"user":{},"type":"location","content":{"location":{"latitude":1.3,"longitude":103.8}}}`
	if got := string(AppendChatRequest(nil, &onlyExtra)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAppendChatBatchRequest(t *testing.T) {
	r := ChatBatchRequest{ClientBatchID: "ship-notices-0801", IncludeMessagesInResponse: true, Messages: []ChatRequest{
		{User: ChatUser{MSISDN: "+6598765432"}, ClientMessageID: "n-1", Type: "text", Content: ChatContent{Text: "Shipped 📦"}},
		{User: ChatUser{MSISDN: "+6591110000", Country: "SG"}},
	}}
	want := `{"clientBatchId":"ship-notices-0801","messages":[` +
		`{"user":{"msisdn":"+6598765432"},"clientMessageId":"n-1","type":"text","content":{"text":"Shipped 📦"}},` +
		`{"user":{"msisdn":"+6591110000","country":"SG"}}],"includeMessagesInResponse":true}`
	if got := string(AppendChatBatchRequest(nil, &r)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestEncodeAllocs(t *testing.T) {
	sms := SMSRequest{Destination: "+6591234567", Source: "AcmeBank", ClientMessageID: "otp-1",
		Text: "Your code is \"482913\" — 5 min\n\xff", Scheduled: sched, Expiry: exp, Track: "Outcome"}
	batch := BatchRequest{ClientBatchID: "b", Template: SMSTemplate{Text: "t", Expiry: exp},
		Messages: []SMSRequest{sms, sms, sms}, IncludeMessagesInResponse: true}
	chat := ChatRequest{User: ChatUser{MSISDN: "+6598765432"}, Type: "template", Scheduled: sched,
		Content: ChatContent{FallbackText: "fb", SMSSource: "Acme", Template: &ChatTemplate{Name: "n", Language: "en",
			Components: []ChatTemplateComponent{{Type: "body", Parameters: []ChatTemplateParameter{{Type: "text", Text: "x"}}}}},
			Extra: []byte(`"x":1`)},
		Channels: []ChatChannel{{Channel: "WhatsApp", FallbackAfter: 900}}}
	chatBatch := ChatBatchRequest{ClientBatchID: "cb", Messages: []ChatRequest{chat, chat}}
	buf := make([]byte, 0, 8192)
	tests := []struct {
		name string
		fn   func() []byte
	}{
		{"string", func() []byte { return AppendString(buf[:0], sms.Text) }},
		{"sms", func() []byte { return AppendSMSRequest(buf[:0], &sms) }},
		{"batch", func() []byte { return AppendBatchRequest(buf[:0], &batch) }},
		{"chat", func() []byte { return AppendChatRequest(buf[:0], &chat) }},
		{"chat-batch", func() []byte { return AppendChatBatchRequest(buf[:0], &chatBatch) }},
	}
	for _, tt := range tests {
		allocs := testing.AllocsPerRun(100, func() { sink = tt.fn() })
		if allocs != 0 {
			t.Errorf("%s: %v allocs per encode, want 0", tt.name, allocs)
		}
		if out := tt.fn(); !json.Valid(out) {
			t.Errorf("%s: invalid JSON %s", tt.name, out)
		}
	}
}

var sink []byte
