package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// 500/2000 trips the breaker after the configured failures; with FailFast
// later sends fail at once without a request; after OpenFor a probe
// closes it.
func TestServerFaultsTripBreaker(t *testing.T) {
	ts := newTestServer(t)
	ts.def = reply{status: 500, body: errBody(2000, "Internal server error")}
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.Breaker = breaker.Config{Consecutive: 3, OpenFor: 30 * time.Second}
	cfg.FailFast = true
	var mu sync.Mutex
	var changes []BreakerEvent
	cfg.Hooks.OnBreakerStateChange = func(e BreakerEvent) {
		mu.Lock()
		changes = append(changes, e)
		mu.Unlock()
	}
	c := newClient(t, cfg)
	ctx := context.Background()

	_, err := c.SendSMS(ctx, "acme_hq", sms1)
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.Status != 500 || apiErr.Action != policy.ActionTrip || apiErr.Attempts != 3 {
		t.Fatalf("first send: %v, want *APIError 500 trip after 3 attempts", err)
	}
	if !errors.Is(err, ErrBreakerOpen) || !errors.Is(err, breaker.ErrOpen) {
		t.Errorf("first send's error %v does not match ErrBreakerOpen and breaker.ErrOpen", err)
	}
	if n := ts.count(); n != 3 {
		t.Fatalf("server saw %d requests, want 3", n)
	}

	_, err = c.SendSMS(ctx, "another_tenant", sms1)
	sendErr, ok := errors.AsType[*SendError](err)
	if !ok || sendErr.Attempts != 0 || !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("send while open: %v, want *SendError matching ErrBreakerOpen with 0 attempts", err)
	}
	if openErr, ok := errors.AsType[*breaker.OpenError](err); !ok || openErr.RetryIn <= 0 {
		t.Errorf("no *breaker.OpenError with a RetryIn in %v", err)
	}
	if n := ts.count(); n != 3 {
		t.Errorf("a send while open reached the server (%d requests)", n)
	}
	if got := c.breakers.State(ts.URL); got != breaker.Open {
		t.Errorf("breaker state %v, want open", got)
	}

	ts.mu.Lock()
	ts.def = reply{status: 200}
	ts.mu.Unlock()
	f.Advance(30 * time.Second)
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); err != nil {
		t.Fatalf("probe after OpenFor: %v", err)
	}
	if got := c.breakers.State(ts.URL); got != breaker.Closed {
		t.Errorf("breaker state after a good probe %v, want closed", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) < 2 || changes[0].To != breaker.Open || changes[len(changes)-1].To != breaker.Closed || changes[0].Key != ts.URL {
		t.Errorf("state changes %+v, want closed->open first and ->closed last, keyed by the base URL", changes)
	}
}

// With BreakerByTenant one tenant's faults do not block another.
func TestBreakerByTenant(t *testing.T) {
	ts := newTestServer(t)
	ts.def = reply{status: 500, body: errBody(2000, "Internal server error")}
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Breaker = breaker.Config{Consecutive: 2}
	cfg.BreakerByTenant = true
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 2}})
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "bad_tenant", sms1); err == nil {
		t.Fatal("send against 500s succeeded")
	}
	if got := c.breakers.State("bad_tenant"); got != breaker.Open {
		t.Fatalf("bad_tenant breaker %v, want open", got)
	}
	ts.mu.Lock()
	ts.def = reply{status: 200}
	ts.mu.Unlock()
	if _, err := c.SendSMS(context.Background(), "good_tenant", sms1); err != nil {
		t.Errorf("another tenant blocked: %v", err)
	}
}

// One 503 with a Retry-After delays its message but does not open the
// region's breaker: other sends go on meanwhile.
func TestSingle503DoesNotOpenBreaker(t *testing.T) {
	ts := newTestServer(t, reply{status: 503, body: errBody(2000, "down"), header: map[string]string{"Retry-After": "10"}})
	f := clock.NewFake(t0)
	c := newClient(t, testConfig(ts.URL, f, 0))
	done := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "acme_hq", sms1); done <- sendResult{r, err} }()
	f.AwaitTimers(t, 1)
	if _, err := c.SendSMS(context.Background(), "other_tenant", sms1); err != nil {
		t.Fatalf("send during the 503's Retry-After: %v", err)
	}
	if got := c.breakers.State(ts.URL); got != breaker.Closed {
		t.Errorf("breaker %v after one 503, want closed", got)
	}
	f.Advance(10 * time.Second)
	if r := recv(t, done); r.err != nil || r.res.Attempts != 2 {
		t.Errorf("the 503'd send: res %+v err %v, want success on attempt 2", r.res, r.err)
	}
}

