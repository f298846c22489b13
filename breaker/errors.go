package breaker

import (
	"errors"
	"strconv"
	"time"
)

// ErrOpen is the sentinel every rejection matches: errors.Is(err, ErrOpen)
// holds for each *OpenError.
var ErrOpen = errors.New("breaker: open")

// ErrInvalidConfig is wrapped by the errors of New, Config.Validate and
// redisbreaker.New when a field is out of range.
var ErrInvalidConfig = errors.New("breaker: invalid config")

// OpenError is returned by Allow when a breaker rejects a
// request. It matches ErrOpen with errors.Is. It is a plain value, made
// fresh for each rejection.
type OpenError struct {
	// Key is the breaker that rejected the request.
	Key string
	// RetryIn is how long until the breaker lets the next probe through:
	// the rest of the open period when the breaker is Open, or, when it is
	// HalfOpen with every probe slot taken, the time until an unreported
	// probe is presumed lost (the probe may close the breaker sooner).
	// Never negative.
	RetryIn time.Duration
	// State is the state that rejected the request: Open or HalfOpen.
	State State
}

// Error returns "breaker: <key> open, next probe in <d>". The key is a
// region URL or tenant name, never a credential.
func (e *OpenError) Error() string {
	b := make([]byte, 0, 48+len(e.Key))
	b = append(b, "breaker: "...)
	b = strconv.AppendQuote(b, e.Key)
	b = append(b, ' ')
	b = append(b, e.State.String()...)
	b = append(b, ", next probe in "...)
	b = append(b, e.RetryIn.String()...)
	return string(b)
}

// Is reports whether target is ErrOpen.
func (e *OpenError) Is(target error) bool { return target == ErrOpen }
