package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

func TestConfigNeverPrintsKey(t *testing.T) {
	cfg := Config{APIKey: testKey, BaseURL: "http://127.0.0.1:1"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		//lint:ignore S1025 the test checks what fmt prints for every verb
		fmt.Sprintf("%s", cfg), fmt.Sprintf("%v", &cfg), fmt.Sprintf("%+v", &cfg), logged.String(),
	} {
		if strings.Contains(s, testKey) {
			t.Errorf("key printed: %s", s)
		}
		if !strings.Contains(s, "REDACTED") {
			t.Errorf("no redaction marker in %s", s)
		}
	}
}

func TestPlainHTTPKeyOnlyToLoopback(t *testing.T) {
	for _, tc := range []struct {
		base, chat string
		key        string
		ok         bool
	}{
		{"http://127.0.0.1:8088", "", testKey, true},
		{"http://localhost:8088", "", testKey, true},
		{"http://[::1]:8088", "", testKey, true},
		{"https://sms.example.com", "", testKey, true},
		{"http://sms.example.com", "", testKey, false},
		{"http://10.0.0.7:8088", "", testKey, false},
		{"https://sms.example.com", "http://chat.example.com", testKey, false},
		{"ftp://127.0.0.1", "", testKey, false},
		{"https://user:pw@sms.example.com", "", testKey, false},
		{"127.0.0.1:8088", "", testKey, false},
	} {
		_, err := New(Config{APIKey: tc.key, BaseURL: tc.base, ChatBaseURL: tc.chat})
		if (err == nil) != tc.ok {
			t.Errorf("New(BaseURL %q, ChatBaseURL %q, key %v) err = %v, want ok %v", tc.base, tc.chat, tc.key != "", err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), testKey) {
			t.Errorf("error carries the key: %v", err)
		}
	}
	c, err := New(Config{APIKey: testKey})
	if err != nil {
		t.Fatalf("New with the default region: %v", err)
	}
	defer c.Close()
	if c.smsBase != "https://sms.8x8.com" || c.chatBase != "https://chatapps.8x8.com" {
		t.Errorf("default region URLs %q %q", c.smsBase, c.chatBase)
	}
}

func TestRegions(t *testing.T) {
	for _, tc := range []struct {
		r         Region
		sms, chat string
	}{
		{RegionAPAC, "https://sms.8x8.com", "https://chatapps.8x8.com"},
		{RegionUS, "https://sms.us.8x8.com", "https://chatapps.us.8x8.com"},
		{RegionEU, "https://sms.8x8.uk", "https://chatapps.8x8.uk"},
		{RegionID, "https://sms.8x8.id", "https://chatapps.8x8.id"},
	} {
		if tc.r.SMSBaseURL() != tc.sms || tc.r.ChatBaseURL() != tc.chat {
			t.Errorf("%v: %q %q, want %q %q", tc.r, tc.r.SMSBaseURL(), tc.r.ChatBaseURL(), tc.sms, tc.chat)
		}
		if got, ok := ParseRegion(strings.ToUpper(tc.r.String())); !ok || got != tc.r {
			t.Errorf("ParseRegion(%q) = %v, %v", tc.r.String(), got, ok)
		}
	}
	if _, err := New(Config{APIKey: testKey, Region: Region(9)}); err == nil {
		t.Error("New accepted an unknown region")
	}
}

