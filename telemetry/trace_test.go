package telemetry

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// headerLog records the traceparent header of every attempt, as a
// transport under the telemetry's sees it.
type headerLog struct {
	mu  sync.Mutex
	got []string
}

func (l *headerLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return rtFunc(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.got = append(l.got, r.Header.Get("traceparent"))
		l.mu.Unlock()
		return rt.RoundTrip(r)
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// tracedClient returns a client to srv instrumented with a span recorder.
func tracedClient(t *testing.T, srv *emulator.Server, f *clock.Fake, hl *headerLog) (*client.Client, *tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mp, _ := newReader(t)
	tel, err := New(Options{MeterProvider: mp, TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	cfg := client.Config{APIKey: testKey, BaseURL: srv.URL(), Clock: f, Rand: func() float64 { return 0.5 }}
	if hl != nil {
		cfg.WrapTransport = hl.wrap
	}
	tel.Instrument(&cfg)
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, sr, tp
}

func attr(kvs []attribute.KeyValue, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range kvs {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// One span per send, one event per attempt with its status, code, action,
// delay and ambiguity; the W3C trace context on every attempt's request,
// naming the send's span, a child of the caller's.
func TestSpanPerSendWithAttemptEvents(t *testing.T) {
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Script: []emulator.Fault{
		{Kind: emulator.Fault503}, {Kind: emulator.FaultAcceptedThen500},
	}})
	var hl headerLog
	c, sr, tp := tracedClient(t, srv, f, &hl)
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "caller")
	stop := autoAdvance(f, 50*time.Millisecond)
	res, err := c.SendSMS(parentCtx, "acme_hq", client.SMS{Destination: "+6591234567", Text: "Your code is 482913", ClientMessageID: "trace-1"})
	stop()
	parent.End()
	if err != nil || res.Attempts != 3 {
		t.Fatalf("SendSMS = %+v, %v; want accepted after 3 attempts", res, err)
	}
	var send sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == SpanName {
			if send != nil {
				t.Fatal("two send spans for one send")
			}
			send = s
		}
	}
	if send == nil {
		t.Fatal("no send span")
	}
	if send.Parent().SpanID() != parent.SpanContext().SpanID() || send.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Error("the send span is not a child of the caller's span")
	}
	for k, want := range map[attribute.Key]string{
		AttrTenant: "acme_hq", AttrClientMessageID: "trace-1", AttrDestination: "+65******67",
		AttrOutcome: "accepted", AttrServerAddr: "127.0.0.1",
	} {
		if v, ok := attr(send.Attributes(), k); !ok || v.AsString() != want {
			t.Errorf("span attribute %s = %v, want %q", k, v.String(), want)
		}
	}
	if v, _ := attr(send.Attributes(), AttrAmbiguous); !v.AsBool() {
		t.Error("the span of a send that was accepted twice is not flagged ambiguous")
	}
	if send.Status().Code == codes.Error {
		t.Errorf("an accepted send's span has status %v", send.Status())
	}
	evs := send.Events()
	if len(evs) != 3 {
		t.Fatalf("%d span events, want 3 (one per attempt)", len(evs))
	}
	wantStatus, wantAction := []int64{503, 500, 200}, []string{"trip", "trip", "ok"}
	for i, e := range evs {
		if e.Name != AttemptEvent {
			t.Errorf("event %d is %q", i, e.Name)
		}
		st, _ := attr(e.Attributes, AttrHTTPStatus)
		act, _ := attr(e.Attributes, AttrAction)
		n, _ := attr(e.Attributes, AttrAttempt)
		if st.AsInt64() != wantStatus[i] || act.AsString() != wantAction[i] || n.AsInt64() != int64(i+1) {
			t.Errorf("event %d: status %v action %v attempt %v, want %d %s %d", i, st.String(), act.String(), n.String(), wantStatus[i], wantAction[i], i+1)
		}
		code, _ := attr(e.Attributes, AttrAPICode)
		delay, hasDelay := attr(e.Attributes, AttrDelay)
		amb, _ := attr(e.Attributes, AttrAmbiguous)
		if i < 2 && (code.AsInt64() != 2000 || !hasDelay || delay.AsFloat64() <= 0) {
			t.Errorf("event %d: code %v delay %v, want 2000 and a delay", i, code.String(), delay.String())
		}
		if amb.AsBool() != (i == 1) {
			t.Errorf("event %d: ambiguous %v, want %v (accepted-then-500)", i, amb.AsBool(), i == 1)
		}
	}
	// Every attempt carried traceparent 00-<trace>-<the send span>-01.
	want := "00-" + send.SpanContext().TraceID().String() + "-" + send.SpanContext().SpanID().String() + "-01"
	hl.mu.Lock()
	defer hl.mu.Unlock()
	if len(hl.got) != 3 {
		t.Fatalf("%d requests seen, want 3", len(hl.got))
	}
	for i, h := range hl.got {
		if h != want {
			t.Errorf("attempt %d traceparent %q, want %q", i+1, h, want)
		}
	}
}

// A failed send's span has status Error, the error recorded as an
// exception event and error.type set.
func TestFailedSendSpanRecordsError(t *testing.T) {
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Tenants: map[string]emulator.TenantConfig{"acme_off": {Disabled: true}}})
	c, sr, _ := tracedClient(t, srv, f, nil)
	_, err := c.SendSMS(context.Background(), "acme_off", client.SMS{Destination: "+6591234567", Text: "hello"})
	if err == nil {
		t.Fatal("a send for a disabled sub-account succeeded")
	}
	spans := sr.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Status().Code != codes.Error || s.Status().Description != "tenant_halted" {
		t.Errorf("status %+v, want Error tenant_halted", s.Status())
	}
	if v, _ := attr(s.Attributes(), AttrErrorType); v.AsString() != "tenant_halted" {
		t.Errorf("error.type %q", v.String())
	}
	var exc bool
	for _, e := range s.Events() {
		if e.Name == "exception" {
			msg, _ := attr(e.Attributes, "exception.message")
			exc = msg.AsString() == err.Error()
		}
	}
	if !exc {
		t.Errorf("no exception event with the send's error %q", err)
	}
}

// Without a tracer provider that records, OnSend leaves the send's
// context alone and requests carry no traceparent.
func TestNoSpanWithoutTracing(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	tel, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var hl headerLog
	cfg := client.Config{APIKey: testKey, BaseURL: srv.URL(), WrapTransport: hl.wrap}
	tel.Instrument(&cfg)
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.SendSMS(context.Background(), "acme_hq", client.SMS{Destination: "+6591234567", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if ctx := tel.onSend(context.Background(), client.Event{}); ctx != nil {
		t.Error("onSend made a context with tracing off")
	}
	if len(hl.got) != 1 || strings.TrimSpace(hl.got[0]) != "" {
		t.Errorf("traceparent headers %q, want none", hl.got)
	}
}
