// Package telemetry turns an octosend client's hooks into OpenTelemetry
// metrics and traces. It lives in a module of its own
// (github.com/octosend/octosend/telemetry), so a program that imports
// only the client neither downloads nor links OpenTelemetry.
//
//	tel, err := telemetry.New(telemetry.Options{MeterProvider: mp, TracerProvider: tp})
//	cfg := client.Config{APIKey: key}
//	tel.Instrument(&cfg) // hooks and trace-header propagation
//	c, err := client.New(cfg)
//	tel.ObserveRates(c) // the adaptive-rate gauge
//
// # Metrics
//
// octosend's own metrics are named under "octosend."; the HTTP attempt
// duration follows the semantic conventions for HTTP clients
// (http.client.request.duration with http.request.method,
// http.response.status_code, server.address, server.port and error.type).
// Durations are histograms in seconds with DurationBuckets (1 ms to 60 s).
//
//	octosend.sends                 {send}        counter: requests ended, by octosend.outcome (accepted|failed), octosend.ambiguous, error.type
//	octosend.messages              {message}     counter: their messages (a batch chunk counts its messages), same attributes
//	octosend.send.duration         s             histogram: a request's duration, waits included, by outcome
//	octosend.attempts              {attempt}     counter: by http.response.status_code, octosend.api.code, octosend.action, octosend.transport, server.address
//	http.client.request.duration   s             histogram: one attempt, semantic-convention attributes only
//	octosend.retries               {retry}       counter: by octosend.action (retry, backoff, trip)
//	octosend.throttles             {response}    counter: 429s and backoff codes, by octosend.throttle.scope
//	octosend.retry_budget.refusals {retry}       counter: by octosend.budget.result (held: the retry waited; failed: the send ended)
//	octosend.tenant.pauses         {pause}       counter: by octosend.pause.reason (throttle_tenant, throttle_process, halt)
//	octosend.breaker.transitions   {transition}  counter: by octosend.breaker.from, octosend.breaker.to
//	octosend.breaker.state         1             gauge: 0 closed, 1 half-open, 2 open, per breaker key
//	octosend.breakers.open         {breaker}     gauge: breakers open now
//	octosend.limiter.rate          {request}/s   gauge: the adaptive rate per tenant (ObserveRates)
//	octosend.limiter.wait          s             histogram: the wait of each attempt that waited for its tenant's limiter
//
// Every attribute is bounded. Tenants (sub-accounts) are not attributes
// unless Options.MaxTenants opts in, and then only the first MaxTenants
// seen get a value of their own (the rest share OtherTenant); API codes
// unknown to octosend are "_other"; error.type is one of a fixed set.
// Attribute sets are built once and kept, so recording allocates nothing.
//
// # Traces
//
// Each request (a single send, or one chunk of a batch) is a span,
// SpanName ("octosend.send", kind client, a child of the caller's span),
// with the tenant, the clientMessageId, the destination masked as in the
// logs ("+65******67"), server.address, and at its end the outcome, the
// attempts, the ambiguity and, for a failure, error.type, the status
// Error and the error as an exception event. Each attempt is an event,
// AttemptEvent, with its number, status, 8x8 code, the policy's action
// and reason, the delay before the next attempt, Retry-After, the limiter
// wait and whether it may have been accepted. Every attempt's request
// carries the span's W3C trace context (traceparent, tracestate), added
// by WrapTransport on a clone of the request. No attribute or event ever
// holds the API key, the message text or an unmasked destination.
package telemetry
