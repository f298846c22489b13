package telemetry

import (
	"context"
	"errors"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
)

// maxBreakerKeys bounds the breakers whose state the gauge reports one by
// one (region keys, and tenant keys with a visible tenant value).
const maxBreakerKeys = 1024

// gauges holds what the observable instruments report: the breakers'
// states (from their transitions), how many are open, and the adaptive
// rates (read from a RateSource at collection).
type gauges struct {
	tenants *tenants
	reg     metric.Registration
	state   metric.Int64ObservableGauge
	open    metric.Int64ObservableGauge
	rate    metric.Float64ObservableGauge

	mu    sync.Mutex
	keys  map[string]*breakerKey // by breaker key
	nOpen int64                  // breakers open now, every key counted
	rates RateSource
}

// breakerKey is one breaker the state gauge reports.
type breakerKey struct {
	state breaker.State
	attrs metric.ObserveOption
}

// changeKey identifies a series of the transitions counter: the
// breaker's key as its attributes show it (region keys by server, tenant
// keys by tenant value, "" for tenants without one), and the states.
type changeKey struct {
	region   bool
	srv      server
	tenant   string
	from, to breaker.State
}

func newGauges(m metric.Meter, ts *tenants) (*gauges, error) {
	g := &gauges{tenants: ts, keys: make(map[string]*breakerKey)}
	var e1, e2, e3, e4 error
	g.state, e1 = m.Int64ObservableGauge(MetricBreakerState, metric.WithUnit("1"),
		metric.WithDescription("Circuit breaker state per key: 0 closed, 1 half-open, 2 open (region keys, and tenant keys with a tenant attribute value)."))
	g.open, e2 = m.Int64ObservableGauge(MetricBreakersOpen, metric.WithUnit("{breaker}"),
		metric.WithDescription("Circuit breakers open now, every key counted."))
	g.rate, e3 = m.Float64ObservableGauge(MetricLimiterRate, metric.WithUnit("{request}/s"),
		metric.WithDescription("The rate the tenant's limiter allows now, after the adaptive cuts of 429s."))
	if err := errors.Join(e1, e2, e3); err != nil {
		return nil, err
	}
	g.reg, e4 = m.RegisterCallback(g.observe, g.state, g.open, g.rate)
	if e4 != nil {
		return nil, e4
	}
	return g, nil
}

func (g *gauges) close() error {
	return g.reg.Unregister()
}

func (g *gauges) setRates(src RateSource) {
	g.mu.Lock()
	g.rates = src
	g.mu.Unlock()
}

// classify returns how a breaker key shows in attributes: its server
// for a region key (a base URL), its tenant value for a tenant key.
func (g *gauges) classify(key string, ms *meters) changeKey {
	if strings.Contains(key, "://") {
		return changeKey{region: true, srv: ms.server(key)}
	}
	tv := g.tenants.value(key)
	if tv == OtherTenant {
		tv = ""
	}
	return changeKey{tenant: tv}
}

// attrs are a classified key's attributes; ok is false for a tenant key
// without a tenant value of its own (the state gauge leaves it out).
func (k changeKey) attrs() (kv []attribute.KeyValue, ok bool) {
	if k.region {
		return k.srv.attrs([]attribute.KeyValue{AttrBreakerKey.String("region")}), true
	}
	kv = []attribute.KeyValue{AttrBreakerKey.String("tenant")}
	if k.tenant == "" {
		return kv, false
	}
	return append(kv, AttrTenant.String(k.tenant)), true
}

func (g *gauges) breakerChanged(ev client.BreakerEvent, ms *meters) {
	ck := g.classify(ev.Key, ms)
	ck.from, ck.to = ev.From, ev.To
	ms.changeC.get(ck, func(k changeKey) *cell {
		kv, _ := k.attrs()
		return newCell(append(kv, AttrBreakerFrom.String(k.from.String()), AttrBreakerTo.String(k.to.String()))...)
	}).n.Add(1)

	g.mu.Lock()
	defer g.mu.Unlock()
	if ev.To == breaker.Open {
		g.nOpen++
	}
	if ev.From == breaker.Open {
		g.nOpen--
	}
	if bk := g.keys[ev.Key]; bk != nil {
		bk.state = ev.To
		return
	}
	if len(g.keys) >= maxBreakerKeys {
		return
	}
	if kv, ok := ck.attrs(); ok {
		g.keys[ev.Key] = &breakerKey{state: ev.To, attrs: metric.WithAttributeSet(attribute.NewSet(kv...))}
	}
}

// stateValue is the gauge's number for a state.
func stateValue(s breaker.State) int64 {
	switch s {
	case breaker.HalfOpen:
		return 1
	case breaker.Open:
		return 2
	}
	return 0
}

func (g *gauges) observe(_ context.Context, o metric.Observer) error {
	g.mu.Lock()
	for _, bk := range g.keys {
		o.ObserveInt64(g.state, stateValue(bk.state), bk.attrs)
	}
	o.ObserveInt64(g.open, g.nOpen)
	src := g.rates
	g.mu.Unlock()
	if src == nil {
		return nil
	}
	for _, tenant := range g.tenants.visible() {
		if rate, _, ok := src.TenantRate(tenant); ok {
			o.ObserveFloat64(g.rate, rate, metric.WithAttributes(AttrTenant.String(tenant)))
		}
	}
	return nil
}
