package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/telemetry"
)

// metricsTenants caps the tenant attribute on the CLI's metrics: the
// first 100 sub-accounts a run sends for are labelled, the rest share
// telemetry.OtherTenant.
const metricsTenants = 100

// metricsServer serves Prometheus /metrics (--metrics-addr): the client's
// OpenTelemetry metrics (module telemetry) through OpenTelemetry's
// Prometheus exporter, and for the emulator command its own counters.
type metricsServer struct {
	mp  *sdkmetric.MeterProvider
	tel *telemetry.Telemetry // the client's instrumentation (bulk, demo)
	ln  net.Listener
	srv *http.Server
	url string
	reg metric.Registration // the emulator's callback, if any
}

// startMetrics listens on addr and serves /metrics until closeMetrics,
// with a client's instrumentation (clientTelemetry) when withClient. The
// address must name a host and a port ("127.0.0.1:9464"; port 0 picks
// one): metrics name tenants, so nothing is exposed on every interface
// by accident.
func (c *cli) startMetrics(cmd, addr string, withClient bool) (*metricsServer, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %q: %v", addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("--metrics-addr %q: name the host to listen on (e.g. 127.0.0.1:9464)", addr)
	}
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	m := &metricsServer{mp: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))}
	if withClient {
		m.tel, err = telemetry.New(telemetry.Options{
			MeterProvider: m.mp, TracerProvider: noop.NewTracerProvider(), MaxTenants: metricsTenants,
		})
		if err != nil {
			_ = m.mp.Shutdown(context.Background())
			return nil, err
		}
	}
	if m.ln, err = net.Listen("tcp", addr); err != nil {
		if m.tel != nil {
			_ = m.tel.Close()
		}
		_ = m.mp.Shutdown(context.Background())
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	m.url = "http://" + m.ln.Addr().String() + "/metrics"
	go func() { _ = m.srv.Serve(m.ln) }()
	fmt.Fprintf(c.stderr, "octosend %s: Prometheus metrics on %s\n", cmd, m.url)
	return m, nil
}

// clientTelemetry is the client instrumentation, nil without --metrics-addr.
func (m *metricsServer) clientTelemetry() *telemetry.Telemetry {
	if m == nil {
		return nil
	}
	return m.tel
}

// closeMetrics stops serving; a test's c.metricsHook scrapes the final values
// first.
func (c *cli) closeMetrics(m *metricsServer) {
	if m == nil {
		return
	}
	if c.metricsHook != nil {
		c.metricsHook(m.url)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = m.srv.Shutdown(ctx)
	if m.reg != nil {
		_ = m.reg.Unregister()
	}
	if m.tel != nil {
		_ = m.tel.Close()
	}
	_ = m.mp.Shutdown(ctx)
}

// observeEmulator exports the emulator's own counters: requests, answers
// by status, injected faults by kind, 429s, resets and accepted messages.
func (m *metricsServer) observeEmulator(srv *emulator.Server) error {
	meter := m.mp.Meter("github.com/octosend/octosend/cmd/octosend")
	requests, e1 := meter.Int64ObservableCounter("octosend.emulator.requests", metric.WithUnit("{request}"),
		metric.WithDescription("Requests that reached the emulator."))
	responses, e2 := meter.Int64ObservableCounter("octosend.emulator.responses", metric.WithUnit("{response}"),
		metric.WithDescription("Answers by HTTP status (reset connections have none)."))
	faults, e3 := meter.Int64ObservableCounter("octosend.emulator.faults", metric.WithUnit("{fault}"),
		metric.WithDescription("Injected faults by kind (scripted, random and outage)."))
	throttled, e4 := meter.Int64ObservableCounter("octosend.emulator.throttled", metric.WithUnit("{response}"),
		metric.WithDescription("429s from the per-sub-account token buckets."))
	resets, e5 := meter.Int64ObservableCounter("octosend.emulator.resets", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections closed without a complete response."))
	accepted, e6 := meter.Int64ObservableCounter("octosend.emulator.accepted", metric.WithUnit("{message}"),
		metric.WithDescription("Messages accepted, duplicates included."))
	if err := errors.Join(e1, e2, e3, e4, e5, e6); err != nil {
		return err
	}
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := srv.Stats()
		o.ObserveInt64(requests, st.Requests)
		for status, n := range st.Responses {
			o.ObserveInt64(responses, n, metric.WithAttributes(telemetry.AttrHTTPStatus.Int(status)))
		}
		for kind, n := range st.Faults {
			o.ObserveInt64(faults, n, metric.WithAttributes(faultKindAttr.String(kind.String())))
		}
		o.ObserveInt64(throttled, st.Throttled+st.DestThrottled)
		o.ObserveInt64(resets, st.Resets)
		o.ObserveInt64(accepted, st.Accepted)
		return nil
	}, requests, responses, faults, throttled, resets, accepted)
	m.reg = reg
	return err
}

// faultKindAttr names an emulator fault kind.
const faultKindAttr = attribute.Key("octosend.emulator.fault")