// When 503s trip the breaker, it stays open at least for their
// Retry-After: other sends fail fast meanwhile (FailFast), the send that
// got it waits and then probes.
func TestTripping503KeepsBreakerOpenForRetryAfter(t *testing.T) {
	ts := newTestServer(t, reply{status: 503, body: errBody(2000, "down"), header: map[string]string{"Retry-After": "10"}})
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.Breaker = breaker.Config{Consecutive: 1, OpenFor: time.Second}
	cfg.FailFast = true
	c := newClient(t, cfg)
	done := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "acme_hq", sms1); done <- sendResult{r, err} }()
	f.AwaitTimers(t, 1)
	f.Advance(5 * time.Second) // past the breaker's own OpenFor, inside the Retry-After
	if _, err := c.SendSMS(context.Background(), "other_tenant", sms1); !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("send during the Retry-After: %v, want ErrBreakerOpen", err)
	}
	if n := ts.count(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	f.Advance(5 * time.Second)
	r := recv(t, done)
	if r.err != nil || r.res.Attempts != 2 {
		t.Fatalf("waiting send: res %+v err %v, want success on its probe (attempt 2)", r.res, r.err)
	}
	if got := c.breakers.State(ts.URL); got != breaker.Closed {
		t.Errorf("breaker %v after the probe, want closed", got)
	}
}

// By default a send that meets an open breaker holds: it waits for the
// probe instead of failing, when that fits its deadline; when it does not
// fit, it fails at once with ErrBreakerOpen.
func TestBreakerHoldsSends(t *testing.T) {
	ts := newTestServer(t, reply{status: 500, body: errBody(2000, "Internal server error")})
	f := clock.NewFake(time.Now()) // the deadline check compares with the context's real deadline
	cfg := testConfig(ts.URL, f, 0)
	cfg.Breaker = breaker.Config{Consecutive: 1, OpenFor: 5 * time.Second, MinOpenFor: 5 * time.Second}
	c := newClient(t, cfg)

	a := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "acme_hq", sms1); a <- sendResult{r, err} }()
	f.AwaitTimers(t, 1) // A's retry waits on the open breaker
	if got := c.breakers.State(ts.URL); got != breaker.Open {
		t.Fatalf("breaker %v, want open", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("a send whose deadline ends before the probe: %v, want ErrBreakerOpen", err)
	}
	b := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "other_tenant", sms1); b <- sendResult{r, err} }()
	f.AwaitTimers(t, 2) // B waits too
	stop := autoAdvance(f, 50*time.Millisecond)
	ra, rb := recv(t, a), recv(t, b)
	stop()
	if ra.err != nil || ra.res.Attempts != 2 {
		t.Errorf("A: res %+v err %v, want success on attempt 2", ra.res, ra.err)
	}
	if rb.err != nil || rb.res.Attempts != 1 {
		t.Errorf("B: res %+v err %v, want success on attempt 1", rb.res, rb.err)
	}
	if n := ts.count(); n != 3 {
		t.Errorf("server saw %d requests, want 3 (the 500, then one each)", n)
	}
}

// 401 halts the tenant: its later sends fail at once until the cool-down
// ends; other tenants go on.
func TestUnauthorizedHaltsTenant(t *testing.T) {
	ts := newTestServer(t, reply{status: 401, body: errBody(1200, "Request was not authenticated properly")})
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.HaltCooldown = 5 * time.Minute
	c := newClient(t, cfg)
	ctx := context.Background()

	_, err := c.SendSMS(ctx, "acme_hq", sms1)
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.Status != 401 || apiErr.Action != policy.ActionHalt || apiErr.Attempts != 1 || !errors.Is(err, ErrTenantHalted) {
		t.Fatalf("err = %v, want *APIError 401 halt after 1 attempt matching ErrTenantHalted", err)
	}
	_, err = c.SendSMS(ctx, "acme_hq", sms1)
	if sendErr, ok := errors.AsType[*SendError](err); !ok || sendErr.Attempts != 0 || !errors.Is(err, ErrTenantHalted) {
		t.Fatalf("send of the halted tenant: %v, want *SendError with ErrTenantHalted, 0 attempts", err)
	}
	if n := ts.count(); n != 1 {
		t.Fatalf("halted tenant reached the server: %d requests", n)
	}
	if _, err := c.SendSMS(ctx, "other_tenant", sms1); err != nil {
		t.Errorf("other tenant: %v", err)
	}
	f.Advance(5*time.Minute - time.Second)
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); !errors.Is(err, ErrTenantHalted) {
		t.Errorf("before the cool-down ends: %v, want ErrTenantHalted", err)
	}
	f.Advance(time.Second)
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); err != nil {
		t.Errorf("after the cool-down: %v", err)
	}
}