// No send follows a redirect, same host or not: net/http would turn the
// POST into a GET without its body (301-303) and a 200 to it would look
// accepted. The 3xx is the outcome: an *APIError matching ErrRedirect, not
// retried, and neither the target nor the other host sees a request.
func TestRedirects(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, same := range []bool{true, false} {
			other := newTestServer(t)
			ts := newTestServer(t)
			var moved atomic.Int64
			ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/moved/") {
					moved.Add(1)
					ts.serve(w, r) // a 200 with a umid: what a followed redirect would report
					return
				}
				target := other.URL + r.URL.Path
				if same {
					target = ts.URL + "/moved" + r.URL.Path
				}
				http.Redirect(w, r, target, code)
			})
			c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
			res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
			ae, ok := errors.AsType[*APIError](err)
			if !ok || !errors.Is(err, ErrRedirect) || ae.Status != code || ae.Attempts != 1 || res.UMID != "" {
				t.Fatalf("%d same-host=%v: %+v, %v; want an *APIError %d matching ErrRedirect after 1 attempt, no umid", code, same, res, err, code)
			}
			if n := moved.Load() + int64(other.count()); n != 0 {
				t.Fatalf("%d same-host=%v: the redirect target got %d requests", code, same, n)
			}
		}
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, smsOK("x"))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate case below makes it complain
	srv.StartTLS()
	defer srv.Close()
	cfg := testConfig(srv.URL, clock.NewFake(t0), 0)
	cfg.HTTPClient = srv.Client()
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatalf("SendSMS over TLS: %v", err)
	}

	def := newDefaultTransport()
	if def.TLSClientConfig.MinVersion != tls.VersionTLS12 || def.TLSClientConfig.MaxVersion != 0 {
		t.Errorf("default TLS min %x max %x, want 1.2 and uncapped", def.TLSClientConfig.MinVersion, def.TLSClientConfig.MaxVersion)
	}
	for _, tc := range []struct {
		name     string
		min, max uint16
		ok       bool
	}{
		{"defaults", 0, 0, true},
		{"1.3-only", tls.VersionTLS13, 0, true},
		{"min-1.0", tls.VersionTLS10, 0, false},
		{"max-1.2", tls.VersionTLS12, tls.VersionTLS12, false},
	} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tc.min, MaxVersion: tc.max}}
		_, err := New(Config{APIKey: testKey, HTTPClient: &http.Client{Transport: tr}})
		if (err == nil) != tc.ok {
			t.Errorf("%s: New err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}

	// Untrusted certificate: a TLS failure, surely not sent, not retried
	// forever and never reported as ambiguous.
	cfg = testConfig(srv.URL, clock.NewFake(t0), 0)
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 2}})
	c2 := newClient(t, cfg)
	_, err := c2.SendSMS(context.Background(), "acme_hq", sms1)
	if se, ok := errors.AsType[*SendError](err); !ok || se.Transport != policy.TransportTLS || se.Ambiguous {
		t.Errorf("untrusted certificate: err = %v, want *SendError with transport tls, not ambiguous", err)
	}
}

