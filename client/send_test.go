package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

func TestSendSMSSuccess(t *testing.T) {
	ts := newTestServer(t)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))

	res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	if _, err := uuid.Parse(res.ClientMessageID); err != nil {
		t.Errorf("minted ClientMessageID %q is not a UUID: %v", res.ClientMessageID, err)
	}
	want := Result{
		UMID: "3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f", ClientMessageID: res.ClientMessageID,
		Status: "QUEUED", Description: "SMS is accepted and queued for processing",
		Attempts: 1, HTTPStatus: 200,
	}
	if res != want {
		t.Errorf("Result = %+v, want %+v", res, want)
	}
	reqs := ts.requests()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.path != "/api/v1/subaccounts/acme_hq/messages" {
		t.Errorf("path = %q", r.path)
	}
	if r.auth != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want the bearer key", r.auth)
	}
	if r.idem != "" {
		t.Errorf("Idempotency-Key = %q, want none", r.idem)
	}
	if r.cmid != res.ClientMessageID {
		t.Errorf("request clientMessageId = %q, result has %q", r.cmid, res.ClientMessageID)
	}
}

func TestCallerClientMessageIDKept(t *testing.T) {
	ts := newTestServer(t)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	m := sms1
	m.ClientMessageID = "otp-7f3c2a9e-0001"
	res, err := c.SendSMS(context.Background(), "acme_hq", m)
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientMessageID != m.ClientMessageID || ts.requests()[0].cmid != m.ClientMessageID {
		t.Errorf("clientMessageId: result %q, request %q, want %q", res.ClientMessageID, ts.requests()[0].cmid, m.ClientMessageID)
	}
}

// 1002 (SMS) and 3038 (chat) are permanent: one attempt, a typed error.
func TestPermanentCodesFailAfterOneAttempt(t *testing.T) {
	for _, tc := range []struct {
		name string
		code envelope.Code
		chat bool
	}{
		{"sms-1002", envelope.CodeInvalidMSISDN, false},
		{"chat-3038", envelope.CodeTemplateNotFound, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, reply{status: 400, body: errBody(int(tc.code), "nope")})
			c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
			var err error
			if tc.chat {
				_, err = c.SendChat(context.Background(), "acme_chat", Chat{
					User: ChatUser{MSISDN: "+6598765432"}, Type: "template",
					Content: ChatContent{Template: &ChatTemplate{Name: "order_shipped", Language: "en"}},
				})
			} else {
				_, err = c.SendSMS(context.Background(), "acme_hq", sms1)
			}
			apiErr, ok := errors.AsType[*APIError](err)
			if !ok {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if apiErr.Status != 400 || apiErr.Code != tc.code || apiErr.Attempts != 1 || apiErr.Action != policy.ActionFail {
				t.Errorf("APIError = %+v, want status 400, code %d, 1 attempt, action fail", apiErr, tc.code)
			}
			if apiErr.Message != "nope" || apiErr.ErrorID.String() != "5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f" || apiErr.Timestamp.IsZero() {
				t.Errorf("envelope fields not carried: %+v", apiErr)
			}
			if apiErr.Ambiguous {
				t.Error("a 400 is not ambiguous")
			}
			if n := ts.count(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

// A 2000 is retried with the same clientMessageId until it succeeds; the
// result says an earlier attempt may have been accepted.
func TestRetrySameClientMessageID(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 500, body: errBody(2000, "Internal server error")},
		reply{status: 500, body: errBody(2000, "Internal server error")},
	)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	if res.Attempts != 3 || !res.Ambiguous {
		t.Errorf("Attempts = %d, Ambiguous = %v; want 3, true", res.Attempts, res.Ambiguous)
	}
	reqs := ts.requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.cmid != res.ClientMessageID || r.idem != "" {
			t.Errorf("attempt %d: clientMessageId %q Idempotency-Key %q; want %q and none", i+1, r.cmid, r.idem, res.ClientMessageID)
		}
	}
}

// A 429 pauses the whole tenant until its Retry-After: the send that got
// it and every other send of the tenant wait on the (fake) clock; other
// tenants go on.
func TestThrottleWaitsRetryAfterForWholeTenant(t *testing.T) {
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded. Please try again in 2 second(s)."),
		header: map[string]string{"Retry-After": "2"}})
	f := clock.NewFake(t0)
	var throttled []Event
	cfg := testConfig(ts.URL, f, 0)
	cfg.Hooks.OnThrottled = func(e Event) { throttled = append(throttled, e) }
	c := newClient(t, cfg)
	ctx := context.Background()

	a := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); a <- sendResult{r, err} }()
	f.AwaitTimers(t, 1) // A sleeps until the Retry-After
	b := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); b <- sendResult{r, err} }()
	f.AwaitTimers(t, 2) // B waits on the paused tenant

	if _, err := c.SendSMS(ctx, "other_tenant", sms1); err != nil {
		t.Fatalf("another tenant's send: %v", err)
	}
	if n := ts.count(); n != 2 {
		t.Fatalf("before the Retry-After the server saw %d requests, want 2 (A's 429, the other tenant)", n)
	}
	f.Advance(2 * time.Second)
	stop := autoAdvance(f, 10*time.Millisecond) // the limiter releases waiters one token at a time
	ra, rb := recv(t, a), recv(t, b)
	stop()
	if ra.err != nil || rb.err != nil {
		t.Fatalf("after the pause: A %v, B %v", ra.err, rb.err)
	}
	if ra.res.Attempts != 2 || rb.res.Attempts != 1 || ra.res.Ambiguous {
		t.Errorf("A attempts %d (ambiguous %v), B attempts %d; want 2 (false), 1", ra.res.Attempts, ra.res.Ambiguous, rb.res.Attempts)
	}
	if n := ts.count(); n != 4 {
		t.Errorf("server saw %d requests, want 4", n)
	}
	if got := f.Now().Sub(t0); got < 2*time.Second {
		t.Errorf("fake time moved %v, want at least the 2s Retry-After", got)
	}
	if len(throttled) != 1 || throttled[0].Status != 429 || throttled[0].RetryAfter != 2*time.Second || throttled[0].Tenant != "acme_hq" {
		t.Errorf("OnThrottled events = %+v, want one 429 with Retry-After 2s for acme_hq", throttled)
	}
}

