// Package reliability holds octosend's reliability and security suite:
// tests, run in CI, that prove the client keeps working under faults and
// bad input, loses nothing and leaks nothing. It has no API; everything is
// in its _test.go files.
//
// What it proves, and where:
//
//   - Fault soak (soak_test.go): thousands of sends over 24 tenants, half
//     at-least-once and half at-most-once, against the emulator's seeded
//     random mix of every fault kind. From the emulator's ledger and the
//     results: every message has exactly one outcome; accepted results are
//     in the ledger; nothing the API accepted is reported failed without
//     the Ambiguous flag (lost = 0); permanent errors (1002, 3038) get one
//     attempt; at-most-once never duplicates; at-least-once duplicates
//     only after a retried ambiguous failure, always flagged. The
//     deterministic companion (faultmatrix_test.go) scripts each fault kind
//     for single and batch sends under both semantics.
//   - No retry storm (storm_test.go): during a total outage the breaker
//     and the retry budget keep the load on the API to a small fraction of
//     sends x attempts, and sending recovers after it.
//   - Retry-After (retryafter_test.go, discipline_test.go): absurd hints
//     (99999999, negative, garbage, a date in the past) are clamped or
//     ignored as internal/retryafter documents, asserted on the waits
//     asked of a fake clock; and no request of a tenant arrives at the
//     emulator before the Retry-After it was given has elapsed.
//   - Hostile servers (hostile_test.go, redirect_tls_test.go): endless
//     bodies, a 1 GB Content-Length, slow-loris bodies and headers,
//     invalid UTF-8, deep nesting, huge numbers, redirects to another host
//     (the key must not follow), TLS below 1.2: typed errors, bounded heap
//     and time.
//   - Secrets (observe_test.go, secrets_test.go): every client here uses a
//     canary key and message text, a debug logger and every hook; logs,
//     hook payloads, errors (Error, %+v, %#v, whole chain) and panics are
//     scanned for the key, the text and full phone numbers.
//   - Leaks (leak_test.go): goleak after Close, after cancellations in
//     every wait, and for the whole package.
//   - Redis (redis_test.go): a fleet sharing limits and breaker state
//     through Redis, Redis killed and restarted mid-run, fail-open and
//     fail-closed.
//   - Fuzzing (fuzz_test.go, fuzz_config_test.go): FuzzSendResponse serves
//     fuzzed responses to every kind of send; FuzzFromFile feeds fuzzed
//     config files to client.FromFile; FuzzNameParsers covers the by-name
//     parsers of every package. The decoders, the Retry-After parser and
//     the config parser have their own targets in envelope and policy.
//
// The CI run is short. A long soak:
//
//	go test ./internal/reliability -run TestFaultSoak -soak=2m -v
package reliability
