package telemetry

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/octosend/octosend/clock"
)

const testKey = "sk_test_9f8e7d6c5b4a39281706f5e4d3c2b1a0"

var t0 = time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)

// newReader returns a meter provider whose metrics a test collects with
// the returned function.
func newReader(t testing.TB) (*sdkmetric.MeterProvider, func() metricdata.ResourceMetrics) {
	t.Helper()
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp, func() metricdata.ResourceMetrics {
		var rm metricdata.ResourceMetrics
		if err := r.Collect(context.Background(), &rm); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		return rm
	}
}

// find returns the metric named name, failing the test when it is absent.
func find(t testing.TB, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}

// has reports whether a metric named name was collected.
func has(rm metricdata.ResourceMetrics, name string) bool {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return true
			}
		}
	}
	return false
}

// match says whether a set holds every want attribute (an empty Value
// means the key must be absent).
func match(set attribute.Set, want ...attribute.KeyValue) bool {
	for _, kv := range want {
		v, ok := set.Value(kv.Key)
		if kv.Value.Type() == attribute.EMPTY {
			if ok {
				return false
			}
			continue
		}
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// sum adds up a counter's points that match want.
func sum(t testing.TB, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	if !has(rm, name) {
		return 0
	}
	s, ok := find(t, rm, name).Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is a %T, want an int64 sum", name, find(t, rm, name).Data)
	}
	var n int64
	for _, dp := range s.DataPoints {
		if match(dp.Attributes, want...) {
			n += dp.Value
		}
	}
	return n
}

// histCount adds up the counts of a histogram's points that match want.
func histCount(t testing.TB, rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) uint64 {
	t.Helper()
	h, ok := find(t, rm, name).Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is a %T, want a float64 histogram", name, find(t, rm, name).Data)
	}
	var n uint64
	for _, dp := range h.DataPoints {
		if match(dp.Attributes, want...) {
			n += dp.Count
		}
	}
	return n
}

// values lists the distinct values of key across a metric's points.
func values(t testing.TB, rm metricdata.ResourceMetrics, name string, key attribute.Key) map[string]bool {
	t.Helper()
	vs := map[string]bool{}
	add := func(set attribute.Set) {
		if v, ok := set.Value(key); ok {
			vs[v.String()] = true
		}
	}
	switch d := find(t, rm, name).Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	case metricdata.Gauge[float64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	}
	return vs
}

// autoAdvance moves f forward by step whenever a timer waits on it, until
// stop is called.
func autoAdvance(f *clock.Fake, step time.Duration) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
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

// gaugeInt returns an int64 gauge's points.
func gaugeInt(m metricdata.Metrics) []metricdata.DataPoint[int64] {
	g, _ := m.Data.(metricdata.Gauge[int64])
	return g.DataPoints
}
