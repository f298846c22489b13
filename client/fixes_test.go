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
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// Printing or logging a *Client never shows the key (its header map holds
// it).
func TestClientNeverPrintsKey(t *testing.T) {
	c := newClient(t, Config{APIKey: testKey, BaseURL: "http://127.0.0.1:1"})
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("client", "c", c)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("client", "c", c)
	//lint:ignore S1025 the test checks what fmt prints for every verb
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), logged.String()} {
		if strings.Contains(s, testKey) {
			t.Errorf("key printed: %s", s)
		}
	}
}

// A server that only speaks TLS 1.1 is a TLS failure (surely not sent),
// not a connection failure.
func TestTLSVersionMismatchIsTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	cfg := testConfig(srv.URL, clock.NewFake(t0), 0)
	cfg.HTTPClient = &http.Client{Transport: tr}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 1}})
	c := newClient(t, cfg)
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	se, ok := errors.AsType[*SendError](err)
	if !ok || se.Transport != policy.TransportTLS || se.Ambiguous {
		t.Fatalf("err = %v, want *SendError with transport tls, not ambiguous", err)
	}
}

// A 503 asking to come back in three years opens the region's breaker
// only for the policy's Retry-After ceiling; the send waits that long and
// its probe gets through.
func TestHugeRetryAfterOn503IsClamped(t *testing.T) {
	ts := newTestServer(t, reply{status: 503, body: errBody(2000, "down"), header: map[string]string{"Retry-After": "99999999"}})
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.Breaker = breaker.Config{Consecutive: 1, OpenFor: time.Second} // the 503 trips it
	c := newClient(t, cfg)
	done := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "acme_hq", sms1); done <- sendResult{r, err} }()
	f.AwaitTimers(t, 1)
	f.Advance(policy.DefaultRetryAfterCeiling - time.Second)
	if got := c.breakers.State(ts.URL); got != breaker.Open {
		t.Errorf("breaker %v a second before the ceiling, want open", got)
	}
	f.Advance(time.Second)
	r := recv(t, done)
	if r.err != nil || r.res.Attempts != 2 {
		t.Fatalf("res %+v err %v, want success on the second attempt", r.res, r.err)
	}
	if got := c.breakers.State(ts.URL); got != breaker.Closed {
		t.Errorf("breaker %v after the probe, want closed", got)
	}
}

// A cancel after the request was written may have come after 8x8 took
// the message: not retried, but flagged ambiguous.
func TestCancelAfterWriteIsAmbiguous(t *testing.T) {
	ts := newTestServer(t)
	arrived := make(chan struct{})
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		close(arrived)
		<-r.Context().Done()
	})
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); done <- sendResult{r, err} }()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("request never arrived")
	}
	cancel()
	r := recv(t, done)
	se, ok := errors.AsType[*SendError](r.err)
	if !ok || se.Transport != policy.TransportCanceled || !se.Ambiguous || se.Attempts != 1 || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want *SendError canceled, ambiguous, 1 attempt, matching context.Canceled", r.err)
	}
	if !r.res.Ambiguous {
		t.Error("Result.Ambiguous = false")
	}
}

// A batch chunk whose 200 body is unusable may have been accepted: under
// at-most-once its messages are failed but ambiguous; under at-least-once
// the chunk is resent and its messages accepted, flagged ambiguous.
func TestBatchUnusableBodyMessagesAmbiguous(t *testing.T) {
	batch := Batch{Template: SMSTemplate{Text: "hello"}, Destinations: []string{"+6581110001", "+6581110002"}}
	for _, kind := range []emulator.FaultKind{emulator.FaultGarbage, emulator.FaultTruncated} {
		srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{{Kind: kind}}})
		cfg := testConfig(srv.URL(), clock.NewFake(t0), 0)
		cfg.Policy = mustPolicy(t, policy.Config{Semantics: policy.AtLeastOnce})
		res, err := newClient(t, cfg).SendBatch(context.Background(), "acme_hq", batch)
		if err != nil || res.Accepted != 2 {
			t.Fatalf("%v, at-least-once: %d accepted, err %v; want the resent chunk accepted", kind, res.Accepted, err)
		}
		for i, m := range res.Messages {
			if m.State != StateAccepted || !m.Ambiguous || m.UMID == "" {
				t.Errorf("%v, at-least-once: message %d %+v, want accepted with a umid, ambiguous", kind, i, m)
			}
		}

		srv = emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{{Kind: kind}}})
		cfg = testConfig(srv.URL(), clock.NewFake(t0), 0)
		cfg.Policy = mustPolicy(t, policy.Config{Semantics: policy.AtMostOnce})
		res, err = newClient(t, cfg).SendBatch(context.Background(), "acme_hq", batch)
		if _, ok := errors.AsType[*ResponseError](err); !ok {
			t.Fatalf("%v: err = %v, want a *ResponseError inside the *BatchError", kind, err)
		}
		for i, m := range res.Messages {
			if m.State != StateFailed || !m.Ambiguous {
				t.Errorf("%v: message %d %+v, want failed and ambiguous", kind, i, m)
			}
		}
		if u := srv.Ledger().Unique(); u != 2 {
			t.Errorf("%v: ledger %d, want 2 (the API took them)", kind, u)
		}
	}
}

