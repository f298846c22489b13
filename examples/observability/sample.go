package main

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/octosend/octosend/telemetry"
)

// sample is what one collection of the metrics says: cumulative counts
// since the start, and the gauges' values then.
type sample struct {
	At time.Duration // since the run's start

	Accepted, Failed                       int64 // octosend.sends by outcome
	Status200, Status503, Status429, Other int64 // octosend.attempts by answer
	Retries, BreakerOpens, Pauses          int64
	BudgetHeld                             int64   // retries the budget made wait
	BreakersOpen                           int64   // octosend.breakers.open
	Rate                                   float64 // octosend.limiter.rate of tenants[0]
	HasRate                                bool
}

// Attempts is every attempt counted.
func (s sample) Attempts() int64 { return s.Status200 + s.Status503 + s.Status429 + s.Other }

// collect reads the metrics once.
func collect(r *sdkmetric.ManualReader, at time.Duration) (sample, error) {
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		return sample{}, err
	}
	s := sample{At: at}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					s.addCount(m.Name, dp.Attributes, dp.Value)
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					if m.Name == telemetry.MetricBreakersOpen {
						s.BreakersOpen = dp.Value
					}
				}
			case metricdata.Gauge[float64]:
				for _, dp := range d.DataPoints {
					if v, _ := dp.Attributes.Value(telemetry.AttrTenant); m.Name == telemetry.MetricLimiterRate && v.AsString() == tenants[0] {
						s.Rate, s.HasRate = dp.Value, true
					}
				}
			}
		}
	}
	return s, nil
}

func (s *sample) addCount(name string, attrs attribute.Set, n int64) {
	str := func(k attribute.Key) string { v, _ := attrs.Value(k); return v.AsString() }
	switch name {
	case telemetry.MetricSends:
		if str(telemetry.AttrOutcome) == "accepted" {
			s.Accepted += n
		} else {
			s.Failed += n
		}
	case telemetry.MetricAttempts:
		v, _ := attrs.Value(telemetry.AttrHTTPStatus)
		switch v.AsInt64() {
		case 200:
			s.Status200 += n
		case 503:
			s.Status503 += n
		case 429:
			s.Status429 += n
		default:
			s.Other += n
		}
	case telemetry.MetricRetries:
		s.Retries += n
	case telemetry.MetricBreakerChanges:
		if str(telemetry.AttrBreakerTo) == "open" {
			s.BreakerOpens += n
		}
	case telemetry.MetricTenantPauses:
		s.Pauses += n
	case telemetry.MetricBudgetRefusals:
		if str(telemetry.AttrBudgetResult) == "held" {
			s.BudgetHeld += n
		}
	}
}
