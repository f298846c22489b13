package policy

import "fmt"

// Action is what the policy table says to do with an outcome. The zero
// value is not a valid action; it marks "no action set" in a Rule.
type Action uint8

// The actions, in the order of the table in docs/design.md.
const (
	// ActionOK returns the result: the attempt succeeded.
	ActionOK Action = iota + 1
	// ActionRetry retries with exponential backoff and jitter, within the
	// attempts cap, the deadline and the retry budget.
	ActionRetry
	// ActionBackoff is a throttle: wait for Retry-After (capped) or the
	// backoff, slow the tenant down, then retry.
	ActionBackoff
	// ActionFail fails fast with no retry: the caller's request is at fault.
	ActionFail
	// ActionTrip counts a server fault against the circuit breaker and
	// retries while the breaker stays closed.
	ActionTrip
	// ActionHalt fails fast and stops the tenant (bad key, forbidden
	// sub-account): later sends of that tenant fail at once.
	ActionHalt
)

var actionNames = [...]string{
	ActionOK:      "ok",
	ActionRetry:   "retry",
	ActionBackoff: "backoff",
	ActionFail:    "fail",
	ActionTrip:    "trip",
	ActionHalt:    "halt",
}

// actionList is the "want one of" text of errors about actions.
const actionList = "ok, retry, backoff, fail, trip, halt"

// String returns the action's config name ("ok", "retry", ...), or
// "Action(N)" for an invalid value.
func (a Action) String() string {
	if a.Valid() {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Valid reports whether a is one of the six actions.
func (a Action) Valid() bool { return a >= ActionOK && a <= ActionHalt }

// Retryable reports whether the action asks for another attempt (retry,
// backoff, trip).
func (a Action) Retryable() bool {
	return a == ActionRetry || a == ActionBackoff || a == ActionTrip
}

// MarshalText encodes the action by name. An invalid action is an error.
func (a Action) MarshalText() ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("policy: invalid action %d", uint8(a))
	}
	return []byte(actionNames[a]), nil
}

// UnmarshalText decodes an action name (case-sensitive, as written by
// MarshalText). An unknown name is an error that lists the valid ones.
func (a *Action) UnmarshalText(b []byte) error {
	v, ok := ParseAction(string(b))
	if !ok {
		return fmt.Errorf("policy: unknown action %q (want one of %s)", b, actionList)
	}
	*a = v
	return nil
}

// ParseAction returns the action named s ("ok", "retry", "backoff",
// "fail", "trip", "halt").
func ParseAction(s string) (Action, bool) {
	for a := ActionOK; a <= ActionHalt; a++ {
		if actionNames[a] == s {
			return a, true
		}
	}
	return 0, false
}

// Transport is the class of a transport failure: an attempt that got no
// HTTP response. It decides whether the request may have reached 8x8.
type Transport uint8

// The transport failure classes.
const (
	// TransportNone means a response arrived (Outcome.Status is set).
	TransportNone Transport = iota
	// TransportConnect is a refused or unreachable dial: surely not sent.
	TransportConnect
	// TransportDNS is a name-resolution failure: surely not sent.
	TransportDNS
	// TransportTLS is a failed TLS handshake: surely not sent.
	TransportTLS
	// TransportTimeout is a timeout after the request may have been
	// written: maybe sent.
	TransportTimeout
	// TransportReset is a reset or EOF after the request was written:
	// maybe sent.
	TransportReset
	// TransportCanceled means the caller's context ended. It is never
	// retried and never counted as a breaker failure.
	TransportCanceled
)

var transportNames = [...]string{
	TransportNone:     "none",
	TransportConnect:  "connect",
	TransportDNS:      "dns",
	TransportTLS:      "tls",
	TransportTimeout:  "timeout",
	TransportReset:    "reset",
	TransportCanceled: "canceled",
}

// String returns the class name ("none", "connect", "dns", "tls",
// "timeout", "reset", "canceled"), or "Transport(N)".
func (t Transport) String() string {
	if int(t) < len(transportNames) {
		return transportNames[t]
	}
	return fmt.Sprintf("Transport(%d)", uint8(t))
}

// Ambiguous reports whether a failure of this class may have happened
// after 8x8 accepted the message (Timeout, Reset).
func (t Transport) Ambiguous() bool { return t == TransportTimeout || t == TransportReset }

// Semantics is the delivery guarantee a tenant asks for.
type Semantics uint8

const (
	// AtLeastOnce retries ambiguous failures (same clientMessageId) and
	// flags them Ambiguous: a message may arrive twice, never zero times
	// while attempts remain. The default.
	AtLeastOnce Semantics = iota
	// AtMostOnce reports ambiguous failures without retrying them: a
	// message never arrives twice, but may be lost.
	AtMostOnce
)

// String returns "at_least_once" or "at_most_once" (or "Semantics(N)").
func (s Semantics) String() string {
	switch s {
	case AtLeastOnce:
		return "at_least_once"
	case AtMostOnce:
		return "at_most_once"
	}
	return fmt.Sprintf("Semantics(%d)", uint8(s))
}

// MarshalText encodes the semantics by name.
func (s Semantics) MarshalText() ([]byte, error) {
	if s > AtMostOnce {
		return nil, fmt.Errorf("policy: invalid semantics %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "at_least_once" or "at_most_once".
func (s *Semantics) UnmarshalText(b []byte) error {
	switch string(b) {
	case "at_least_once":
		*s = AtLeastOnce
	case "at_most_once":
		*s = AtMostOnce
	default:
		return fmt.Errorf("policy: unknown semantics %q (want at_least_once or at_most_once)", b)
	}
	return nil
}

// GiveUp says why a Decision does not retry although its Action is
// retryable.
type GiveUp uint8

const (
	// GiveUpNone: the decision retries, or its action is not retryable.
	GiveUpNone GiveUp = iota
	// GiveUpAttempts: the attempt was the last one allowed.
	GiveUpAttempts
	// GiveUpDeadline: no time is left before the deadline.
	GiveUpDeadline
	// GiveUpRetryAfterBeyondDeadline: the server's Retry-After hint ends
	// after the deadline, so waiting for it would be pointless. The hint is
	// in Decision.RetryAfter.
	GiveUpRetryAfterBeyondDeadline
	// GiveUpAtMostOnce: the failure is ambiguous and the tenant asked for
	// at-most-once delivery.
	GiveUpAtMostOnce
)

var giveUpNames = [...]string{
	GiveUpNone:                     "none",
	GiveUpAttempts:                 "attempts exhausted",
	GiveUpDeadline:                 "deadline reached",
	GiveUpRetryAfterBeyondDeadline: "retry-after beyond deadline",
	GiveUpAtMostOnce:               "ambiguous failure under at-most-once",
}

// String describes the reason in words ("attempts exhausted", ...).
func (g GiveUp) String() string {
	if int(g) < len(giveUpNames) {
		return giveUpNames[g]
	}
	return fmt.Sprintf("GiveUp(%d)", uint8(g))
}
