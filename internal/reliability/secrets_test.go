package reliability

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/envelope"
)

// TestSecretsClientFormatting: printing or logging the client or its
// config, the way a careless caller would, must not show the key.
func TestSecretsClientFormatting(t *testing.T) {
	obs := newObserver(t)
	cfg := obs.configure(client.Config{BaseURL: "http://127.0.0.1:1"})
	c := obs.newClient(cfg)
	obs.value("client.Config", cfg)
	obs.value("*client.Config", &cfg)
	obs.value("*client.Client", c)
	log := obs.logger()
	log.Info("config", "cfg", cfg)
	log.Info("client", "client", c)
	log.Info("both", slog.Any("cfg", &cfg), slog.Any("client", c))
	if obs.logLines.Load() == 0 {
		t.Fatal("the logger wrote nothing: the scan proved nothing")
	}
}

// TestSecretsInEveryOutcome runs one client through every kind of outcome
// the emulator can produce (accepted, rejected, 1002, 3038, 401 halt, 403
// halt, 429, 5xx retried, reset, garbage, truncated, breaker open, batch,
// chat) with a debug logger and every hook attached, and scans it all.
func TestSecretsInEveryOutcome(t *testing.T) {
	t.Parallel()
	srv := emulatortest.Start(t, emulator.Config{
		APIKey:    canaryKey,
		Templates: []string{"order_shipped"},
		Tenants:   map[string]emulator.TenantConfig{"forbidden": {Disabled: true}},
		Script: []emulator.Fault{
			{Kind: emulator.Fault500, SubAccount: "faulty"},
			{Kind: emulator.FaultAcceptedThen500, SubAccount: "faulty"},
			{Kind: emulator.FaultResetAfterBody, SubAccount: "faulty"},
			{Kind: emulator.FaultAcceptedThenReset, SubAccount: "faulty"},
			{Kind: emulator.Fault429, RetryAfter: time.Second, SubAccount: "faulty"},
			{Kind: emulator.FaultGarbage, SubAccount: "faulty"},
			{Kind: emulator.FaultTruncated, SubAccount: "faulty"},
			{Kind: emulator.Fault503, SubAccount: "faulty"},
		},
	})
	obs := newObserver(t)
	clk := newJumpClock()
	c := obs.newClient(client.Config{BaseURL: srv.URL(), Clock: clk, Rand: half})
	bad := obs.newClientKey(client.Config{BaseURL: srv.URL(), Clock: clk}, "sk-LEAKCANARY-wrong-key-000")
	ctx := context.Background()

	for i := range 8 {
		obs.sendSMS(c, ctx, "faulty", sms(100+i, ""))
	}
	_, err := obs.sendSMS(c, ctx, "acme_hq", client.SMS{Destination: "+0447700123456", Text: canaryText})
	if ae, ok := errors.AsType[*client.APIError](err); !ok || ae.Code != envelope.CodeInvalidMSISDN {
		t.Errorf("bad MSISDN: err = %v, want an APIError with code 1002", err)
	}
	if _, err := obs.sendSMS(c, ctx, "forbidden", sms(200, "")); !errors.Is(err, client.ErrTenantHalted) {
		t.Errorf("forbidden sub-account: err = %v, want ErrTenantHalted", err)
	}
	obs.sendSMS(c, ctx, "forbidden", sms(201, "")) // refused while halted
	if _, err := obs.sendSMS(bad, ctx, "acme_hq", sms(202, "")); !errors.Is(err, client.ErrTenantHalted) {
		t.Errorf("wrong key: err = %v, want ErrTenantHalted", err)
	}
	for _, msg := range []client.SMS{
		{Destination: "", Text: canaryText},
		{Destination: phone(300), Text: ""},
		{Destination: phone(301), Text: canaryText, ClientMessageID: string(make([]byte, 400))},
	} {
		if _, err := obs.sendSMS(c, ctx, "acme_hq", msg); !typedErr(err) {
			t.Errorf("invalid input: err = %v, want a *client.ValidationError", err)
		}
	}
	if _, err := obs.sendSMS(c, ctx, "x", sms(302, "")); !typedErr(err) {
		t.Errorf("invalid sub-account: err = %v, want a typed error", err)
	}

	var br client.BatchResult
	obs.guard("SendBatch", func() {
		br, err = c.SendBatch(ctx, "acme_hq", client.Batch{
			ClientBatchID: "b1", Template: client.SMSTemplate{Text: canaryText},
			Messages: []client.SMS{{Destination: phone(400)}, {Destination: "12"}, {Destination: phone(401), Text: canaryText + " 2"}},
		})
	})
	obs.err("SendBatch", err)
	obs.value("BatchResult", br)
	if br.Accepted != 2 || br.Rejected != 1 {
		t.Errorf("batch: %d accepted, %d rejected; want 2 and 1 (err %v)", br.Accepted, br.Rejected, err)
	}
	for _, m := range br.Messages {
		obs.err("batch message", m.Err)
	}

	chat := client.Chat{User: client.ChatUser{MSISDN: phone(500)}, Content: client.ChatContent{Text: canaryText}}
	var res client.Result
	obs.guard("SendChat", func() { res, err = c.SendChat(ctx, "acme_chat", chat) })
	obs.err("SendChat", err)
	obs.value("SendChat result", res)
	tpl := chat
	tpl.Type = "template"
	tpl.Content = client.ChatContent{Template: &client.ChatTemplate{Name: "no_such", Language: "en"}, FallbackText: canaryText}
	obs.guard("SendChat", func() { res, err = c.SendChat(ctx, "acme_chat", tpl) })
	obs.err("SendChat template", err)
	if ae, ok := errors.AsType[*client.APIError](err); !ok || ae.Code != envelope.CodeTemplateNotFound || ae.Attempts != 1 {
		t.Errorf("unknown template: err = %v, want an APIError 3038 after 1 attempt", err)
	}
	var cbr client.BatchResult
	obs.guard("SendChatBatch", func() {
		cbr, err = c.SendChatBatch(ctx, "acme_chat", client.ChatBatch{Messages: []client.Chat{chat, tpl}})
	})
	obs.err("SendChatBatch", err)
	obs.value("chat BatchResult", cbr)
	for _, m := range cbr.Messages {
		obs.err("chat batch message", m.Err)
	}

	// A canceled send and a send after Close.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	obs.sendSMS(c, cctx, "acme_hq", sms(600, ""))
	c.Close()
	if _, err := obs.sendSMS(c, ctx, "acme_hq", sms(601, "")); !errors.Is(err, client.ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}

	if obs.logLines.Load() < 10 || obs.payloads.Load() < 10 {
		t.Errorf("saw %d log records and %d hook payloads; the scan needs real material", obs.logLines.Load(), obs.payloads.Load())
	}
}

// TestLeakOfFindsSecrets proves the scanner the other tests rely on: it
// finds each secret in the forms a leak would take, and passes what the
// client may legitimately show.
func TestLeakOfFindsSecrets(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"Authorization: Bearer " + canaryKey, "the API key"},
		{`{"key":"sk-LEAKCANARY-12"}`, "the API key"},
		{"text=" + canaryText, "the message text"},
		{"destination=+447700123456", "a full phone number"},
		{`"destination":"447700000001"`, "a full phone number"},
		{"to +0447700999999 via", "a full phone number"},
		{"destination=+44*******56", ""},
		{"447700 12345", ""},
		{"44770012345", ""},
		{"api_key=[REDACTED] status=429 attempt=2", ""},
	} {
		if got := leakOf(tc.in); got != tc.want {
			t.Errorf("leakOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
