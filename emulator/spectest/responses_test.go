package spectest

import (
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

var t0 = time.Date(2026, 8, 1, 2, 14, 7, 420_000_000, time.UTC)

const (
	smsOK       = `{"destination":"+6591234567","text":"hello","clientMessageId":"m-1"}`
	smsNoID     = `{"destination":"6591234567","text":"héllo ☃"}`
	chatOK      = `{"user":{"msisdn":"+6598765432"},"clientMessageId":"c-1","type":"text","content":{"text":"hi"}}`
	chatNoID    = `{"user":{"msisdn":"6598765432","country":"SG"},"type":"text","content":{"text":"hi"}}`
	chatItem    = `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"x"}}`
	smsBatchAll = `{"clientBatchId":"promo-1","includeMessagesInResponse":true,
	  "template":{"source":"AcmeShop","text":"Flash sale"},
	  "messages":[{"destination":"+447700900123","clientMessageId":"p-1"},{"destination":"0123456"},
	   {"destination":"+447700900456","text":"Hi Priya"}]}`
	chatBatchAll = `{"clientBatchId":"ship-1","includeMessagesInResponse":true,
	  "messages":[{"user":{"msisdn":"+6598765432"},"clientMessageId":"n-1","type":"text","content":{"text":"a"}},
	   {"user":{"msisdn":"+6591110000"},"type":"template","content":{"template":{"name":"nope","language":"en"}}},
	   {"clientMessageId":"n-3","type":"text","content":{"text":"c"}}]}`
)

func start(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	cfg.APIKey = testKey
	if cfg.Now == nil {
		cfg.Now = clock.NewFake(t0).Now
	}
	return emulatortest.Start(t, cfg)
}

// Every 200 the emulator gives for a send, SMS and chat apps, single and
// batch, with and without the optional ids and per-message results.
func TestSuccessConforms(t *testing.T) {
	s := start(t, emulator.Config{})
	for _, tc := range []struct {
		name, doc, path, body string
	}{
		{"sms", "sms", smsPath, smsOK},
		{"sms without clientMessageId", "sms", smsPath, smsNoID},
		{"sms batch with messages", "sms", batchPath, smsBatchAll},
		{"sms batch without messages or clientBatchId", "sms", batchPath, `{"template":{"text":"x"},"messages":[{"destination":"+6591234567"}]}`},
		{"sms batch of destinations", "sms", batchPath, `{"destinations":["+6581110001","+6581110002"],"template":{"text":"Restored"},"includeMessagesInResponse":true}`},
		{"chat", "chat", smsPath, chatOK},
		{"chat without clientMessageId", "chat", smsPath, chatNoID},
		{"chat batch with messages", "chat", batchPath, chatBatchAll},
		{"chat batch without messages or clientBatchId", "chat", batchPath, `{"messages":[` + chatItem + `]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conforms(t, tc.doc, tc.path, post(t, s.URL(), strings.ReplaceAll(tc.path, "{subAccountId}", "acme_hq"), testKey, tc.body), 200)
		})
	}
}

// Every error envelope the emulator produces for a send: validation
// (400), auth (401), a disabled sub-account (403), an over-large body
// (413), throttling (429, with Retry-After) and the 5xx faults.
func TestErrorsConform(t *testing.T) {
	type tc struct {
		name   string
		cfg    emulator.Config
		doc    string
		path   string
		key    string
		body   string
		status int
		sends  int // requests before the checked one (to empty a bucket)
	}
	sms, batch := "/api/v1/subaccounts/acme_hq/messages", "/api/v1/subaccounts/acme_hq/messages/batch"
	script := func(k emulator.FaultKind, ra time.Duration) emulator.Config {
		return emulator.Config{Script: []emulator.Fault{{Kind: k, RetryAfter: ra}}}
	}
	for _, c := range []tc{
		{name: "400 sms bad msisdn", doc: "sms", path: sms, body: `{"destination":"12","text":"x"}`, status: 400},
		{name: "400 sms no text", doc: "sms", path: sms, body: `{"destination":"+6591234567"}`, status: 400},
		{name: "400 malformed json", doc: "sms", path: sms, body: `{"destination":`, status: 400},
		{name: "400 wrong type", doc: "sms", path: sms, body: `{"destination":6591234567,"text":"x"}`, status: 400},
		{name: "400 chat bad msisdn", doc: "chat", path: sms, body: `{"user":{"msisdn":"12"},"type":"text","content":{"text":"x"}}`, status: 400},
		{name: "400 chat unknown template", doc: "chat", path: sms, body: `{"user":{"msisdn":"+6598765432"},"type":"template","content":{"template":{"name":"x","language":"en"}}}`, status: 400},
		{name: "400 sms batch empty", doc: "sms", path: batch, body: `{"messages":[]}`, status: 400},
		{name: "400 chat batch id too long", doc: "chat", path: batch, body: `{"clientBatchId":"` + strings.Repeat("c", 101) + `","messages":[` + chatItem + `]}`, status: 400},
		{name: "400 illegal sub-account", doc: "sms", path: "/api/v1/subaccounts/a!/messages", body: smsOK, status: 400},
		{name: "401 wrong key", doc: "sms", path: sms, key: "wrong", body: smsOK, status: 401},
		{name: "401 no key", doc: "chat", path: batch, key: "-", body: `{"messages":[` + chatItem + `]}`, status: 401},
		{name: "403 disabled", cfg: emulator.Config{Tenants: map[string]emulator.TenantConfig{"acme_hq": {Disabled: true}}}, doc: "sms", path: sms, body: smsOK, status: 403},
		{name: "413 sms", cfg: emulator.Config{MaxBodyBytes: 64}, doc: "sms", path: sms, body: `{"destination":"+6591234567","text":"` + strings.Repeat("x", 2<<20) + `"}`, status: 413},
		{name: "413 chat batch", cfg: emulator.Config{MaxBodyBytes: 64}, doc: "chat", path: batch, body: `{"messages":[` + strings.Repeat(chatItem+",", 20) + chatItem + `]}`, status: 413},
		{name: "429 bucket", cfg: emulator.Config{Rate: 1, Burst: 1}, doc: "sms", path: sms, body: smsOK, status: 429, sends: 1},
		{name: "429 fault", cfg: script(emulator.Fault429, 3*time.Second), doc: "chat", path: sms, body: chatOK, status: 429},
		{name: "500 fault", cfg: script(emulator.Fault500, 0), doc: "sms", path: batch, body: smsBatchAll, status: 500},
		{name: "500 accepted then", cfg: script(emulator.FaultAcceptedThen500, 0), doc: "chat", path: sms, body: chatOK, status: 500},
		{name: "503 fault", cfg: script(emulator.Fault503, 2*time.Second), doc: "sms", path: sms, body: smsOK, status: 503},
		{name: "503 fault, no hint", cfg: script(emulator.Fault503, 0), doc: "chat", path: batch, body: chatBatchAll, status: 503},
		{name: "503 outage", cfg: emulator.Config{Outage: []emulator.Window{{Start: t0.Add(-time.Minute), End: t0.Add(time.Minute)}}}, doc: "sms", path: sms, body: smsOK, status: 503},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := start(t, c.cfg)
			key := c.key
			switch key {
			case "":
				key = testKey
			case "-":
				key = ""
			}
			for range c.sends {
				post(t, s.URL(), c.path, key, c.body)
			}
			tpl := smsPath
			if strings.HasSuffix(c.path, "/batch") {
				tpl = batchPath
			}
			conforms(t, c.doc, tpl, post(t, s.URL(), c.path, key, c.body), c.status)
		})
	}
}
