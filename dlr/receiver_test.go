package dlr

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

func TestNewRefuses(t *testing.T) {
	ok := func(Receipt) {}
	tests := []struct {
		name  string
		c     Config
		field string
	}{
		{"no authorization", Config{OnReceipt: ok}, "Authorization"},
		{"only empty authorization", Config{Authorization: []string{""}, OnReceipt: ok}, "Authorization"},
		{"no OnReceipt", Config{Authorization: []string{testAuth}}, "OnReceipt"},
		{"negative body", Config{Authorization: []string{testAuth}, OnReceipt: ok, MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"workers", Config{Authorization: []string{testAuth}, OnReceipt: ok, Workers: 5000}, "Workers"},
		{"negative TTL", Config{Authorization: []string{testAuth}, OnReceipt: ok, StateTTL: -time.Second}, "StateTTL"},
	}
	for _, tt := range tests {
		_, err := New(tt.c)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field || !strings.HasPrefix(err.Error(), "dlr: ") {
			t.Errorf("%s: New = %v, want a *ConfigError for %s", tt.name, err, tt.field)
		}
	}
}

func TestAuthorization(t *testing.T) {
	rv, srv, s := serve(t, Config{Authorization: []string{testAuth, "Basic dXNlcjpwYXNzd29yZA=="}})
	body := testdata(t, "webhook_sms_delivered.json")
	tests := []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{testAuth + "x", http.StatusUnauthorized},
		{testAuth[:len(testAuth)-1], http.StatusUnauthorized},
		{"bearer 9QQhlsEb8VY", http.StatusUnauthorized},
		{"Basic dXNlcjpwYXNzd29yZA==", http.StatusOK}, // the second value (a rotation)
		{testAuth, http.StatusOK},
	}
	for _, tt := range tests {
		if got := post(t, srv, tt.auth, body); got != tt.want {
			t.Errorf("Authorization %q: status %d, want %d", tt.auth, got, tt.want)
		}
	}
	s.wait(t, 1)
	st := settled(t, rv)
	if st.Unauthorized != 5 || st.Receipts != 1 || st.Duplicates != 1 {
		t.Errorf("stats %+v, want 5 unauthorized, 1 receipt, 1 duplicate", st)
	}
	// Bad auth is refused before the method is looked at.
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req.Header.Set("Authorization", testAuth)
	resp2, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp2.StatusCode != http.StatusMethodNotAllowed ||
		resp2.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d without auth, %d (Allow %q) with", resp.StatusCode, resp2.StatusCode, resp2.Header.Get("Allow"))
	}
}

