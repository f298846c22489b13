// Package policy decides, for each outcome of a send attempt, what the
// client does next: a pure function from an outcome (HTTP status, API body
// code, transport failure class, attempt number, elapsed time, Retry-After
// hint, tenant) to a decision (action, delay, ambiguity, a reason a person
// can read). It holds the default table for every status and code of the
// 8x8 API, backoff with jitter, the retry budget's settings, and the config-file loader
// with per-tenant overrides. It never sleeps and never touches net/http.
//
// # Happy path
//
//	p, err := policy.Load("policy.yaml") // or policy.Default()
//	if err != nil {
//		return err // a *policy.ConfigError: "policy: policy.yaml:12: rules[3].action: ..."
//	}
//	for attempt := 1; ; attempt++ {
//		status, code, transport := send() // the client's HTTP attempt
//		d := p.Decide(policy.Outcome{Status: status, Code: code, Transport: transport,
//			Attempt: attempt, Elapsed: time.Since(start), Tenant: subAccount})
//		if !d.Retry { // the client also asks its retry budget here
//			return result(d) // d.Action, d.Reason, d.Ambiguous say what happened
//		}
//		time.Sleep(d.Delay) // the client sleeps on its injected clock
//	}
//
// # Actions
//
// ok returns the result; retry retries with backoff; backoff is a
// throttle (wait for Retry-After, slow the tenant, retry); fail fails fast;
// trip counts a server fault against the breaker and retries; halt fails
// fast and stops the tenant. See docs/design.md for what the client does with
// each.
//
// # Resolution order
//
// The first match wins, level by level: the tenant's rules, then the
// config's global rules, then the built-in table (Default), then the class
// default (2xx ok, 4xx fail, 5xx trip, anything else fail; the built-in
// table names 429 as backoff). Within a level the order is status+code,
// status class+code, code, exact status, status class. So a tenant rule
// for status 503 beats a config rule for code 2000, and a config rule for
// status 500 beats the built-in rule for code 2000: whatever a config
// file writes beats the built-in table. An outcome without a response is
// decided by its transport class: retry, except TransportCanceled (fail,
// never retried).
//
// # A code on a status that disagrees
//
// The body code is the more specific statement and wins within a level:
// 400 with code 1002 fails because of 1002, and 500 with code 2000 trips
// because of 2000. When the two disagree the code still wins: 500 with
// code 1002 fails (8x8 said the number is invalid; sending it again gets
// the same answer), and 400 with code 2000 trips (8x8 said it failed
// inside). Codes are ignored on statuses below 400, which carry no error
// envelope. A rule for status+code matches only that pair, so a config
// can treat "503 with 2000" apart from "500 with 2000"; the built-in table
// does so for 1001, which fails on 400 (one bad request) but halts the
// tenant on 401 (the key does not own the sub-account). What a code does
// not change is ambiguity: that is a property of the status (see below).
//
// # Delivery semantics and ambiguity
//
// A failure is ambiguous when the message may already have been accepted
// by 8x8: a timeout or reset after the request was written, and a 5xx
// other than 503 unless its body code is a known code other than 2000 (a
// known validation or auth code proves the refusal). 429 and 503 are
// treated as "surely not processed". With AtLeastOnce (the default),
// ambiguous failures are retried with the same clientMessageId and
// flagged Ambiguous; with AtMostOnce they are reported, not retried
// (GiveUpAtMostOnce).
//
// # Delays
//
// Backoff is exponential with full jitter: the retry after attempt n waits
// uniform in [0, min(BaseDelay·Multiplier^(n-1), MaxDelay)). A Retry-After
// hint is a floor with positive jitter: uniform in
// [RA, RA + min(RA/10, 5ms)], with RA and the upper end clamped to
// RetryAfterCeiling. A hint that cannot end
// before the deadline (the earlier of the caller's and the policy's)
// ends the send at once with GiveUpRetryAfterBeyondDeadline and the hint
// in Decision.RetryAfter. No delay ever reaches past the deadline.
//
// # Config
//
// A Config decodes from one YAML or JSON file (Parse, Load); see
// examples/policy.yaml for every key. Loading is strict: unknown keys,
// unknown actions and values out of range are *ConfigError values naming
// the file, line and key. A file is at most MaxConfigSize; YAML aliases
// may add at most MaxAliasValues values to what the file writes; only
// YAML's core types are accepted, so a !!binary, !!timestamp or custom
// !tag is an error, not ignored. A configured tenant costs about 1 KiB
// of heap once loaded. A loaded *Policy is immutable; Live swaps one
// at run time without a lock on the decision path.
//
// # One package, engine and loader
//
// The decision engine (Decide, the tables, Budget, Live) and the file
// loader (Parse, Load, Check) stay one package, on this evidence: every
// program that loads a file also decides (client.FromFile, the CLI), and
// a client links the loader anyway, so a split would save YAML (about
// 450 KB of binary) only in programs that use the engine without the
// client. Against that, the two share what a split would have to export:
// the one table of config keys (knobs.go) drives both the decoder and
// New's validation and tenant merging, and a Config filled in code fails
// with the same *ConfigError, naming the same keys, as a file does. The
// loader is about 1,200 lines in its own files (parse, decode, jsontree,
// aliases, tags, check); nothing in the engine depends on them.
package policy
