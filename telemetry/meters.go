package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Attribute keys. octosend's own are under "octosend."; the HTTP ones are
// OpenTelemetry's semantic conventions for HTTP clients.
const (
	AttrTenant       = attribute.Key("octosend.tenant")           // opt-in, capped: Options.MaxTenants
	AttrOutcome      = attribute.Key("octosend.outcome")          // accepted | failed
	AttrAmbiguous    = attribute.Key("octosend.ambiguous")        // the send may have been accepted (again)
	AttrAPICode      = attribute.Key("octosend.api.code")         // 8x8's body code ("1002"), "_other" when unknown
	AttrAction       = attribute.Key("octosend.action")           // the policy's action: ok, retry, backoff, fail, trip, halt
	AttrTransport    = attribute.Key("octosend.transport")        // transport failure class when no response
	AttrScope        = attribute.Key("octosend.throttle.scope")   // message, destination, tenant, process
	AttrPauseReason  = attribute.Key("octosend.pause.reason")     // throttle_tenant, throttle_process, halt
	AttrBudgetResult = attribute.Key("octosend.budget.result")    // held | failed
	AttrBreakerFrom  = attribute.Key("octosend.breaker.from")     // closed, half-open, open
	AttrBreakerTo    = attribute.Key("octosend.breaker.to")       // closed, half-open, open
	AttrBreakerKey   = attribute.Key("octosend.breaker.key_type") // region | tenant

	// Semantic conventions (HTTP client spans and metrics).
	AttrHTTPMethod = attribute.Key("http.request.method")
	AttrHTTPStatus = attribute.Key("http.response.status_code")
	AttrServerAddr = attribute.Key("server.address")
	AttrServerPort = attribute.Key("server.port")
	AttrErrorType  = attribute.Key("error.type")
)

// Metric names.
const (
	MetricSends          = "octosend.sends"
	MetricMessages       = "octosend.messages"
	MetricSendDuration   = "octosend.send.duration"
	MetricAttempts       = "octosend.attempts"
	MetricRequestLatency = "http.client.request.duration"
	MetricRetries        = "octosend.retries"
	MetricThrottles      = "octosend.throttles"
	MetricBudgetRefusals = "octosend.retry_budget.refusals"
	MetricTenantPauses   = "octosend.tenant.pauses"
	MetricBreakerChanges = "octosend.breaker.transitions"
	MetricBreakerState   = "octosend.breaker.state"
	MetricBreakersOpen   = "octosend.breakers.open"
	MetricLimiterRate    = "octosend.limiter.rate"
	MetricLimiterWait    = "octosend.limiter.wait"
)

// DurationBuckets are the explicit bucket boundaries, in seconds, of every
// duration histogram: 1 ms to 60 s, about three per decade.
var DurationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// counter identifies an octosend counter.
type counter uint8

const (
	cSends counter = iota
	cMessages
	cAttempts
	cRetries
	cThrottles
	cBudget
	cPauses
	cBreaker
	nCounters
)

var counterDefs = [nCounters]struct{ name, unit, desc string }{
	cSends:     {MetricSends, "{send}", "Requests (a single send or one chunk of a batch) that ended, by outcome."},
	cMessages:  {MetricMessages, "{message}", "Messages in the requests that ended, by outcome."},
	cAttempts:  {MetricAttempts, "{attempt}", "HTTP attempts, by status, 8x8 code and the policy's action."},
	cRetries:   {MetricRetries, "{retry}", "Retries the client decided on, by the action that caused them."},
	cThrottles: {MetricThrottles, "{response}", "429s and backoff codes, by inferred scope."},
	cBudget:    {MetricBudgetRefusals, "{retry}", "Retries the retry budget refused: held (waited for room) or failed (the send ended)."},
	cPauses:    {MetricTenantPauses, "{pause}", "Tenant pauses: a tenant- or process-scope 429, or a halt."},
	cBreaker:   {MetricBreakerChanges, "{transition}", "Circuit breaker state changes."},
}

// meters holds the instruments and the series built for them. Counters
// are observable: the hot path adds to a cell with one atomic add, and the
// callback reports every cell's total at collection, so a send pays the
// SDK only for its histograms. Histograms are synchronous, with
// pre-built attribute options. Nothing on the hot path allocates.
type meters struct {
	tenants *tenants

	counters                 [nCounters]metric.Int64ObservableCounter
	sendDur, reqDur, limWait metric.Float64Histogram
	reg                      metric.Registration

	servers  *cache[string, server]
	attemptC *cache[attemptKey, attemptOpts]
	doneC    *cache[doneKey, doneOpts]
	tenantC  *cache[string, []metric.RecordOption]
	events   [nCounters]*cache[eventKey, *cell] // retries, throttles, budget, pauses
	changeC  *cache[changeKey, *cell]
}