func TestAllowUnauthenticated(t *testing.T) {
	rv, srv, s := serve(t, Config{AllowUnauthenticated: true})
	if got := post(t, srv, "", testdata(t, "webhook_sms_delivered.json")); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	s.wait(t, 1)
	if st := settled(t, rv); st.Receipts != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestReceiptFormats(t *testing.T) {
	rv, srv, s := serve(t, Config{})
	files := []string{"webhook_sms_delivered.json", "webhook_sms_undelivered.json", "webhook_chat_v9_read.json",
		"webhook_chat_v9_failed.json", "webhook_chat_v9_outbound_content.json", "webhook_chat_v8_delivered.json",
		"webhook_flat_v4.json"}
	for _, f := range files {
		if got := post(t, srv, testAuth, testdata(t, f)); got != http.StatusOK {
			t.Fatalf("%s: status %d", f, got)
		}
	}
	s.wait(t, len(files))
	// Another request reuses the pooled body buffer: the receipts handed
	// over must not change.
	post(t, srv, testAuth, strings.Repeat(" ", 2000)+`{"namespace":"x"}`)
	got, _ := s.all()
	wantFormats := []envelope.Format{envelope.FormatSMS, envelope.FormatSMS, envelope.FormatChatV9, envelope.FormatChatV9,
		envelope.FormatChatV9, envelope.FormatChatV8, envelope.FormatFlat}
	for i, r := range got {
		if r.Format != wantFormats[i] || r.Previous != "" || r.ReceivedAt.IsZero() {
			t.Errorf("receipt %d: %+v", i, r)
		}
	}
	if r := got[1]; r.UMID != "7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f" || r.ClientMessageID != "promo-0002" ||
		r.Recipient != "+447700900456" || r.ErrorCode != envelope.DLRSubscriberNotReachable ||
		r.ErrorMessage != "Subscriber not reachable" || r.Hint() != envelope.HintTransient || !r.Final() {
		t.Errorf("undelivered SMS receipt: %+v", r)
	}
	if r := got[6]; r.State != envelope.StateDelivered || r.Detail != envelope.DetailDeliveredToRecipient ||
		r.LegacyStatus != "DELIVERED TO DEVICE" || r.Channel != "whatsapp" {
		t.Errorf("flat receipt: %+v", r)
	}
	if st := settled(t, rv); st.Receipts != 7 || st.Unsupported != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRedeliveryAndOrder(t *testing.T) {
	rv, srv, s := serve(t, Config{})
	const u1, u2 = "11111111-0000-0000-0000-000000000001", "11111111-0000-0000-0000-000000000002"
	steps := []struct {
		body string
		want bool // handed over
	}{
		{smsDLR(u1, "sent", "", "2026-08-01T02:00:00Z"), true},
		{smsDLR(u1, "sent", "", "2026-08-01T02:00:00Z"), false}, // redelivery
		{smsDLR(u1, "delivered", "delivered_to_recipient", "2026-08-01T02:00:05Z"), true},
		{smsDLR(u1, "sent", "", "2026-08-01T02:00:00Z"), false},                                // late
		{smsDLR(u1, "sent", "", "2026-08-01T02:09:00Z"), false},                                // stamped later, still lower
		{smsDLR(u1, "delivered", "delivered_to_operator", "2026-08-01T02:00:09Z"), false},      // lower rank
		{smsDLR(u2, "delivered", "delivered_to_recipient", "2026-08-01T02:00:05Z"), true},      // arrives first
		{smsDLR(u2, "queued", "", "2026-08-01T02:00:01Z"), false},                              // late
		{smsDLR(u2, "undelivered", "undelivered_to_recipient", "2026-08-01T02:00:04Z"), false}, // same rank, earlier
		{smsDLR(u2, "undelivered", "undelivered_to_recipient", "2026-08-01T02:00:06Z"), true},  // same rank, later
	}
	n := 0
	for i, st := range steps {
		if got := post(t, srv, testAuth, st.body); got != http.StatusOK {
			t.Fatalf("step %d: status %d", i, got)
		}
		if st.want {
			n++
			s.wait(t, 1)
		}
	}
	stats := settled(t, rv)
	got, _ := s.all()
	if len(got) != n || stats.Receipts != uint64(n) || stats.Duplicates != 1 || stats.Stale != 5 {
		t.Fatalf("%d receipts, stats %+v; want %d receipts, 1 duplicate, 5 stale", len(got), stats, n)
	}
	if got[1].State != envelope.StateDelivered || got[1].Previous != envelope.StateSent ||
		got[3].State != envelope.StateUndelivered || got[3].Previous != envelope.StateDelivered {
		t.Errorf("receipts %+v", got)
	}
}

func TestChannelFallback(t *testing.T) {
	// One umid, a WhatsApp failure and then the SMS fallback: both are
	// handed over, since each channel has its own state.
	rv, srv, s := serve(t, Config{})
	wa := `{"version":9,"namespace":"ChatApps","eventType":"outbound_message_status_changed","payload":{"umid":"u-1",
		"channel":"whatsapp","status":{"state":"undelivered","detail":"rejected_by_operator","timestamp":"2026-08-01T02:00:00Z","errorCode":1018}}}`
	sms := `{"version":9,"namespace":"ChatApps","eventType":"outbound_message_status_changed","payload":{"umid":"u-1",
		"channel":"SMS","status":{"state":"delivered","detail":"delivered_to_operator","timestamp":"2026-08-01T02:00:01Z"}}}`
	post(t, srv, testAuth, wa)
	post(t, srv, testAuth, sms)
	s.wait(t, 2)
	if st := settled(t, rv); st.Receipts != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUnusableBodiesGet200(t *testing.T) {
	rv, srv, s := serve(t, Config{MaxBodyBytes: 1024})
	tests := []struct {
		name string
		body string
	}{
		{"garbage", "not json"},
		{"empty", ""},
		{"truncated", `{"namespace":"SMS","payload":{"umid":"x"`},
		{"xml", `  <?xml version="1.0"?><root><namespace>SMS</namespace></root>`},
		{"unknown namespace", `{"namespace":"Voice","eventType":"outbound_message_status_changed","payload":{"umid":"v"}}`},
		{"no umid", `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"status":{"state":"sent"}}}`},
		{"umid number", `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":5,"status":{"state":"sent"}}}`},
		{"no state", `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":"x"}}`},
		{"oversize", `{"namespace":"SMS","x":"` + strings.Repeat("a", 2000) + `"}`},
		{"top-level array", `[1,2]`},
	}
	for _, tt := range tests {
		if got := post(t, srv, testAuth, tt.body); got != http.StatusOK {
			t.Errorf("%s: status %d, want 200", tt.name, got)
		}
	}
	// A bad value in a field that is not essential leaves the receipt usable.
	usable := `{"namespace":"ChatApps","eventType":"outbound_message_status_changed","payload":{"umid":"u-9","channel":"whatsapp",
		"status":{"state":"undelivered","timestamp":"yesterday","errorCode":1015},"whatsapp":{"providerErrorCode":131009}}}`
	if got := post(t, srv, testAuth, usable); got != http.StatusOK {
		t.Fatalf("usable: status %d", got)
	}
	s.wait(t, 1)
	st := settled(t, rv)
	if st.Malformed != 7 || st.Unsupported != 2 || st.Oversize != 1 || st.Receipts != 1 {
		t.Errorf("stats %+v, want 7 malformed, 2 unsupported, 1 oversize, 1 receipt", st)
	}
	got, _ := s.all()
	if got[0].ErrorCode != envelope.DLRWhatsAppInvalidParameterValue || !got[0].Timestamp.IsZero() {
		t.Errorf("receipt %+v", got[0])
	}
}

func TestInbound(t *testing.T) {
	rv, srv, s := serve(t, Config{})
	for _, f := range []string{"webhook_sms_inbound.json", "webhook_chat_inbound_v3.json", "webhook_chat_echo.json",
		"webhook_sms_inbound.json"} {
		if got := post(t, srv, testAuth, testdata(t, f)); got != http.StatusOK {
			t.Fatalf("%s: status %d", f, got)
		}
	}
	s.wait(t, 3)
	st := settled(t, rv)
	receipts, inbound := s.all()
	if len(receipts) != 0 || len(inbound) != 3 || st.Inbound != 3 || st.Duplicates != 1 {
		t.Fatalf("%d receipts, %d inbound, stats %+v", len(receipts), len(inbound), st)
	}
	if m := inbound[0]; m.Kind != envelope.KindSMSInbound || m.Text != "STOP été" || m.From != "+6591234567" {
		t.Errorf("inbound SMS %+v", m)
	}
	if inbound[2].Kind != envelope.KindChatEcho {
		t.Errorf("echo %+v", inbound[2])
	}

	// Without OnInbound they are answered and counted.
	rv2, err := New(Config{Authorization: []string{testAuth}, OnReceipt: func(Receipt) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer rv2.Shutdown(t.Context())
	rec := recorder(rv2, testAuth, testdata(t, "webhook_chat_inbound_v3.json"))
	if rec != http.StatusOK || rv2.Stats().Ignored != 1 {
		t.Errorf("status %d, stats %+v", rec, rv2.Stats())
	}
}
