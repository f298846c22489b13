package telemetry

import (
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

// meters holds the synchronous instruments and the attribute sets built
// for them, so that recording a measurement allocates nothing.
type meters struct {
	tenants *tenants

	sends, messages, attempts, retries, throttles metric.Int64Counter
	budget, pauses, breakerChanges                metric.Int64Counter
	sendDur, reqDur, limWait                      metric.Float64Histogram

	servers  *cache[string, server]
	attemptC *cache[attemptKey, attemptOpts]
	doneC    *cache[doneKey, doneOpts]
	tenantC  *cache[string, tenantOpts]
	eventC   *cache[eventKey, []metric.AddOption]
}

func newMeters(m metric.Meter, ts *tenants) (*meters, error) {
	ms := &meters{
		tenants:  ts,
		servers:  newCache[string, server](64),
		attemptC: newCache[attemptKey, attemptOpts](1 << 14),
		doneC:    newCache[doneKey, doneOpts](1 << 12),
		tenantC:  newCache[string, tenantOpts](1 << 12),
		eventC:   newCache[eventKey, []metric.AddOption](1 << 12),
	}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(DurationBuckets...))
		errs = append(errs, err)
		return h
	}
	ms.sends = counter(MetricSends, "{send}", "Requests (a single send or one chunk of a batch) that ended, by outcome.")
	ms.messages = counter(MetricMessages, "{message}", "Messages in the requests that ended, by outcome.")
	ms.attempts = counter(MetricAttempts, "{attempt}", "HTTP attempts, by status, 8x8 code and the policy's action.")
	ms.retries = counter(MetricRetries, "{retry}", "Retries the client decided on, by the action that caused them.")
	ms.throttles = counter(MetricThrottles, "{response}", "429s and backoff codes, by inferred scope.")
	ms.budget = counter(MetricBudgetRefusals, "{retry}", "Retries the retry budget refused: held (waited for room) or failed (the send ended).")
	ms.pauses = counter(MetricTenantPauses, "{pause}", "Tenant pauses: a tenant- or process-scope 429, or a halt.")
	ms.breakerChanges = counter(MetricBreakerChanges, "{transition}", "Circuit breaker state changes.")
	ms.sendDur = hist(MetricSendDuration, "Duration of a request from its first attempt's start to its outcome, waits included.")
	ms.reqDur = hist(MetricRequestLatency, "Duration of one HTTP attempt, to its response body read.")
	ms.limWait = hist(MetricLimiterWait, "Time an attempt waited for its tenant's rate limiter.")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ms, nil
}

// addOpt and recOpt wrap a pre-built set as measurement options.
func addOpt(kv ...attribute.KeyValue) []metric.AddOption {
	return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(kv...))}
}

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

// tenantOpts are the options of measurements whose only attribute is the
// tenant.
type tenantOpts struct {
	rec []metric.RecordOption
}

func (ms *meters) tenantOptions(tenant string) tenantOpts {
	return ms.tenantC.get(tenant, func(tenant string) tenantOpts {
		return tenantOpts{rec: recOpt(withTenant(nil, tenant)...)}
	})
}

// eventKey identifies the attribute set of a counter with one attribute
// of its own besides the tenant.
type eventKey struct {
	kind   uint8 // which counter
	tenant string
	value  string
}

const (
	evRetry uint8 = iota
	evThrottle
	evPause
	evBudget
)

var eventKeys = [...]attribute.Key{evRetry: AttrAction, evThrottle: AttrScope, evPause: AttrPauseReason, evBudget: AttrBudgetResult}

func (ms *meters) eventOptions(kind uint8, tenant, value string) []metric.AddOption {
	return ms.eventC.get(eventKey{kind, tenant, value}, func(k eventKey) []metric.AddOption {
		return addOpt(withTenant([]attribute.KeyValue{eventKeys[k.kind].String(k.value)}, k.tenant)...)
	})
}
