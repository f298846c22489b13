package client

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// Every fault the emulator can inject, once, before a good answer: what
// the client reports and how often the emulator accepted the message.
func TestEmulatorFaultMatrix(t *testing.T) {
	type want struct {
		ok        bool
		attempts  int
		ambiguous bool
		accepted  int // ledger count for the message
		errType   string
	}
	for _, tc := range []struct {
		fault emulator.FaultKind
		sem   policy.Semantics
		want  want
	}{
		{emulator.FaultNone, policy.AtLeastOnce, want{ok: true, attempts: 1, accepted: 1}},
		{emulator.Fault500, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 1}},
		{emulator.Fault503, policy.AtLeastOnce, want{ok: true, attempts: 2, accepted: 1}},
		{emulator.Fault429, policy.AtLeastOnce, want{ok: true, attempts: 2, accepted: 1}},
		{emulator.FaultResetAfterBody, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 1}},
		{emulator.FaultAcceptedThen500, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 2}},
		{emulator.FaultAcceptedThenReset, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 2}},
		// An unusable 200 may hide an acceptance: resent under
		// at-least-once (two copies), given up under at-most-once.
		{emulator.FaultGarbage, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 2}},
		{emulator.FaultTruncated, policy.AtLeastOnce, want{ok: true, attempts: 2, ambiguous: true, accepted: 2}},
		{emulator.FaultGarbage, policy.AtMostOnce, want{attempts: 1, ambiguous: true, accepted: 1, errType: "response"}},
		{emulator.FaultTruncated, policy.AtMostOnce, want{attempts: 1, ambiguous: true, accepted: 1, errType: "response"}},
		{emulator.FaultLatency, policy.AtLeastOnce, want{ok: true, attempts: 1, accepted: 1}},
		// At-most-once never resends what may have arrived...
		{emulator.FaultAcceptedThen500, policy.AtMostOnce, want{attempts: 1, ambiguous: true, accepted: 1, errType: "api"}},
		{emulator.FaultAcceptedThenReset, policy.AtMostOnce, want{attempts: 1, ambiguous: true, accepted: 1, errType: "send"}},
		{emulator.FaultResetAfterBody, policy.AtMostOnce, want{attempts: 1, ambiguous: true, accepted: 0, errType: "send"}},
		// ...but does resend what surely did not.
		{emulator.Fault429, policy.AtMostOnce, want{ok: true, attempts: 2, accepted: 1}},
		{emulator.Fault503, policy.AtMostOnce, want{ok: true, attempts: 2, accepted: 1}},
	} {
		t.Run(tc.fault.String()+"/"+tc.sem.String(), func(t *testing.T) {
			f := clock.NewFake(t0)
			srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{{Kind: tc.fault, RetryAfter: time.Second, Latency: time.Millisecond}}})
			cfg := testConfig(srv.URL(), f, 0)
			cfg.Policy = mustPolicy(t, policy.Config{Semantics: tc.sem})
			c := newClient(t, cfg)
			stop := autoAdvance(f, 100*time.Millisecond)
			defer stop()
			msg := sms1
			msg.ClientMessageID = "m-" + tc.fault.String()
			res, err := c.SendSMS(context.Background(), "acme_hq", msg)
			if (err == nil) != tc.want.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.want.ok)
			}
			attempts, ambiguous := res.Attempts, res.Ambiguous
			switch tc.want.errType {
			case "api":
				e, ok := errors.AsType[*APIError](err)
				if !ok {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				attempts, ambiguous = e.Attempts, e.Ambiguous
			case "send":
				e, ok := errors.AsType[*SendError](err)
				if !ok {
					t.Fatalf("err = %v (%T), want *SendError", err, err)
				}
				attempts, ambiguous = e.Attempts, e.Ambiguous
			case "response":
				e, ok := errors.AsType[*ResponseError](err)
				if !ok {
					t.Fatalf("err = %v (%T), want *ResponseError", err, err)
				}
				attempts, ambiguous = e.Attempts, e.Ambiguous
			}
			if attempts != tc.want.attempts || ambiguous != tc.want.ambiguous {
				t.Errorf("attempts %d ambiguous %v, want %d %v", attempts, ambiguous, tc.want.attempts, tc.want.ambiguous)
			}
			if n := srv.Ledger().Count("acme_hq", msg.ClientMessageID); n != tc.want.accepted {
				t.Errorf("emulator accepted the message %d times, want %d", n, tc.want.accepted)
			}
		})
	}
}