func newMeters(m metric.Meter, ts *tenants) (*meters, error) {
	over := AttrOverflow.Bool(true)
	ms := &meters{
		tenants: ts,
		servers: newCache[string](64, server{}),
		attemptC: newCache[attemptKey](1<<14, attemptOpts{count: newCell(over),
			duration: recOpt(AttrHTTPMethod.String("POST"), over)}),
		doneC:   newCache[doneKey](1<<12, doneOpts{sends: newCell(over), messages: newCell(over), duration: recOpt(over)}),
		tenantC: newCache[string](1<<12, recOpt(over)),
		changeC: newCache[changeKey](1<<12, newCell(over)),
	}
	for _, c := range []counter{cRetries, cThrottles, cBudget, cPauses} {
		ms.events[c] = newCache[eventKey](1<<12, newCell(over))
	}
	var errs []error
	insts := make([]metric.Observable, 0, nCounters)
	for i, d := range counterDefs {
		c, err := m.Int64ObservableCounter(d.name, metric.WithUnit(d.unit), metric.WithDescription(d.desc))
		errs = append(errs, err)
		ms.counters[i] = c
		insts = append(insts, c)
	}
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(DurationBuckets...))
		errs = append(errs, err)
		return h
	}
	ms.sendDur = hist(MetricSendDuration, "Duration of a request from its first attempt's start to its outcome, waits included.")
	ms.reqDur = hist(MetricRequestLatency, "Duration of one HTTP attempt, to its response body read.")
	ms.limWait = hist(MetricLimiterWait, "Time an attempt that waited for its tenant's rate limiter waited (attempts that did not wait are not recorded).")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	reg, err := m.RegisterCallback(ms.observe, insts...)
	if err != nil {
		return nil, err
	}
	ms.reg = reg
	return ms, nil
}

// observe reports every counter cell.
func (ms *meters) observe(_ context.Context, o metric.Observer) error {
	obs := func(c counter, cl *cell) {
		if n := cl.n.Load(); n != 0 {
			o.ObserveInt64(ms.counters[c], n, cl.opt)
		}
	}
	for _, v := range ms.attemptC.snapshot() {
		obs(cAttempts, v.count)
	}
	obs(cAttempts, ms.attemptC.overflow.count)
	for _, v := range ms.doneC.snapshot() {
		obs(cSends, v.sends)
		obs(cMessages, v.messages)
	}
	obs(cSends, ms.doneC.overflow.sends)
	obs(cMessages, ms.doneC.overflow.messages)
	for kind, c := range ms.events {
		if c != nil {
			for _, v := range c.snapshot() {
				obs(counter(kind), v)
			}
			obs(counter(kind), c.overflow)
		}
	}
	for _, v := range ms.changeC.snapshot() {
		obs(cBreaker, v)
	}
	obs(cBreaker, ms.changeC.overflow)
	return nil
}

func (ms *meters) close() error { return ms.reg.Unregister() }

// recOpt wraps a pre-built set as a histogram's measurement option.
func recOpt(kv ...attribute.KeyValue) []metric.RecordOption {
	return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kv...))}
}

// withTenant appends the tenant attribute when it has a value.
func withTenant(kv []attribute.KeyValue, tenant string) []attribute.KeyValue {
	if tenant != "" {
		kv = append(kv, AttrTenant.String(tenant))
	}
	return kv
}

// tenantOptions are the options of a histogram whose only attribute is
// the tenant.
func (ms *meters) tenantOptions(tenant string) []metric.RecordOption {
	return ms.tenantC.get(tenant, func(tenant string) []metric.RecordOption {
		return recOpt(withTenant(nil, tenant)...)
	})
}

// eventKey identifies a series of a counter with one attribute of its
// own besides the tenant.
type eventKey struct {
	tenant string
	value  string
}

var eventKeys = [nCounters]attribute.Key{cRetries: AttrAction, cThrottles: AttrScope, cPauses: AttrPauseReason, cBudget: AttrBudgetResult}

// event counts one event of counter kind with the attribute value.
func (ms *meters) event(kind counter, tenant, value string) {
	key := eventKeys[kind]
	ms.events[kind].get(eventKey{tenant, value}, func(k eventKey) *cell {
		return newCell(withTenant([]attribute.KeyValue{key.String(k.value)}, k.tenant)...)
	}).n.Add(1)
}
