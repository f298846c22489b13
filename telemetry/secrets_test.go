package telemetry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// dumpAttrs writes every key and value of kvs.
func dumpAttrs(b *strings.Builder, kvs []attribute.KeyValue) {
	for _, kv := range kvs {
		fmt.Fprintf(b, " %s=%s", kv.Key, kv.Value.String())
	}
}

// No span attribute, span event, span status, metric attribute or
// request header the telemetry adds ever holds the API key, the message
// text or an unmasked destination, whatever the outcome: faults,
// throttles, a halted tenant, a rejected message, a batch, a chat.
func TestNoSecretInTelemetry(t *testing.T) {
	const (
		text = "Your secret code is 482913"
		dest = "+6591234567"
		chat = "Private chat text 7731"
		cdst = "+6598765432"
	)
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{
		APIKey: testKey, Seed: 7,
		Faults: emulator.Faults{
			P500: 0.1, P503: 0.1, PAcceptedThen500: 0.1, P429: 0.1, PResetAfter: 0.05,
			PGarbage: 0.05, PTruncated: 0.05, RetryAfter: time.Second,
		},
		Tenants: map[string]emulator.TenantConfig{"acme_off": {Disabled: true}},
	})
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())
	mp, collect := newReader(t)
	tel, err := New(Options{MeterProvider: mp, TracerProvider: tp, MaxTenants: 10})
	if err != nil {
		t.Fatal(err)
	}
	var hl headerLog
	cfg := client.Config{APIKey: testKey, BaseURL: srv.URL(), Clock: f, Rand: func() float64 { return 0.5 }, WrapTransport: hl.wrap}
	tel.Instrument(&cfg)
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := autoAdvance(f, 50*time.Millisecond)
	ctx := context.Background()
	for range 20 {
		_, _ = c.SendSMS(ctx, "acme_hq", client.SMS{Destination: dest, Text: text})
		_, _ = c.SendChat(ctx, "acme_chat", client.Chat{User: client.ChatUser{MSISDN: cdst}, Content: client.ChatContent{Text: chat}})
	}
	_, _ = c.SendSMS(ctx, "acme_off", client.SMS{Destination: dest, Text: text})
	_, _ = c.SendSMS(ctx, "acme_hq", client.SMS{Destination: "+65", Text: text}) // too short: refused by 8x8 or the client
	_, _ = c.SendBatch(ctx, "acme_hq", client.Batch{Template: client.SMSTemplate{Text: text}, Destinations: []string{dest, cdst}})
	stop()

	var b strings.Builder
	spans := sr.Ended()
	for _, s := range spans {
		b.WriteString(s.Name())
		dumpAttrs(&b, s.Attributes())
		for _, e := range s.Events() {
			b.WriteString(" event " + e.Name)
			dumpAttrs(&b, e.Attributes)
		}
		b.WriteString(" status " + s.Status().Description + "\n")
	}
	rm := collect()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			b.WriteString(m.Name + " " + m.Description + " " + m.Unit)
			for _, set := range pointSets(m.Data) {
				dumpAttrs(&b, set.ToSlice())
			}
			b.WriteString("\n")
		}
	}
	hl.mu.Lock()
	b.WriteString(strings.Join(hl.got, "\n"))
	hl.mu.Unlock()
	dump := b.String()

	for _, secret := range []string{testKey, text, chat, dest, dest[1:], cdst, cdst[1:]} {
		if strings.Contains(dump, secret) {
			i := strings.Index(dump, secret)
			t.Errorf("telemetry holds %q: ...%s...", secret, dump[max(0, i-200):min(len(dump), i+100)])
		}
	}
	// The test saw what it means to check: masked destinations, failures,
	// exception events, and the spans of every kind of send.
	for _, want := range []string{"+65******67", "+65******32", "exception", "tenant_halted", "octosend.attempt", "octosend.messages=2"} {
		if !strings.Contains(dump, want) {
			t.Errorf("the telemetry dump lacks %q: the test does not cover what it claims", want)
		}
	}
	if len(spans) < 40 {
		t.Errorf("%d spans, want one per send", len(spans))
	}
}

// pointSets returns the attribute sets of a metric's points, and of their
// exemplars.
func pointSets(d metricdata.Aggregation) []attribute.Set {
	var sets []attribute.Set
	switch d := d.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
			for _, e := range dp.Exemplars {
				sets = append(sets, attribute.NewSet(e.FilteredAttributes...))
			}
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
			for _, e := range dp.Exemplars {
				sets = append(sets, attribute.NewSet(e.FilteredAttributes...))
			}
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Gauge[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	}
	return sets
}