// The emulator's own per-sub-account quota answers 429. Every message goes
// to the same number, so repeated 429s hold that destination (or, once
// they cluster, the tenant) for the Retry-After: no request arrives during
// a hold, and every message gets through exactly once.
func TestEmulatorQuota429PausesTenant(t *testing.T) {
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Rate: 1, Burst: 2, Now: f.Now})
	c := newClient(t, testConfig(srv.URL(), f, 0))
	var throttled sync.Mutex
	var pauses []time.Time
	var n429 atomic.Int64
	c.hooks.OnThrottled = func(e Event) {
		n429.Add(1)
		if e.Scope == ScopeMessage {
			return // a lone 429 delays only its own message
		}
		throttled.Lock()
		pauses = append(pauses, f.Now().Add(e.RetryAfter))
		throttled.Unlock()
	}
	const n = 6
	// Time moves only while every unfinished sender is blocked on a timer
	// (each holds at most one: a pause, limiter or backoff wait), so no
	// request is in flight while the fake clock jumps: otherwise a request
	// that left before the 429 could "arrive" inside the pause.
	var active atomic.Int64
	active.Store(n)
	stop := advanceWhenAllWait(f, &active, 50*time.Millisecond)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			defer active.Add(-1)
			// Staggered starts: later senders begin while an earlier
			// one's 429 pauses the tenant, and must wait for it too.
			if err := clock.Sleep(context.Background(), f, time.Duration(i)*200*time.Millisecond); err != nil {
				errs[i] = err
				return
			}
			m := sms1
			m.ClientMessageID = "q-" + strconv.Itoa(i)
			_, errs[i] = c.SendSMS(context.Background(), "acme_hq", m)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send %d: %v", i, err)
		}
	}
	l := srv.Ledger()
	if l.Unique() != n || l.Duplicates() != 0 {
		t.Errorf("ledger unique %d duplicates %d, want %d, 0", l.Unique(), l.Duplicates(), n)
	}
	if n429.Load() == 0 || len(pauses) == 0 {
		t.Fatalf("%d 429s, %d holds: the test needs the quota to answer 429 and a hold to follow", n429.Load(), len(pauses))
	}
	// Arrivals after a 429 must not fall inside the pause it started
	// (allowing the instant the pause ends).
	arrivals := l.Arrivals("acme_hq")
	throttled.Lock()
	defer throttled.Unlock()
	for _, until := range pauses {
		from := until.Add(-time.Second) // Retry-After is whole seconds, at least 1s
		for _, a := range arrivals {
			if a.After(from) && a.Before(until) {
				t.Errorf("a request arrived at %v, inside the pause [%v, %v)", a.Sub(t0), from.Sub(t0), until.Sub(t0))
			}
		}
	}
}

// advanceWhenAllWait advances f by step whenever at least active timers
// are pending, until stop is called.
func advanceWhenAllWait(f *clock.Fake, active *atomic.Int64, step time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			default:
			}
			if a := active.Load(); a > 0 && int64(f.Pending()) >= a {
				f.Advance(step)
				continue
			}
			time.Sleep(50 * time.Microsecond)
		}
	}()
	return func() { close(done); <-finished }
}

// A wrong key halts the tenant after one attempt; a disabled sub-account
// (403) too.
func TestEmulatorAuthHalts(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: "another-key"})
	c := newClient(t, testConfig(srv.URL(), clock.NewFake(t0), 0))
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if e, ok := errors.AsType[*APIError](err); !ok || e.Status != 401 || e.Action != policy.ActionHalt || e.Attempts != 1 {
		t.Fatalf("err = %v, want *APIError 401 halt after 1 attempt", err)
	}
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); !errors.Is(err, ErrTenantHalted) {
		t.Errorf("next send: %v, want ErrTenantHalted", err)
	}
	if st := srv.Stats(); st.Requests != 1 {
		t.Errorf("emulator saw %d requests, want 1", st.Requests)
	}
	if got := c.breakers.State(srv.URL()); got != breaker.Closed {
		t.Errorf("a halt moved the region's breaker to %v", got)
	}
}

// A sub-account the key may not use (403/1201) halts that tenant only.
func TestEmulatorForbiddenSubAccountHalts(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Tenants: map[string]emulator.TenantConfig{"blocked": {Disabled: true}}})
	c := newClient(t, testConfig(srv.URL(), clock.NewFake(t0), 0))
	_, err := c.SendSMS(context.Background(), "blocked", sms1)
	if e, ok := errors.AsType[*APIError](err); !ok || e.Status != 403 || e.Code != 1201 || e.Action != policy.ActionHalt {
		t.Fatalf("err = %v, want *APIError 403/1201 halt", err)
	}
	if _, err := c.SendSMS(context.Background(), "blocked", sms1); !errors.Is(err, ErrTenantHalted) {
		t.Errorf("next send of the blocked tenant: %v, want ErrTenantHalted", err)
	}
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Errorf("another tenant: %v", err)
	}
}

// A body over the emulator's MaxBodyBytes gets the whole 413 / 1000
// envelope over the socket, which the client reports as a permanent,
// unambiguous *APIError after one attempt (not a transport failure that
// may have been accepted), for a body a little and far over the cap.
func TestEmulatorBodyTooLargeIsPermanent(t *testing.T) {
	srv, c := emulatorClient(t, emulator.Config{MaxBodyBytes: 256})
	for _, n := range []int{300, 2 << 20} {
		msg := sms1
		msg.Text = strings.Repeat("x", n)
		_, err := c.SendSMS(context.Background(), "acme_hq", msg)
		e, ok := errors.AsType[*APIError](err)
		if !ok {
			t.Fatalf("%d-byte text: err = %v (%T), want *APIError 413", n, err, err)
		}
		if e.Status != 413 || e.Code != 1000 || e.Action != policy.ActionFail || e.Attempts != 1 || e.Ambiguous || e.ErrorID == uuid.Nil {
			t.Errorf("%d-byte text: %+v, want 413/1000 fail after 1 attempt, not ambiguous, with an errorId", n, e)
		}
	}
	if st := srv.Stats(); st.Requests != 2 || st.Responses[413] != 2 || srv.Ledger().Accepted() != 0 {
		t.Errorf("emulator: %d requests, %d answered 413, %d accepted; want 2, 2, 0", st.Requests, st.Responses[413], srv.Ledger().Accepted())
	}
}