// Logs and errors carry the tenant, attempt, status, code, action and
// delay; never the key, never the text, the destination masked.
func TestLogsAndErrorsHoldNoSecrets(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 500, body: errBody(2000, "Internal server error")},
		reply{resetAfter: true},
		reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "0"}},
		reply{status: 200},
		reply{status: 400, body: errBody(1002, "Invalid MSISDN")},
	)
	var logs bytes.Buffer
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var events []Event
	record := func(e Event) { events = append(events, e) }
	cfg.Hooks = Hooks{OnAttempt: record, OnRetry: record, OnThrottled: record, OnGiveUp: record}
	c := newClient(t, cfg)

	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatalf("first send: %v", err)
	}
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if err == nil {
		t.Fatal("second send succeeded, want 1002")
	}
	out := logs.String()
	for _, secret := range []string{testKey, sms1.Text, sms1.Destination, "6591234567"} {
		if strings.Contains(out, secret) || strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", events), secret) {
			t.Errorf("%q leaked into logs, errors or hook payloads", secret)
		}
	}
	for _, want := range []string{`"tenant":"acme_hq"`, `"attempt":2`, `"status":500`, `"code":2000`, `"action":"trip"`,
		`"delay":`, `"destination":"+65******67"`, `"level":"WARN"`, `"transport":"reset"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if len(events) == 0 {
		t.Fatal("no hook events")
	}
}

// go-retryablehttp's default logger writes to stderr; ours is off.
func TestNothingWrittenToStderr(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 500, body: errBody(2000, "Internal server error")},
		reply{resetAfter: true},
		reply{status: 400, body: errBody(1002, "Invalid MSISDN")},
	)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	_, sendErr := c.SendSMS(context.Background(), "acme_hq", sms1)
	os.Stderr = saved
	w.Close()
	got, _ := io.ReadAll(r)
	if sendErr == nil {
		t.Fatal("send succeeded; the test needs a failing send with retries")
	}
	if len(got) != 0 {
		t.Errorf("stderr got %q", got)
	}
}

func TestValidationBeforeNetwork(t *testing.T) {
	ts := newTestServer(t)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	ctx := context.Background()
	long := strings.Repeat("x", 351)
	for _, tc := range []struct {
		name  string
		send  func() error
		field string
	}{
		{"empty-sub", func() error { _, err := c.SendSMS(ctx, "", sms1); return err }, "subAccountID"},
		{"short-sub", func() error { _, err := c.SendSMS(ctx, "ab", sms1); return err }, "subAccountID"},
		{"bad-sub", func() error { _, err := c.SendSMS(ctx, "acme/hq", sms1); return err }, "subAccountID"},
		{"long-sub", func() error { _, err := c.SendSMS(ctx, strings.Repeat("a", 51), sms1); return err }, "subAccountID"},
		{"no-destination", func() error { _, err := c.SendSMS(ctx, "acme_hq", SMS{Text: "x"}); return err }, "Destination"},
		{"no-text", func() error { _, err := c.SendSMS(ctx, "acme_hq", SMS{Destination: "+6591234567"}); return err }, "Text"},
		{"long-cmid", func() error {
			_, err := c.SendSMS(ctx, "acme_hq", SMS{Destination: "+6591234567", Text: "x", ClientMessageID: long})
			return err
		}, "ClientMessageID"},
		{"chat-long-cmid", func() error {
			_, err := c.SendChat(ctx, "acme_chat", Chat{User: ChatUser{MSISDN: "+6591234567"}, Content: ChatContent{Text: "x"}, ClientMessageID: long[:51]})
			return err
		}, "ClientMessageID"},
		{"chat-no-user", func() error {
			_, err := c.SendChat(ctx, "acme_chat", Chat{Content: ChatContent{Text: "x"}})
			return err
		}, "User"},
		{"batch-empty", func() error { _, err := c.SendBatch(ctx, "acme_hq", Batch{}); return err }, "Messages"},
		{"batch-item", func() error {
			_, err := c.SendBatch(ctx, "acme_hq", Batch{Messages: []SMS{sms1, {Text: "x"}}})
			return err
		}, "Messages[1].Destination"},
		{"batch-dests-no-text", func() error {
			_, err := c.SendBatch(ctx, "acme_hq", Batch{Destinations: []string{"+6591234567"}})
			return err
		}, "Template.Text"},
		{"chat-batch-empty", func() error { _, err := c.SendChatBatch(ctx, "acme_chat", ChatBatch{}); return err }, "Messages"},
		{"batch-id-too-long", func() error {
			_, err := c.SendBatch(ctx, "acme_hq", Batch{ClientBatchID: strings.Repeat("b", 21), Messages: []SMS{sms1}})
			return err
		}, "ClientBatchID"},
		{"chat-batch-id-too-long", func() error {
			_, err := c.SendChatBatch(ctx, "acme_chat", ChatBatch{ClientBatchID: strings.Repeat("b", 101),
				Messages: []Chat{{User: ChatUser{MSISDN: "+6591234567"}, Content: ChatContent{Text: "x"}}}})
			return err
		}, "ClientBatchID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.send()
			ve, ok := errors.AsType[*ValidationError](err)
			if !ok || ve.Field != tc.field {
				t.Errorf("err = %v, want *ValidationError on %s", err, tc.field)
			}
		})
	}
	// 350 runes of a multi-byte character are fine.
	if _, err := c.SendSMS(ctx, "acme_hq", SMS{Destination: "+6591234567", Text: "x", ClientMessageID: strings.Repeat("é", 350)}); err != nil {
		t.Errorf("350-rune clientMessageId: %v", err)
	}
	if n := ts.count(); n != 1 {
		t.Errorf("server saw %d requests, want only the valid one", n)
	}
}

func TestMaskDestination(t *testing.T) {
	for in, want := range map[string]string{
		"+6591234567": "+65******67", "6591234567": "659*****67", "12345": "*****", "": "", "123456": "123*56",
	} {
		if got := maskDestination(in); got != want {
			t.Errorf("maskDestination(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBadAPIKeysRefused: an empty key (an unset environment variable) and
// keys no HTTP header can carry are refused by New and FromFile with a
// *ConfigError that never contains the key, before any request.
func TestBadAPIKeysRefused(t *testing.T) {
	ts := newTestServer(t)
	for _, key := range []string{"", "abc\r\nX-Evil: 1", "abc\ndef", "ab\x00cd", "ab\x7fcd", "ab cd", " abcd", "abcd\t", "ab\x01cd", "clé-secrète"} {
		for _, via := range []string{"New", "FromFile"} {
			var err error
			cfg := Config{APIKey: key, BaseURL: ts.URL}
			if via == "New" {
				_, err = New(cfg)
			} else {
				path := filepath.Join(t.TempDir(), "policy.yaml")
				if werr := os.WriteFile(path, []byte("semantics: at_least_once\n"), 0o600); werr != nil {
					t.Fatal(werr)
				}
				_, err = FromFile(path, cfg)
			}
			ce, ok := errors.AsType[*ConfigError](err)
			if !ok || ce.Field != "APIKey" {
				t.Fatalf("%s(key %q) = %v, want a *ConfigError on APIKey", via, key, err)
			}
			if key != "" && strings.Contains(err.Error(), key) {
				t.Errorf("%s: the error carries the key: %v", via, err)
			}
		}
	}
	if n := ts.count(); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
	if _, err := New(Config{APIKey: testKey, BaseURL: ts.URL, UserAgent: "octosend\r\nX-Evil: 1"}); err == nil {
		t.Error("New accepted a UserAgent with CR/LF")
	}
}
