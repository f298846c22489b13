// Package emulator is an 8x8 CPaaS API look-alike on loopback, with fault
// injection and a ledger of accepted messages, for tests, examples,
// benchmarks and the demo.
//
// It serves the send endpoints of both products on one host:
//
//	POST /api/v1/subaccounts/{subAccountId}/messages        single SMS or chat-apps message
//	POST /api/v1/subaccounts/{subAccountId}/messages/batch  SMS or chat-apps batch
//
// A body whose message has a "user" key (or, for a batch, an item with a
// "user", or a chat template) is a chat-apps request; anything else is SMS.
// Responses have the shapes of docs/8x8-api.md and are written with
// encoding/json, independently of octosend's own envelope package, so the
// emulator is an independent oracle for the client's decoder.
//
// # Happy path
//
// In a test:
//
//	srv := emulatortest.Start(t, emulator.Config{APIKey: "k", Rate: 1800})
//	// point the client at srv.URL(), send, then:
//	if n := srv.Ledger().Count("acme_hq", "order-17"); n != 1 {
//		t.Fatalf("order-17 accepted %d times, want exactly once", n)
//	}
//
// As a process (the CLI's `octosend emulator`):
//
//	srv, err := emulator.Listen("127.0.0.1:8088", cfg)
//	...
//	defer srv.Close()
//
// # What it checks and answers
//
// Each request goes through these steps, in order:
//
//  1. Its arrival time (Config.Now) is recorded for its sub-account
//     (Ledger.Arrivals), whatever happens next.
//  2. Config.Latency, if any.
//  3. An outage window covering now answers 503 (or the window's fault),
//     with Retry-After: the seconds left, unless Window.NoRetryAfter.
//  4. Authentication: "Authorization: Bearer <APIKey>", else 401 / 1200.
//  5. The sub-account ID must match ^[A-Za-z0-9\-._&]{3,50}$ (400 / 1001);
//     a Disabled tenant gets 403 / 1201.
//  6. The sub-account's token bucket: empty means 429 with an integer
//     Retry-After header and body code 429, "Quota exceeded. Please try
//     again in N second(s).".
//  7. The next scripted fault, else a random one (Faults, seeded by Seed).
//  8. The body: over MaxBodyBytes is 413 / 1000 with Connection: close,
//     sent whole (the rest of the body is read and dropped, within bounds,
//     so the client gets the answer and no reset); malformed JSON or a
//     wrong type is 400 / 1000.
//  9. Config.DestLimit, when on: a single send to one of the limited
//     destinations sooner than DestLimit.Interval after the last one it
//     accepted (or after its first request) gets 429 with Retry-After
//     (1s by default) and body code 429; nothing is recorded.
//  10. Validation. A single send that fails gets 400 with the error envelope
//     {code, message, errorId, timestamp} (1002 bad SMS MSISDN, 3003 bad
//     chat-apps MSISDN, 1004 no text, 3009 clientMessageId too long, 3038
//     unknown chat template, ...). Chat content is checked as the
//     chat-apps spec shapes it: template components (3039 type, 3052
//     button subType, 3053 index or cardIndex, 3040 a button without
//     parameters, 3042/3045 a parameter type unknown or not allowed there,
//     3041/3044/3046/3049 a missing text, location, media URL, payload,
//     coupon, flow data or TTL, 3034 a carousel without 1..10 cards),
//     location messages (3021), quoted replies (3029 no umid, 1000 not a
//     GUID) and interactive messages (1000 "Invalid parameter: <member>",
//     1010 "Parameter out of range: <member>", 3004 none). Numeric strings
//     are read as numbers for an index and for coordinates, as 8x8's own
//     examples send them. A
//     batch fails as a whole only for 3012 (no messages), 3013 (too many:
//     10,000 SMS, 1,000 chat), 3014 (clientBatchId over 20 SMS / 100 chat),
//     1012 (a bad batch clientIp);
//     otherwise each bad item is REJECTED (SMS) or rejected with
//     status.errorCode (chat) inside a 200.
//  11. Every accepted message is recorded in the Ledger, by sub-account and
//     clientMessageId, then the response is written. An SMS batch item
//     without a clientMessageId, in a batch with a clientBatchId, gets
//     "<clientBatchId>/<destination>" (as in 8x8's examples) and is
//     recorded under it.
//
// The ledger can be read from outside the process too: GET LedgerPath
// (/_emulator/ledger) answers it as JSONL (LedgerRecord: clientMessageId,
// umid, copies, tenant), at most Config.LedgerCap lines; Ledger.WriteJSONL
// writes the same to a file. Neither counts as an API request.
//
// # Faults
//
// Faults are either scripted (Config.Script, consumed in order, optionally
// per sub-account), random (Config.Faults, probabilities drawn from a PRNG
// seeded with Config.Seed, so the k-th decision is reproducible), or tied to
// an outage window. The resets hijack the connection and close it with
// SO_LINGER 0, so the client sees a TCP reset. FaultResetAfterBody reads
// the whole body first and records nothing; FaultAcceptedThen500 and
// FaultAcceptedThenReset record the accepted messages, then fail: the
// ambiguous cases where a retry produces a duplicate that the Ledger counts.
//
// SetFaults, SetScript and SetOutage change the faults of a running
// Server; Reset clears its ledger, arrivals and stats between phases of a
// benchmark or demo.
//
// A Server is safe for concurrent use and keeps its hot path free of global
// locks: per-sub-account mutexes, a sharded ledger and atomic counters.
//
// # Delivery receipts
//
// With Config.DLR on, the server POSTs delivery receipts for every message
// it accepts, as 8x8 does: to DLR.URL (the account webhook) or the
// message's dlrCallbackUrl (loopback hosts only, unless
// DLR.AnyCallbackHost), SMS in 8x8's SMS DLR format ("sent", then
// "delivered" or "undelivered" with an error code) and chat apps in DR v9
// ("queued", "sent", then the outcome). Delays, outcomes, error codes and
// late repeats are drawn from a PRNG seeded by Seed and the message, so
// the same Seed gives the same receipts. Each accepted copy of a duplicate
// has its own umid and receipts. A POST that fails (error, timeout, any
// status outside 2xx) is retried on 8x8's schedule (1, 10, 30, 90 s;
// DLR.Scale shrinks it for tests) and then counted lost. Stats.DLR counts
// them and Server.DLRRecords tells, per accepted copy, its planned final
// state and how many of its receipts were posted or lost.
package emulator