// TestBatchItemsWithoutUMID: an item of a 200 batch answer without a umid
// (or no item at all for a message) is never reported accepted: it is
// StateUnknown, ambiguous, matching ErrNoUMID (ErrNoMessageStatus).
func TestBatchItemsWithoutUMID(t *testing.T) {
	body := `{"batchId":"b-1","clientBatchId":null,"acceptedCount":2,"rejectedCount":0,"messages":[` +
		`{"umid":"","clientMessageId":"c-1","destination":"6581110001","encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}},` +
		`{"umid":"u-2","clientMessageId":"c-2","destination":"6581110002","encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}}]}`
	noItems := `{"batchId":"b-1","clientBatchId":null,"acceptedCount":2,"rejectedCount":0,"messages":[]}`
	for _, tc := range []struct {
		name, body string
		want       []error
	}{
		{"item-without-umid", body, []error{ErrNoUMID, nil}},
		{"no-items-counts-say-accepted", noItems, []error{ErrNoMessageStatus, ErrNoMessageStatus}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, reply{status: 200, body: tc.body})
			c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
			res, _ := c.SendBatch(context.Background(), "acme_hq", Batch{Template: SMSTemplate{Text: "hi"}, Messages: []SMS{
				{Destination: "+6581110001", ClientMessageID: "c-1"}, {Destination: "+6581110002", ClientMessageID: "c-2"},
			}})
			for i, m := range res.Messages {
				if tc.want[i] == nil {
					if m.State != StateAccepted || m.UMID == "" {
						t.Errorf("message %d %+v, want accepted with its umid", i, m)
					}
					continue
				}
				if m.State == StateAccepted || !m.Ambiguous || !errors.Is(m.Err, tc.want[i]) {
					t.Errorf("message %d %+v, want not accepted, ambiguous, matching %v", i, m, tc.want[i])
				}
			}
		})
	}
}

// A 500 leaves the message ambiguous; a retry answered 400/1002 proves
// 8x8 refused the same request the first time too, so the flag is
// cleared. A retry answered 400/1400 (resend interval, which the first
// attempt may itself have caused) proves nothing and keeps it.
func TestRefusalClearsAmbiguity(t *testing.T) {
	for _, tt := range []struct {
		code      int
		ambiguous bool
	}{
		{1002, false},
		{1004, false},
		{1400, true},
		{3038, true},
	} {
		ts := newTestServer(t,
			reply{status: 500, body: errBody(2000, "Internal server error")},
			reply{status: 400, body: errBody(tt.code, "refused")})
		f := clock.NewFake(t0)
		c := newClient(t, testConfig(ts.URL, f, 0))
		stop := autoAdvance(f, 10*time.Millisecond)
		_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
		stop()
		ae, ok := errors.AsType[*APIError](err)
		if !ok || ae.Status != 400 || ae.Attempts != 2 {
			t.Fatalf("%d: err = %v, want a 400 APIError after 2 attempts", tt.code, err)
		}
		if ae.Ambiguous != tt.ambiguous {
			t.Errorf("400/%d after a 500: Ambiguous %v, want %v", tt.code, ae.Ambiguous, tt.ambiguous)
		}
	}
}
