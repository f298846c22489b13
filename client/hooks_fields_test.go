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

// Every event names the API's base URL (for telemetry's server.address),
// never the tenant's path.
func TestEventBaseURL(t *testing.T) {
	ts := newTestServer(t)
	var mu sync.Mutex
	var bases []string
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Hooks = Hooks{
		OnAttempt: func(ev Event) { mu.Lock(); bases = append(bases, ev.BaseURL); mu.Unlock() },
		OnDone:    func(ev Event) { mu.Lock(); bases = append(bases, ev.BaseURL); mu.Unlock() },
	}
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bases) != 2 || bases[0] != ts.URL || bases[1] != ts.URL {
		t.Errorf("events name the base URLs %q, want %q twice", bases, ts.URL)
	}
}

// A retry the budget refuses is flagged: in OnDone when the send ends on
// it (FailFast), in OnRetry when the retry waits for room.
func TestEventBudgetRefused(t *testing.T) {
	for _, failFast := range []bool{true, false} {
		ts := newTestServer(t)
		ts.def = reply{status: 500, body: errBody(2000, "Internal server error")}
		var mu sync.Mutex
		var doneRefused, retryRefused, retries int
		f := clock.NewFake(t0)
		cfg := testConfig(ts.URL, f, 0)
		cfg.Breaker = breaker.Config{MinRequests: 1000}
		cfg.FailFast = failFast
		cfg.Policy = mustPolicy(t, policy.Config{
			Retry:  policy.Retry{MaxAttempts: 3, Deadline: 3 * time.Second},
			Budget: policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 1, Window: time.Second},
		})
		cfg.Hooks = Hooks{
			OnRetry: func(ev Event) {
				mu.Lock()
				retries++
				if ev.BudgetRefused {
					retryRefused++
				}
				mu.Unlock()
			},
			OnDone: func(ev Event) {
				mu.Lock()
				if ev.BudgetRefused {
					doneRefused++
					if !errors.Is(ev.Err, ErrBudgetExhausted) {
						t.Errorf("OnDone flags a budget refusal with the error %v", ev.Err)
					}
				}
				mu.Unlock()
			},
		}
		c := newClient(t, cfg)
		stop := autoAdvance(f, 50*time.Millisecond)
		for range 3 {
			_, _ = c.SendSMS(context.Background(), "acme_hq", sms1)
		}
		stop()
		mu.Lock()
		t.Logf("FailFast %v: %d retries, %d flagged refused; %d OnDone refusals", failFast, retries, retryRefused, doneRefused)
		if failFast && (doneRefused == 0 || retryRefused != 0) {
			t.Errorf("FailFast: %d OnDone and %d OnRetry budget refusals, want some in OnDone only", doneRefused, retryRefused)
		}
		if !failFast && (retryRefused == 0 || retryRefused == retries) {
			t.Errorf("holding: %d of %d retries flagged refused, want some but not all", retryRefused, retries)
		}
		mu.Unlock()
	}
}

// TenantRate reports the adaptive rate: cut by a tenant-scope 429, the
// configured rate untouched; unknown tenants are not reported.
func TestTenantRate(t *testing.T) {
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "1"}})
	f := clock.NewFake(t0)
	cfg := testConfig(ts.URL, f, 0)
	cfg.Policy = mustPolicy(t, policy.Config{Limits: policy.Limits{Rate: 100, Throttle429s: 1}})
	c := newClient(t, cfg)
	if _, _, ok := c.TenantRate("acme_hq"); ok {
		t.Error("TenantRate knows a tenant that never sent")
	}
	stop := autoAdvance(f, 100*time.Millisecond)
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	stop()
	if err != nil {
		t.Fatal(err)
	}
	rate, configured, ok := c.TenantRate("acme_hq")
	if !ok || configured != 100 || rate >= configured || rate <= 0 {
		t.Errorf("TenantRate = %v, %v, %v; want a rate cut below the configured 100", rate, configured, ok)
	}
}
