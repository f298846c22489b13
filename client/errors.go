package client

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// Sentinels. A send's error matches at most a few of them with errors.Is;
// the typed errors below (*APIError, *SendError, *ResponseError,
// *ValidationError, *BatchError) carry the details.
var (
	// ErrBreakerOpen means the circuit breaker for the region (or the
	// tenant, with Config.BreakerByTenant) is open: the send was refused
	// without a request, or its retries were cut short. An error matching it
	// also matches breaker.ErrOpen, and errors.As finds the
	// *breaker.OpenError with the time until the next probe.
	ErrBreakerOpen = errors.New("client: circuit breaker open")

	// ErrTenantHalted means the tenant was stopped by a halt action (a bad
	// key, a forbidden sub-account): sends fail at once until the cool-down
	// (Config.HaltCooldown) ends or the policy is reloaded. The send that
	// caused the halt matches it too.
	ErrTenantHalted = errors.New("client: tenant halted")

	// ErrBudgetExhausted means the client-wide retry budget
	// (policy.BudgetConfig) had no room left for another retry.
	ErrBudgetExhausted = errors.New("client: retry budget exhausted")

	// ErrRetryAfterBeyondDeadline means the server asked to wait
	// (Retry-After) longer than the send's deadline allows, so the send
	// ended at once instead of waiting in vain. It also matches
	// context.DeadlineExceeded.
	ErrRetryAfterBeyondDeadline error = deadlineError("client: retry-after beyond deadline")

	// ErrRejected means 8x8 answered 200 but refused the message
	// (status REJECTED): a permanent, per-message failure.
	ErrRejected = errors.New("client: message rejected")

	// ErrResponseTooLarge means a response body exceeded
	// Config.MaxResponseBytes; the client stopped reading it.
	ErrResponseTooLarge = errors.New("client: response body too large")

	// ErrRedirect means the API answered a send with a redirect (3xx). No
	// send follows any redirect: net/http would turn the POST into a GET
	// without its body, and the API key goes nowhere but the configured
	// host. The 3xx is an outcome for the policy (the default table: fail,
	// "not followed"); the send's *APIError matches ErrRedirect.
	ErrRedirect = errors.New("client: redirect not followed")

	// ErrResponseHeadersTooLarge marks an attempt whose response headers
	// (or a flood of 1xx responses) exceeded MaxResponseHeaderBytes: the
	// server is broken or hostile. The request had been written, so the send
	// is ambiguous; it is not retried.
	ErrResponseHeadersTooLarge = errors.New("client: response headers too large")

	// ErrRequestNotBuilt means net/http refused to send the request as
	// built (an invalid header value): no attempt can succeed, so it is
	// neither retried nor counted against a breaker.
	ErrRequestNotBuilt = errors.New("client: request could not be sent as built")

	// ErrNoUMID marks a 2xx response, or an item of a batch response, that
	// does not carry the umid 8x8 assigns to every message it takes: the
	// client never reports a message accepted without one. 8x8 may have
	// taken it, so such an outcome is always Ambiguous.
	ErrNoUMID = errors.New("client: success response without a umid")

	// ErrClosed means the Client was closed.
	ErrClosed = errors.New("client: closed")

	// ErrNoMessageStatus marks a batch message that the 200 response did
	// not report on (no item with its clientMessageId): it may or may not
	// have been accepted.
	ErrNoMessageStatus = errors.New("client: no status for message in batch response")
)

// deadlineError is a sentinel that also matches context.DeadlineExceeded.
type deadlineError string

func (e deadlineError) Error() string { return string(e) }

