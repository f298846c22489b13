package telemetry

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/octosend/octosend/client"
)

// ScopeName is the instrumentation scope of octosend's meter and tracer.
const ScopeName = "github.com/octosend/octosend/telemetry"

// Options configures a Telemetry. The zero value uses the global
// providers (otel.GetMeterProvider, otel.GetTracerProvider), the W3C trace
// context propagator, and no tenant attribute.
type Options struct {
	// MeterProvider makes the instruments; nil means
	// otel.GetMeterProvider() (a no-op until the program sets one).
	MeterProvider metric.MeterProvider
	// TracerProvider makes the send spans; nil means
	// otel.GetTracerProvider(). A noop.TracerProvider turns tracing off
	// altogether (no OnSend hook, no trace headers).
	TracerProvider trace.TracerProvider
	// Propagator injects the trace context into every attempt's request;
	// nil means propagation.TraceContext{} (the traceparent and tracestate
	// headers of W3C Trace Context).
	Propagator propagation.TextMapPropagator

	// MaxTenants opts in to the octosend.tenant attribute: the first
	// MaxTenants distinct tenants (sub-accounts) a client sends for get a
	// value of their own on octosend's metrics, every later one shares
	// OtherTenant. Zero (the default) puts no tenant on any metric, so a
	// sender with 10^5 tenants cannot explode a metrics backend. Spans
	// always carry the tenant (a span is one send, not a series).
	MaxTenants int
}

// Telemetry turns a client's hooks into OpenTelemetry metrics and spans.
// Make one per client (or per set of clients that share its attribute
// budget), wire it with Instrument before client.New, and call Close when
// done. It is safe for concurrent use.
type Telemetry struct {
	tenants *tenants
	m       *meters
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	noTrace bool // the tracer provider is a noop.TracerProvider

	gauges *gauges

	closeOnce sync.Once
	closeErr  error
}

// New builds the instruments. It fails when the meter provider refuses
// one (a name clash with another instrumentation of the same scope).
func New(o Options) (*Telemetry, error) {
	if o.MaxTenants < 0 {
		return nil, errors.New("telemetry: MaxTenants is negative")
	}
	mp, tp := o.MeterProvider, o.TracerProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	t := &Telemetry{tenants: newTenants(o.MaxTenants), prop: o.Propagator}
	if t.prop == nil {
		t.prop = propagation.TraceContext{}
	}
	meter := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version))
	var err error
	if t.m, err = newMeters(meter, t.tenants); err != nil {
		return nil, err
	}
	if t.gauges, err = newGauges(meter, t.tenants); err != nil {
		return nil, err
	}
	t.tracer = tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version))
	_, t.noTrace = tp.(noop.TracerProvider)
	return t, nil
}

// Version is the telemetry module's instrumentation version.
const Version = "0.1.0"

// Instrument wires t into cfg: its Hooks (each hook cfg already has is
// kept and called first) and its WrapTransport (t's propagation wraps
// whatever cfg's wrapper returns). Call it before client.New(*cfg), then
// ObserveRates with the client for the adaptive-rate gauge.
func (t *Telemetry) Instrument(cfg *client.Config) {
	cfg.Hooks = chain(cfg.Hooks, t.Hooks())
	inner := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if inner != nil {
			if w := inner(rt); w != nil {
				rt = w
			}
		}
		if t.noTrace {
			return rt
		}
		return t.WrapTransport(rt)
	}
}

// Hooks returns the client hooks that record t's metrics and spans, for a
// caller that wires hooks itself (Instrument does it for a Config).
func (t *Telemetry) Hooks() client.Hooks {
	h := client.Hooks{
		OnAttempt:            t.onAttempt,
		OnRetry:              t.onRetry,
		OnThrottled:          t.onThrottled,
		OnDone:               t.onDone,
		OnBreakerStateChange: t.onBreaker,
	}
	if !t.noTrace {
		h.OnSend = t.onSend
	}
	return h
}

// ObserveRates makes the octosend.limiter.rate gauge report src's
// adaptive rate (a *client.Client is a RateSource) for every tenant with
// an attribute value of its own (see Options.MaxTenants). A later call
// replaces src.
func (t *Telemetry) ObserveRates(src RateSource) { t.gauges.setRates(src) }

// RateSource reports a tenant's current and configured rate limits
// (*client.Client does).
type RateSource interface {
	TenantRate(tenant string) (rate, configured float64, ok bool)
}

// Close unregisters t's callbacks (counters and gauges). The other instruments belong to
// the meter provider and end with it.
func (t *Telemetry) Close() error {
	t.closeOnce.Do(func() { t.closeErr = errors.Join(t.gauges.close(), t.m.close()) })
	return t.closeErr
}

// chain calls a's hook, then b's, for each hook either has.
func chain(a, b client.Hooks) client.Hooks {
	return client.Hooks{
		OnSend:               chainSend(a.OnSend, b.OnSend),
		OnDone:               chainEvent(a.OnDone, b.OnDone),
		OnAttempt:            chainEvent(a.OnAttempt, b.OnAttempt),
		OnRetry:              chainEvent(a.OnRetry, b.OnRetry),
		OnThrottled:          chainEvent(a.OnThrottled, b.OnThrottled),
		OnGiveUp:             chainEvent(a.OnGiveUp, b.OnGiveUp),
		OnBreakerStateChange: chainBreaker(a.OnBreakerStateChange, b.OnBreakerStateChange),
	}
}

func chainEvent(a, b func(client.Event)) func(client.Event) {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(ev client.Event) { a(ev); b(ev) }
}

func chainBreaker(a, b func(client.BreakerEvent)) func(client.BreakerEvent) {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(ev client.BreakerEvent) { a(ev); b(ev) }
}

// chainSend runs a, then b with a's context.
func chainSend(a, b func(context.Context, client.Event) context.Context) func(context.Context, client.Event) context.Context {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(ctx context.Context, ev client.Event) context.Context {
		if c := a(ctx, ev); c != nil {
			ctx = c
		}
		if c := b(ctx, ev); c != nil {
			return c
		}
		return ctx
	}
}
