package client

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
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

// A lone 429 delays only its own message: A waits its Retry-After, while B
// of the same tenant goes out at once (the old rule paused the whole
// tenant on every 429, which cost most of the goodput under sporadic 429s).
func TestLone429DelaysOnlyItsMessage(t *testing.T) {
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded. Please try again in 2 second(s)."),
		header: map[string]string{"Retry-After": "2"}})
	f := clock.NewFake(t0)
	var mu sync.Mutex
	var throttled []Event
	cfg := testConfig(ts.URL, f, 0)
	cfg.Hooks.OnThrottled = func(e Event) { mu.Lock(); throttled = append(throttled, e); mu.Unlock() }
	c := newClient(t, cfg)
	ctx := context.Background()

	a := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); a <- sendResult{r, err} }()
	f.AwaitTimers(t, 1) // A sleeps until its Retry-After
	other := sms1
	other.Destination = "+6591234999"
	if _, err := c.SendSMS(ctx, "acme_hq", other); err != nil {
		t.Fatalf("B, same tenant, during A's wait: %v", err)
	}
	if n := ts.count(); n != 2 {
		t.Fatalf("before the Retry-After the server saw %d requests, want 2 (A's 429, B)", n)
	}
	f.Advance(2 * time.Second)
	ra := recv(t, a)
	if ra.err != nil || ra.res.Attempts != 2 {
		t.Fatalf("A after its Retry-After: %+v, %v; want accepted on attempt 2", ra.res, ra.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(throttled) != 1 || throttled[0].Scope != ScopeMessage || throttled[0].RetryAfter != 2*time.Second {
		t.Errorf("OnThrottled events = %+v, want one lone 429 (ScopeMessage) with Retry-After 2s", throttled)
	}
}

// 429s that cluster across the tenant's traffic (3 within a second, on
// different destinations, most of its responses) mean its quota is spent:
// the third pauses the whole tenant for the Retry-After and cuts its rate;
// other tenants go on. Repeated 429s for one destination hold that
// destination only.
func TestClustered429sPauseTenant(t *testing.T) {
	r429 := reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "2"}}
	ts := newTestServer(t, r429, r429, r429)
	f := clock.NewFake(t0)
	var mu sync.Mutex
	var scopes []Scope
	cfg := testConfig(ts.URL, f, 0)
	cfg.Hooks.OnThrottled = func(e Event) { mu.Lock(); scopes = append(scopes, e.Scope); mu.Unlock() }
	c := newClient(t, cfg)
	ctx := context.Background()
	res := make(chan sendResult, 4)
	for i := range 3 {
		m := sms1
		m.Destination = "+659100000" + strconv.Itoa(i)
		go func() { r, err := c.SendSMS(ctx, "acme_hq", m); res <- sendResult{r, err} }()
		f.AwaitTimers(t, i+1)
	}
	mu.Lock()
	got := slices.Clone(scopes)
	mu.Unlock()
	if want := []Scope{ScopeMessage, ScopeMessage, ScopeTenant}; !slices.Equal(got, want) {
		t.Fatalf("scopes %v, want %v", got, want)
	}
	// A fourth send of the tenant waits for the pause; another tenant does not.
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); res <- sendResult{r, err} }()
	f.AwaitTimers(t, 4)
	if _, err := c.SendSMS(ctx, "other_tenant", sms1); err != nil {
		t.Fatalf("another tenant during the pause: %v", err)
	}
	if n := ts.count(); n != 4 {
		t.Fatalf("during the pause the server saw %d requests, want 4 (three 429s, the other tenant)", n)
	}
	stop := autoAdvance(f, 10*time.Millisecond)
	for range 4 {
		if r := recv(t, res); r.err != nil {
			t.Errorf("after the pause: %v", r.err)
		}
	}
	stop()
	if st, _ := c.ownLim.State("acme_hq"); !(st.Rate < ratelimit.DefaultRate) {
		t.Errorf("tenant rate %v after a cluster, want cut below %v", st.Rate, ratelimit.DefaultRate)
	}
}

// TestDestination429sHoldDestination: two 429s for one number hold that
// number only; the tenant's other numbers go on.
func TestDestination429sHoldDestination(t *testing.T) {
	r429 := reply{status: 429, body: errBody(429, "Too many messages to this number."), header: map[string]string{"Retry-After": "5"}}
	ts := newTestServer(t, r429, r429)
	f := clock.NewFake(t0)
	var mu sync.Mutex
	var scopes []Scope
	cfg := testConfig(ts.URL, f, 0)
	cfg.Hooks.OnThrottled = func(e Event) { mu.Lock(); scopes = append(scopes, e.Scope); mu.Unlock() }
	c := newClient(t, cfg)
	ctx := context.Background()
	res := make(chan sendResult, 3)
	for i := range 2 {
		go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); res <- sendResult{r, err} }()
		f.AwaitTimers(t, i+1)
	}
	// A third message to the held number waits for the hold...
	go func() { r, err := c.SendSMS(ctx, "acme_hq", sms1); res <- sendResult{r, err} }()
	f.AwaitTimers(t, 3)
	// ...while one to another number of the tenant goes out now.
	other := sms1
	other.Destination = "+6591234999"
	if _, err := c.SendSMS(ctx, "acme_hq", other); err != nil {
		t.Fatalf("another number of the tenant: %v", err)
	}
	if n := ts.count(); n != 3 {
		t.Fatalf("during the hold the server saw %d requests, want 3 (two 429s, the other number)", n)
	}
	mu.Lock()
	got := slices.Clone(scopes)
	mu.Unlock()
	if want := []Scope{ScopeMessage, ScopeDestination}; !slices.Equal(got, want) {
		t.Fatalf("scopes %v, want %v", got, want)
	}
	stop := autoAdvance(f, 10*time.Millisecond)
	for range 3 {
		if r := recv(t, res); r.err != nil {
			t.Errorf("after the hold: %v", r.err)
		}
	}
	stop()
	if got := f.Now().Sub(t0); got < 5*time.Second {
		t.Errorf("fake time moved %v, want at least the 5s hold", got)
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