func (e deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// APIError is the error of a send whose last attempt got an HTTP response
// that ended it: an error envelope (status >= 400), or a 200 whose message
// was REJECTED (Status 200, Err ErrRejected). Use errors.As to get it.
//
// Err, when not nil, is why the client stopped although the policy would
// have retried (ErrBreakerOpen, ErrBudgetExhausted,
// ErrRetryAfterBeyondDeadline, a context error), or ErrTenantHalted for a
// halt, ErrRejected for a rejection; Unwrap returns it, so errors.Is sees
// through an *APIError.
type APIError struct {
	Status    int           // HTTP status of the last response
	Code      envelope.Code // body code; 0 when the body had none
	Message   string        // the envelope's message (or the rejection's description)
	ErrorID   uuid.UUID     // the envelope's errorId, to quote to 8x8 support
	Timestamp time.Time     // the envelope's timestamp
	Action    policy.Action // what the policy said for the last outcome
	Reason    string        // the policy table's reason for Action
	Attempts  int           // HTTP attempts made
	// RetryAfter is the server's last Retry-After hint (clamped by the
	// policy); 0 when none.
	RetryAfter time.Duration
	// Ambiguous reports that an attempt may already have been accepted by
	// 8x8 (a 5xx or a reset after the request was written): the message
	// may be delivered even though the send failed.
	Ambiguous       bool
	Tenant          string // the sub-account
	ClientMessageID string // the message's clientMessageId ("" for a batch request)
	Err             error  // see the type doc
}

// Error describes the failure; it never holds the API key or message text.
func (e *APIError) Error() string {
	b := make([]byte, 0, 160)
	b = append(b, "client: "...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	if e.Code != 0 {
		b = append(b, ' ')
		b = append(b, e.Code.String()...)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
		b = append(b, ')')
	}
	if e.Message != "" {
		b = append(b, ": "...)
		b = append(b, e.Message...)
	}
	b = appendAttempts(b, e.Action, e.Attempts, e.Ambiguous)
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns Err.
func (e *APIError) Unwrap() error { return e.Err }

// SendError is the error of a send that ended without an HTTP response to
// report: refused before any attempt (breaker open, tenant halted, limiter
// wait past the deadline, client closed), or ended by a transport failure
// (Transport says which) or by the caller's context. Err is the cause and
// is what Unwrap returns; context errors stay visible to errors.Is.
type SendError struct {
	Tenant          string
	ClientMessageID string // "" for a batch request
	Attempts        int    // HTTP attempts made (0 when refused before any)
	// Transport is the class of the last transport failure, or
	// TransportNone when the send was refused before an attempt.
	Transport policy.Transport
	// Action is what the policy said for the last attempt (0 when the send
	// was refused before any).
	Action policy.Action
	// Ambiguous reports that an attempt may already have been accepted by
	// 8x8 (a timeout or reset after the request was written).
	Ambiguous bool
	Err       error
}

// Error describes the failure; it never holds the API key or message text.
func (e *SendError) Error() string {
	b := make([]byte, 0, 128)
	b = append(b, "client: send for tenant "...)
	b = strconv.AppendQuote(b, e.Tenant)
	b = append(b, " failed"...)
	if e.Transport != policy.TransportNone {
		b = append(b, " (transport "...)
		b = append(b, e.Transport.String()...)
		b = append(b, ')')
	}
	b = appendAttempts(b, e.Action, e.Attempts, e.Ambiguous)
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns Err.
func (e *SendError) Unwrap() error { return e.Err }

func appendAttempts(b []byte, a policy.Action, attempts int, ambiguous bool) []byte {
	b = append(b, " after "...)
	b = strconv.AppendInt(b, int64(attempts), 10)
	if attempts == 1 {
		b = append(b, " attempt"...)
	} else {
		b = append(b, " attempts"...)
	}
	if a.Valid() {
		b = append(b, " (action "...)
		b = append(b, a.String()...)
		b = append(b, ')')
	}
	if ambiguous {
		b = append(b, ", may have been accepted"...)
	}
	return b
}

// ResponseError reports a 2xx response whose body could not be used: too
// large (ErrResponseTooLarge), cut short, not the JSON the API documents
// (*envelope.SyntaxError, *envelope.FieldError), or JSON without the umid
// of an accepted message (ErrNoUMID: `{}`, an error envelope in a 200, an
// empty 202 or 204). The API may have accepted the message, so the error is
// always Ambiguous; the policy decides it as a reset after the request was
// written: under at-least-once the message is resent with the same
// clientMessageId (and a ResponseError is what is left when every attempt
// was unusable), under at-most-once the send stops at the first one.
type ResponseError struct {
	Status          int
	Attempts        int
	Tenant          string
	ClientMessageID string
	Ambiguous       bool
	Err             error
}

// Error describes the failure.
func (e *ResponseError) Error() string {
	b := make([]byte, 0, 128)
	b = append(b, "client: unusable "...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, " response body"...)
	b = appendAttempts(b, 0, e.Attempts, e.Ambiguous)
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns Err.
func (e *ResponseError) Unwrap() error { return e.Err }

// ValidationError reports input the client refuses before any network
// call: an empty or malformed sub-account id, an empty destination or
// text, a clientMessageId that is too long.
type ValidationError struct {
	// Field names the offending input, e.g. "subAccountID",
	// "Destination", "Messages[3].ClientMessageID".
	Field string
	// Msg says what is wrong with it.
	Msg string
}

// Error describes the problem; it never repeats the message text.
func (e *ValidationError) Error() string {
	return "client: invalid " + e.Field + ": " + e.Msg
}

// BatchError is returned by SendBatch and SendChatBatch when at least one
// chunk of the batch failed as a whole (the BatchResult then holds a failed
// outcome for each of its messages). Err is the first chunk's error, so
// errors.As and errors.Is see the *APIError or *SendError behind it.
// REJECTED items in a 200 are not a BatchError: they are reported per
// message.
type BatchError struct {
	Failed   int // messages whose chunk failed
	Requests int // chunks that failed
	Err      error
}

// Error describes the failure.
func (e *BatchError) Error() string {
	b := make([]byte, 0, 128)
	b = append(b, "client: batch: "...)
	b = strconv.AppendInt(b, int64(e.Failed), 10)
	b = append(b, " messages in "...)
	b = strconv.AppendInt(b, int64(e.Requests), 10)
	b = append(b, " failed requests"...)
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns Err.
func (e *BatchError) Unwrap() error { return e.Err }

// breakerOpenError carries the breaker's own error under ErrBreakerOpen.
type breakerOpenError struct{ err error }

func (e breakerOpenError) Error() string { return "client: circuit breaker open: " + e.err.Error() }

func (e breakerOpenError) Is(target error) bool { return target == ErrBreakerOpen }

func (e breakerOpenError) Unwrap() error { return e.err }

// haltedError names the tenant and how long until the halt lifts.
type haltedError struct {
	tenant string
	left   time.Duration
}

func (e haltedError) Error() string {
	return "client: tenant " + strconv.Quote(e.tenant) + " halted for another " + e.left.String()
}

func (e haltedError) Is(target error) bool { return target == ErrTenantHalted }

// ConfigError reports a Config that New (or FromFile) refuses, naming the
// field and the problem. It never contains the API key.
type ConfigError struct {
	Field   string // "APIKey", "UserAgent"
	Problem string // "is empty", "contains a control character (CR) at byte 12"
}

// Error returns "client: Config.<Field> <Problem>".
func (e *ConfigError) Error() string { return "client: Config." + e.Field + " " + e.Problem }
