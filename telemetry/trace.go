package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/octosend/octosend/client"
)

// SpanName is the name of the span of one request (a single send, or
// one chunk of a batch).
const SpanName = "octosend.send"

// AttemptEvent is the name of the span event of each attempt.
const AttemptEvent = "octosend.attempt"

// Span and event attributes beyond the metric ones.
const (
	AttrAttempt         = attribute.Key("octosend.attempt")           // 1-based attempt number
	AttrAttempts        = attribute.Key("octosend.attempts")          // attempts the request made
	AttrMessages        = attribute.Key("octosend.messages")          // messages in the request
	AttrClientMessageID = attribute.Key("octosend.client_message_id") // "" (absent) for a batch chunk
	AttrDestination     = attribute.Key("octosend.destination")       // masked as in the logs: "+65******67"
	AttrDelay           = attribute.Key("octosend.delay")             // seconds before the next attempt
	AttrRetryAfter      = attribute.Key("octosend.retry_after")       // the server's hint, seconds
	AttrLimiterWait     = attribute.Key("octosend.limiter.wait")      // seconds waited for the limiter
	AttrDuration        = attribute.Key("octosend.duration")          // the attempt's duration, seconds
	AttrReason          = attribute.Key("octosend.reason")            // the policy's reason
)

// spanKey finds the send's span in the contexts this package made, so
// OnDone never ends a span it did not start (a caller's own, say).
type spanKey struct{}

// spanCtx is the send's context: the caller's, with the send's span.
type spanCtx struct {
	context.Context
	span trace.Span
}

func (c *spanCtx) Value(k any) any {
	if k == (spanKey{}) {
		return c.span
	}
	return c.Context.Value(k)
}

func sendSpan(ctx context.Context) trace.Span {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(spanKey{}).(trace.Span)
	return s
}

// onSend starts the request's span, a child of whatever span ctx holds.
// Its context becomes the send's, so every attempt's request carries its
// trace context (WrapTransport). Nothing is started when tracing is off
// (a no-op provider): the send's context stays the caller's.
func (t *Telemetry) onSend(ctx context.Context, ev client.Event) context.Context {
	sctx, span := t.tracer.Start(ctx, SpanName, spanStart...)
	if !span.IsRecording() {
		if !span.SpanContext().IsValid() {
			return nil // tracing is off: nothing to carry
		}
		return &spanCtx{Context: sctx, span: span} // sampled out: still propagated
	}
	kv := make([]attribute.KeyValue, 0, 8)
	kv = append(kv, AttrTenant.String(ev.Tenant), AttrMessages.Int(ev.Messages), AttrHTTPMethod.String("POST"))
	if ev.ClientMessageID != "" {
		kv = append(kv, AttrClientMessageID.String(ev.ClientMessageID))
	}
	if ev.Destination != "" {
		kv = append(kv, AttrDestination.String(ev.Destination)) // masked by the client
	}
	span.SetAttributes(t.m.server(ev.BaseURL).attrs(kv)...)
	return &spanCtx{Context: sctx, span: span}
}

// spanStart are the options of every send span, built once.
var spanStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// spanAttempt adds the attempt's event to the send's span.
func (t *Telemetry) spanAttempt(ev *client.Event) {
	span := sendSpan(ev.Context)
	if span == nil || !span.IsRecording() {
		return
	}
	kv := make([]attribute.KeyValue, 0, 12)
	kv = append(kv, AttrAttempt.Int(ev.Attempt), AttrAction.String(ev.Action.String()),
		AttrAmbiguous.Bool(ev.Ambiguous), AttrDuration.Float64(ev.Latency.Seconds()))
	if ev.Status != 0 {
		kv = append(kv, AttrHTTPStatus.Int(ev.Status))
	} else {
		kv = append(kv, AttrTransport.String(ev.Transport.String()))
	}
	if ev.Code != 0 {
		kv = append(kv, AttrAPICode.Int(int(ev.Code)))
	}
	if ev.Delay > 0 {
		kv = append(kv, AttrDelay.Float64(ev.Delay.Seconds()))
	}
	if ev.RetryAfter > 0 {
		kv = append(kv, AttrRetryAfter.Float64(ev.RetryAfter.Seconds()))
	}
	if ev.LimiterWait > 0 {
		kv = append(kv, AttrLimiterWait.Float64(ev.LimiterWait.Seconds()))
	}
	if ev.Reason != "" {
		kv = append(kv, AttrReason.String(ev.Reason))
	}
	span.AddEvent(AttemptEvent, trace.WithAttributes(kv...))
}

// endSpan records the request's outcome and ends its span. The error's
// text is the client's, which never holds the key or the message text
// and masks destinations.
func (t *Telemetry) endSpan(ev *client.Event) {
	span := sendSpan(ev.Context)
	if span == nil {
		return
	}
	outcome := "accepted"
	if ev.Err != nil {
		outcome = "failed"
	}
	kv := []attribute.KeyValue{AttrOutcome.String(outcome), AttrAmbiguous.Bool(ev.Ambiguous), AttrAttempts.Int(ev.Attempt)}
	if ev.Status != 0 {
		kv = append(kv, AttrHTTPStatus.Int(ev.Status))
	}
	if ev.Err != nil {
		et := errorType(ev.Err)
		kv = append(kv, AttrErrorType.String(et))
		span.RecordError(ev.Err)
		span.SetStatus(codes.Error, et)
	}
	span.SetAttributes(kv...)
	span.End()
}

// WrapTransport returns rt wrapped to inject the send's trace context
// (Options.Propagator: W3C traceparent by default) into every attempt's
// request. Instrument installs it; the request is copied, with a header
// map of its own, before its headers change, as
// client.Config.WrapTransport requires.
func (t *Telemetry) WrapTransport(rt http.RoundTripper) http.RoundTripper {
	_, w3c := t.prop.(propagation.TraceContext)
	return &propagating{base: rt, prop: t.prop, w3cOnly: w3c}
}

type propagating struct {
	base    http.RoundTripper
	prop    propagation.TextMapPropagator
	w3cOnly bool // the propagator injects nothing without a span context
}

func (p *propagating) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if p.w3cOnly && !trace.SpanContextFromContext(ctx).IsValid() {
		return p.base.RoundTrip(req)
	}
	// A shallow copy with a header map of its own: the client's header
	// map is shared by every request and must not change; the values'
	// slices are shared, read-only.
	h := make(http.Header, len(req.Header)+2)
	for k, v := range req.Header {
		h[k] = v
	}
	p.prop.Inject(ctx, propagation.HeaderCarrier(h))
	r := req.WithContext(ctx)
	r.Header = h
	return p.base.RoundTrip(r)
}
