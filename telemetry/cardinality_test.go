package telemetry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// feed plays a send of each of n tenants through tel's hooks: a 429, a
// retry, an attempt with a code 8x8 never documented, and the outcome.
func feed(tel *Telemetry, n int) {
	h := tel.Hooks()
	for i := range n {
		ev := client.Event{
			Tenant: "tenant_" + strconv.Itoa(i), Messages: 1, Attempt: 1, Status: 429, Code: 429,
			Action: policy.ActionBackoff, Scope: client.ScopeTenant, BaseURL: "https://sms.8x8.com",
			Latency: 3 * time.Millisecond, LimiterWait: time.Millisecond, Context: context.Background(),
		}
		h.OnAttempt(ev)
		h.OnThrottled(ev)
		h.OnRetry(ev)
		ev.Attempt, ev.Status, ev.Code, ev.Action = 2, 400, envelope.Code(987654), policy.ActionFail
		h.OnAttempt(ev)
		ev.Err = &client.APIError{Status: 400, Code: ev.Code}
		h.OnDone(ev)
	}
}

// points counts a metric's data points (its series).
func points(t *testing.T, rm metricdata.ResourceMetrics, name string) int {
	t.Helper()
	switch d := find(t, rm, name).Data.(type) {
	case metricdata.Sum[int64]:
		return len(d.DataPoints)
	case metricdata.Histogram[float64]:
		return len(d.DataPoints)
	}
	t.Fatalf("%s: unexpected data %T", name, find(t, rm, name).Data)
	return 0
}

// By default no metric carries a tenant: 10,000 tenants make no more
// series than one.
func TestNoTenantAttributeByDefault(t *testing.T) {
	mp, collect := newReader(t)
	tel, err := New(Options{MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	feed(tel, 10000)
	rm := collect()
	for _, name := range []string{MetricSends, MetricMessages, MetricAttempts, MetricRetries, MetricThrottles, MetricTenantPauses, MetricLimiterWait} {
		if vs := values(t, rm, name, AttrTenant); len(vs) != 0 {
			t.Errorf("%s carries tenants %v without the opt-in", name, vs)
		}
	}
	if got := sum(t, rm, MetricSends, AttrOutcome.String("failed"), AttrErrorType.String("api_error")); got != 10000 {
		t.Errorf("failed sends = %d, want 10000", got)
	}
	if p := points(t, rm, MetricAttempts); p != 2 {
		t.Errorf("%s has %d series for two kinds of attempt, want 2", MetricAttempts, p)
	}
	// The attempt histogram has the 1 ms - 60 s buckets; the 3 ms attempts
	// are in (2.5 ms, 5 ms].
	h := find(t, rm, MetricRequestLatency).Data.(metricdata.Histogram[float64])
	for _, dp := range h.DataPoints {
		if !slices.Equal(dp.Bounds, DurationBuckets) || dp.Bounds[0] != 0.001 || dp.Bounds[len(dp.Bounds)-1] != 60 {
			t.Errorf("%s bounds %v, want %v", MetricRequestLatency, dp.Bounds, DurationBuckets)
		}
		if dp.BucketCounts[2] != dp.Count {
			t.Errorf("bucket counts %v: the 3ms attempts are not all in (2.5ms, 5ms]", dp.BucketCounts)
		}
	}
}

// With the opt-in, the first MaxTenants tenants have series of their own
// and every later one shares OtherTenant: 10,000 tenants, 6 values.
func TestTenantAttributeCapped(t *testing.T) {
	mp, collect := newReader(t)
	tel, err := New(Options{MeterProvider: mp, MaxTenants: 5})
	if err != nil {
		t.Fatal(err)
	}
	feed(tel, 10000)
	rm := collect()
	for _, name := range []string{MetricSends, MetricAttempts, MetricRetries, MetricThrottles, MetricTenantPauses, MetricLimiterWait} {
		vs := values(t, rm, name, AttrTenant)
		if len(vs) != 6 || !vs[OtherTenant] || !vs["tenant_0"] || !vs["tenant_4"] || vs["tenant_5"] {
			t.Errorf("%s carries tenants %v, want tenant_0..tenant_4 and %s", name, vs, OtherTenant)
		}
	}
	if got := sum(t, rm, MetricSends, AttrTenant.String(OtherTenant)); got != 10000-5 {
		t.Errorf("%s sends, want %d", strconv.FormatInt(got, 10), 10000-5)
	}
	if p := points(t, rm, MetricAttempts); p != 2*6 {
		t.Errorf("%s has %d series, want 12 (2 kinds × 6 tenant values)", MetricAttempts, p)
	}
	// The semantic-convention histogram never carries the tenant.
	if vs := values(t, rm, MetricRequestLatency, AttrTenant); len(vs) != 0 {
		t.Errorf("%s carries tenants %v", MetricRequestLatency, vs)
	}
	if _, err := New(Options{MaxTenants: -1}); err == nil {
		t.Error("New accepted a negative MaxTenants")
	}
}

// Codes 8x8 does not document share one value; known codes keep theirs.
func TestUnknownCodesShareOneValue(t *testing.T) {
	mp, collect := newReader(t)
	tel, err := New(Options{MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	h := tel.Hooks()
	for i := range 100 {
		h.OnAttempt(client.Event{Status: 400, Code: envelope.Code(900000 + i), Action: policy.ActionFail, Context: context.Background()})
	}
	h.OnAttempt(client.Event{Status: 400, Code: 1002, Action: policy.ActionFail, Context: context.Background()})
	rm := collect()
	vs := values(t, rm, MetricAttempts, AttrAPICode)
	if len(vs) != 2 || !vs["_other"] || !vs["1002"] {
		t.Errorf("codes %v, want _other and 1002", vs)
	}
}

// error.type names each kind of failure from a small fixed set.
func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{client.ErrBreakerOpen, "breaker_open"},
		{&client.SendError{Err: client.ErrTenantHalted}, "tenant_halted"},
		{&client.APIError{Status: 503, Err: client.ErrBudgetExhausted}, "budget_exhausted"},
		{&client.APIError{Status: 429, Err: client.ErrRetryAfterBeyondDeadline}, "retry_after_beyond_deadline"},
		{&client.APIError{Status: 200, Err: client.ErrRejected}, "rejected"},
		{&client.SendError{Err: context.DeadlineExceeded}, "deadline_exceeded"},
		{&client.SendError{Err: context.Canceled, Transport: policy.TransportCanceled}, "canceled"},
		{&client.APIError{Status: 400}, "api_error"},
		{&client.ResponseError{Status: 200}, "unusable_response"},
		{&client.SendError{Transport: policy.TransportReset}, "reset"},
		{errors.New("something else"), "_OTHER"},
	} {
		if got := errorType(tc.err); got != tc.want {
			t.Errorf("errorType(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
