package policy

import (
	"time"

	"github.com/octosend/octosend/envelope"
)

// Outcome is what one attempt of a send produced, in the small values the
// policy decides from. The client fills it; the policy never sees an
// *http.Response.
type Outcome struct {
	// Status is the HTTP status, or 0 when no response arrived.
	Status int
	// Code is the API body code of the error envelope, or 0 when there was
	// none or it could not be decoded. It is ignored on statuses below 400
	// (a success carries no error envelope).
	Code envelope.Code
	// Transport is the class of the transport failure when Status is 0.
	Transport Transport
	// Attempt is the 1-based number of the attempt that produced this
	// outcome.
	Attempt int
	// Elapsed is the time since the first attempt started. It is checked
	// against the policy's overall Deadline.
	Elapsed time.Duration
	// Remaining is the time left until the caller's own deadline (its
	// context's), valid only when HasDeadline is true.
	Remaining time.Duration
	// HasDeadline reports whether Remaining is set.
	HasDeadline bool
	// RetryAfter is the server's wait hint, already parsed (the client
	// reads the Retry-After header, then 8x8's "try again in N second(s)");
	// 0 means none.
	RetryAfter time.Duration
	// Tenant is the 8x8 sub-account the send belongs to; "" means no
	// tenant (global settings only).
	Tenant string
	// Unusable reports a 2xx whose body is not the documented success
	// shape: no umid, unreadable, too large or not JSON. 8x8 may have
	// taken the message, so Decide treats it as an ambiguous failure after
	// the request was written (a reset): retried under at-least-once,
	// flagged Ambiguous, given up under at-most-once.
	Unusable bool
}

// Decision is the policy's answer for one Outcome.
type Decision struct {
	// Action is what the table says for this outcome.
	Action Action
	// Retry reports whether the client should attempt again. It is false
	// for ok, fail and halt, and for a retryable action when attempts,
	// deadline or semantics forbid another attempt (then GiveUp says why).
	Retry bool
	// Delay is the wait before the next attempt: jittered, >= 0, at most
	// the backoff cap (MaxDelay) or, when a Retry-After hint drove it, at
	// most RetryAfterCeiling; it always ends before the deadline. Zero when
	// Retry is false.
	Delay time.Duration
	// RetryAfter is the server's hint after clamping to RetryAfterCeiling,
	// when the outcome had one. It is set even when the decision gives up,
	// so the caller can report it (GiveUpRetryAfterBeyondDeadline).
	RetryAfter time.Duration
	// Ambiguous reports whether the message may already have been accepted
	// by 8x8: a timeout or reset after the request was written, or a 5xx
	// that does not prove the request was refused.
	Ambiguous bool
	// Refused reports that the answer proves 8x8 refused the message on
	// every attempt, this one and any earlier one: a 4xx or 5xx whose
	// code depends only on the request (docs/error-codes.md lists them;
	// their table reasons end "proves earlier attempts were refused too").
	// An identical earlier attempt was refused too, so a caller clears the
	// ambiguity an earlier timeout, reset or 500 left (the client does).
	Refused bool
	// Reason is a human-readable text from the table, such as
	// "1002 InvalidMSISDN: permanent, fix the number".
	Reason string
	// GiveUp says why Retry is false for a retryable action; GiveUpNone
	// otherwise.
	GiveUp GiveUp
}
