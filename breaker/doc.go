// Package breaker holds keyed circuit breakers that stop a sender from
// hammering a failing 8x8 region.
//
// A Set holds one breaker per key, created on first use; the caller picks
// the key (octosend's client uses the region base URL, or the tenant when
// configured). The happy path:
//
//	set, err := breaker.New(breaker.Config{}) // 10s window, 20 requests, 50% failures, open 30s
//	...
//	done, err := set.Allow(region)
//	if err != nil {
//		var oe *breaker.OpenError
//		errors.As(err, &oe) // errors.Is(err, breaker.ErrOpen); oe.RetryIn says when to come back
//		return err
//	}
//	resp, err := send()
//	done(classify(resp, err)) // breaker.Success, breaker.Failure or breaker.Neutral
//
// Allow and its done do not allocate for a closed breaker of a key already
// in use (done is a method value cached per breaker state, not a closure
// per call); done may be called from any goroutine.
//
// Only Failure counts against a breaker. Neutral — caller faults (4xx),
// cancellations, throttling — is excluded entirely. A closed breaker trips
// on a failure ratio over a rolling window once a minimum number of
// outcomes was counted, or on N consecutive failures; it stays open for
// Config.OpenFor, or for the server's Retry-After passed to Set.OpenFor;
// then it lets HalfOpenProbes probes through, rejecting everything else,
// and closes when they all succeed or opens again when one fails. Each
// state change starts a new generation: a result reported from an older
// generation (a request let through before a trip) is dropped. State
// changes reach Config.OnStateChange outside every lock.
//
// # Time
//
// Every time the package reads comes from Config.Clock (package clock), so
// tests run the whole state machine on a fake clock. Transitions that time
// alone causes (Open to HalfOpen, a lost probe) happen lazily, at the first
// Allow or State call after they fall due; the hook fires then.
//
// # Fleet-wide
//
// With Config.Shared set (a *redisbreaker.Store from module
// github.com/octosend/octosend/fleet), an instance that trips publishes
// "open until T" and every instance following that key opens too, within
// the store's refresh interval (200ms by default) plus two round trips.
// The store works in the background: a publication is two commands, an idle
// refresh is one read whatever the number of keys. Allow never waits on
// Redis, and when Redis is down or hung each instance simply runs on its
// local breaker, picking the shared state up again when Redis returns.
//
// # Why not gobreaker's CircuitBreaker
//
// The design is gobreaker v2's (github.com/sony/gobreaker/v2): its
// two-step Allow/done, its generation counter that drops stale results,
// its IsExcluded (here: Neutral), its bucketed rolling window
// (BucketPeriod). Its CircuitBreaker is not the engine here, and the
// reasons are not of equal weight:
//
//   - Decisive: it reads time.Now directly (state expiry, bucket ages) and
//     takes no clock, so its state machine cannot run on fake time, and
//     driving its timeouts from outside is impossible because it exposes
//     no way to set a state or an expiry. Every retry, backoff and breaker
//     test of octosend runs on an injected clock; a breaker on wall time
//     would make those tests sleep or flake.
//   - Also decisive, for the same reason: its open period is a fixed
//     Settings.Timeout, so it cannot be opened for a server's Retry-After
//     (Set.OpenFor), for a fleet-wide "open until T", or for a period that
//     grows with failed probes.
//   - Fixable by a wrapper, so not a reason on its own: it calls
//     OnStateChange while holding its mutex, and a hook that calls back
//     into the breaker deadlocks; an adapter that only queues the change in
//     the hook and delivers it after the call returns would avoid that.
//   - Costs, not blockers: TwoStepCircuitBreaker.Allow allocates a closure
//     per request, and its DistributedCircuitBreaker takes a Redis lock
//     around every request (too slow for a fleet's hot path; octosend's
//     Shared store polls one counter off the request path instead).
//
// So the state machine here is a small re-implementation of gobreaker's,
// on an injected clock, with a per-generation cached done (no allocation
// per request) and hook calls queued and delivered after unlocking.
// TestConformsToGobreaker feeds the same outcome sequences to both and
// checks they trip and close alike where time plays no part, and the
// benchmarks run gobreaker's TwoStepCircuitBreaker as the baseline.
package breaker
