//go:build !race

// The race detector changes allocation counts, so these run in normal
// builds only.

package telemetry

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
)

// Every metrics hook records without allocating once its attribute sets
// exist: they are built on first use and kept.
func TestMetricsHooksAllocateNothing(t *testing.T) {
	mp, _ := newReader(t)
	tel, err := New(Options{MeterProvider: mp, TracerProvider: noop.NewTracerProvider(), MaxTenants: 3})
	if err != nil {
		t.Fatal(err)
	}
	h := tel.Hooks()
	if h.OnSend != nil {
		t.Error("a noop tracer provider still installs OnSend")
	}
	ev := client.Event{
		Tenant: "acme_hq", Messages: 1, Attempt: 2, Status: 429, Code: 429, Action: policy.ActionBackoff,
		Scope: client.ScopeTenant, BaseURL: "https://sms.8x8.com", Latency: 40 * time.Millisecond,
		LimiterWait: time.Millisecond, BudgetRefused: true, Context: context.Background(),
	}
	done := ev
	done.Err = &client.APIError{Status: 429, Err: client.ErrRetryAfterBeyondDeadline}
	halt := ev
	halt.Status, halt.Code, halt.Action = 401, 1200, policy.ActionHalt
	hidden := ev
	hidden.Tenant = "tenant_past_the_cap"
	for _, tn := range []string{"a", "b", "c"} {
		e := ev
		e.Tenant = tn
		h.OnAttempt(e) // fill the cap: hidden is then OtherTenant
	}
	for name, f := range map[string]func(){
		"OnAttempt":        func() { h.OnAttempt(ev) },
		"OnAttempt(halt)":  func() { h.OnAttempt(halt) },
		"OnAttempt(other)": func() { h.OnAttempt(hidden) },
		"OnRetry":          func() { h.OnRetry(ev) },
		"OnThrottled":      func() { h.OnThrottled(ev) },
		"OnDone":           func() { h.OnDone(done) },
		"OnDone(ok)":       func() { h.OnDone(ev) },
		"OnBreakerStateChange": func() {
			h.OnBreakerStateChange(client.BreakerEvent{Key: "https://sms.8x8.com", From: breaker.Closed, To: breaker.Open})
		},
	} {
		f() // build its attribute sets
		if a := testing.AllocsPerRun(200, f); a != 0 {
			t.Errorf("%s allocates %v times per call, want 0", name, a)
		}
	}
}

// sendAllocs is the fewest allocations of a send, over three measurements.
func sendAllocs(t *testing.T, c *client.Client) float64 {
	ctx := context.Background()
	best := -1.0
	for range 3 {
		a := testing.AllocsPerRun(200, func() {
			if _, err := c.SendSMS(ctx, "acme_hq", benchSMS); err != nil {
				t.Fatal(err)
			}
		})
		if best < 0 || a < best {
			best = a
		}
	}
	return best
}

// A whole send with metrics allocates what it does without telemetry,
// with one attempt or three: the metrics path adds no allocation per
// attempt (nor per send, with tracing off). One allocation of slack
// absorbs net/http's own jitter; one per attempt would be three.
func TestMetricsAddNoAllocationPerSendOrAttempt(t *testing.T) {
	for _, attempts := range []int{1, 3} {
		srv := benchServer(t, attempts)
		plain, inst := benchClient(t, srv.URL, bare), benchClient(t, srv.URL, metricsOnly)
		for range 20 { // warm connections, pools and attribute sets
			if _, err := plain.SendSMS(context.Background(), "acme_hq", benchSMS); err != nil {
				t.Fatal(err)
			}
			if _, err := inst.SendSMS(context.Background(), "acme_hq", benchSMS); err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
		}
		b, m := sendAllocs(t, plain), sendAllocs(t, inst)
		t.Logf("%d attempt(s) per send: %v allocations without telemetry, %v with metrics", attempts, b, m)
		if m-b > 1 {
			t.Errorf("%d attempt(s) per send: metrics add %v allocations per send, want none", attempts, m-b)
		}
	}
}