// The policy's per-tenant HaltFor beats Config.HaltCooldown.
func TestPolicyHaltFor(t *testing.T) {
	ts := newTestServer(t, reply{status: 401, body: errBody(1200, "bad key")})
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.HaltCooldown = time.Hour
	cfg.Policy = mustPolicy(t, policy.Config{Tenants: map[string]policy.Tenant{"acme_hq": {Limits: policy.Limits{HaltFor: 10 * time.Second}}}})
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); !errors.Is(err, ErrTenantHalted) {
		t.Fatalf("err = %v, want a halt", err)
	}
	f.Advance(10 * time.Second)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Errorf("after the tenant's HaltFor: %v", err)
	}
}

// Storing a new policy in PolicyLive lifts halts and takes effect on the
// next send.
func TestPolicyReload(t *testing.T) {
	ts := newTestServer(t, reply{status: 401, body: errBody(1200, "bad key")})
	f := clock.NewFake(t0)
	live := policy.NewLive(nil)
	cfg := testConfig(ts.URL, f, 0)
	cfg.PolicyLive = live
	c := newClient(t, cfg)
	ctx := context.Background()
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); !errors.Is(err, ErrTenantHalted) {
		t.Fatalf("err = %v, want a halt", err)
	}
	// The reload also makes 400/1002 retryable for this tenant, to show the
	// new table is used.
	live.Store(mustPolicy(t, policy.Config{Tenants: map[string]policy.Tenant{
		"acme_hq": {Rules: []policy.Rule{{Status: 400, Action: policy.ActionRetry}}},
	}}))
	ts.mu.Lock()
	ts.script = []reply{{status: 400, body: errBody(1002, "bad number")}}
	ts.mu.Unlock()
	res, err := c.SendSMS(ctx, "acme_hq", sms1)
	if err != nil {
		t.Fatalf("after reload: %v", err)
	}
	if res.Attempts != 2 {
		t.Errorf("Attempts = %d, want 2 (400 retried under the reloaded rule)", res.Attempts)
	}
}

// A Retry-After that cannot end before the caller's deadline ends the send
// at once.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "15"}})
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.SendSMS(ctx, "acme_hq", sms1)
	if !errors.Is(err, ErrRetryAfterBeyondDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrRetryAfterBeyondDeadline (and context.DeadlineExceeded)", err)
	}
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.RetryAfter != 15*time.Second || apiErr.Attempts != 1 {
		t.Errorf("err = %#v, want *APIError with RetryAfter 15s after 1 attempt", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("send took %v; it must end at once", d)
	}
}

// The retry budget bounds retries client-wide.
func TestRetryBudgetExhausted(t *testing.T) {
	ts := newTestServer(t)
	ts.def = reply{status: 500, body: errBody(2000, "Internal server error")}
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Breaker = breaker.Config{MinRequests: 1000} // keep the breaker out of it
	cfg.FailFast = true                             // without it, retries wait for room in the budget
	cfg.Policy = mustPolicy(t, policy.Config{
		Retry:  policy.Retry{MaxAttempts: 10},
		Budget: policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.1, Window: time.Second},
	})
	c := newClient(t, cfg)
	var last error
	for range 3 {
		_, last = c.SendSMS(context.Background(), "acme_hq", sms1)
	}
	if !errors.Is(last, ErrBudgetExhausted) {
		t.Fatalf("err = %v, want ErrBudgetExhausted", last)
	}
	if n := ts.count(); n >= 30 {
		t.Errorf("server saw %d requests; the budget did not bound retries", n)
	}
}

// A send that would have to wait on the paused tenant past its own
// deadline fails at once with context.DeadlineExceeded.
func TestLimiterWaitPastDeadline(t *testing.T) {
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "10"}})
	// The limiter compares the context's (real) deadline with its clock:
	// start the fake clock at the real time.
	f := clock.NewFake(time.Now())
	cfg := testConfig(ts.URL, f, 0)
	cfg.Policy = mustPolicy(t, policy.Config{Limits: policy.Limits{Throttle429s: 1}}) // every 429 is the tenant's
	c := newClient(t, cfg)
	first := make(chan sendResult, 1)
	go func() { r, err := c.SendSMS(context.Background(), "acme_hq", sms1); first <- sendResult{r, err} }()
	f.AwaitTimers(t, 1) // the tenant is paused for 10s
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.SendSMS(ctx, "acme_hq", sms1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if se, ok := errors.AsType[*SendError](err); !ok || se.Attempts != 0 {
		t.Errorf("err = %#v, want *SendError with 0 attempts", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v, want at once", d)
	}
	f.Advance(10 * time.Second)
	if r := recv(t, first); r.err != nil {
		t.Errorf("the throttled send: %v", r.err)
	}
}