// autoAdvance moves f forward by step whenever a timer is pending, until
// the returned stop is called.
func autoAdvance(f *clock.Fake, step time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-f.WaitForTimers(1):
				f.Advance(step)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// Context cancellation ends a backoff wait at once, without another
// attempt.
func TestCancelStopsBackoff(t *testing.T) {
	ts := newTestServer(t)
	ts.def = reply{status: 500, body: errBody(2000, "Internal server error")}
	f := clock.NewFake(t0)
	c := newClient(t, testConfig(ts.URL, f, 0.5))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); done <- sendResult{r, err} }()
	f.AwaitTimers(t, 1)
	cancel()
	r := recv(t, done)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", r.err)
	}
	apiErr, ok := errors.AsType[*APIError](r.err)
	if !ok || apiErr.Status != 500 || apiErr.Attempts != 1 || !apiErr.Ambiguous {
		t.Errorf("err = %#v, want *APIError for the 500, 1 attempt, ambiguous", r.err)
	}
	if n := ts.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	if f.Now() != t0 {
		t.Errorf("fake clock moved to %v; the wait must end by cancellation", f.Now())
	}
}

// A reset after the whole request was written may have delivered the
// message: retried under at-least-once, not under at-most-once, flagged
// ambiguous either way.
func TestResetAfterWrite(t *testing.T) {
	t.Run("at-least-once", func(t *testing.T) {
		ts := newTestServer(t, reply{resetAfter: true})
		c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
		res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
		if err != nil {
			t.Fatalf("SendSMS: %v", err)
		}
		if res.Attempts != 2 || !res.Ambiguous {
			t.Errorf("Attempts %d Ambiguous %v, want 2 true", res.Attempts, res.Ambiguous)
		}
		reqs := ts.requests()
		if len(reqs) != 2 || reqs[0].cmid != reqs[1].cmid {
			t.Errorf("requests %d, clientMessageIds %v; want 2 with the same id", len(reqs), reqs)
		}
	})
	t.Run("at-most-once", func(t *testing.T) {
		ts := newTestServer(t, reply{resetAfter: true})
		cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
		cfg.Policy = mustPolicy(t, policy.Config{Semantics: policy.AtMostOnce})
		c := newClient(t, cfg)
		_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
		sendErr, ok := errors.AsType[*SendError](err)
		if !ok {
			t.Fatalf("err = %v (%T), want *SendError", err, err)
		}
		if sendErr.Transport != policy.TransportReset || !sendErr.Ambiguous || sendErr.Attempts != 1 {
			t.Errorf("SendError = %+v, want transport reset, ambiguous, 1 attempt", sendErr)
		}
		if n := ts.count(); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
}

// A refused connection surely did not deliver: retried even under
// at-most-once, and not ambiguous.
func TestConnectRefusedIsSafeToRetry(t *testing.T) {
	ts := newTestServer(t)
	url := ts.URL
	ts.Close() // nothing listens there any more
	f := clock.NewFake(t0)
	cfg := testConfig(url, f, 0)
	cfg.Policy = mustPolicy(t, policy.Config{Semantics: policy.AtMostOnce, Retry: policy.Retry{MaxAttempts: 3}})
	c := newClient(t, cfg)
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	sendErr, ok := errors.AsType[*SendError](err)
	if !ok {
		t.Fatalf("err = %v (%T), want *SendError", err, err)
	}
	if sendErr.Transport != policy.TransportConnect || sendErr.Ambiguous || sendErr.Attempts != 3 {
		t.Errorf("SendError = %+v, want transport connect, not ambiguous, 3 attempts", sendErr)
	}
}
