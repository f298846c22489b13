package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"time"
)

var (
	// ErrDeadline is what a Wait returns (inside a *DelayError) when the wait
	// it needs cannot finish before the context's deadline. Such an error also
	// satisfies errors.Is(err, context.DeadlineExceeded).
	ErrDeadline = errors.New("ratelimit: wait would exceed the context deadline")

	// ErrInvalidConfig is wrapped by the errors of New and
	// Reconfigure for a Config they refuse.
	ErrInvalidConfig = errors.New("ratelimit: invalid config")
)

// DelayError reports a wait refused at once because it could not finish
// before the context's deadline. errors.Is reports true for both ErrDeadline
// and context.DeadlineExceeded.
type DelayError struct {
	// Tenant is the tenant whose wait was refused.
	Tenant string
	// Delay is how long the wait would have taken.
	Delay time.Duration
	// Remaining is how long was left until the deadline.
	Remaining time.Duration
	// Paused reports whether the tenant was paused (after a 429) at the time.
	Paused bool
}

// Error implements error. The message names the tenant and the durations.
func (e *DelayError) Error() string {
	var b []byte
	b = append(b, "ratelimit: tenant "...)
	b = strconv.AppendQuote(b, e.Tenant)
	if e.Paused {
		b = append(b, " is paused:"...)
	} else {
		b = append(b, " is rate limited:"...)
	}
	b = append(b, " wait of "...)
	b = append(b, e.Delay.String()...)
	b = append(b, " exceeds the "...)
	b = append(b, e.Remaining.String()...)
	b = append(b, " left before the context deadline"...)
	return string(b)
}

// Is reports whether target is ErrDeadline or context.DeadlineExceeded.
func (e *DelayError) Is(target error) bool {
	return target == ErrDeadline || target == context.DeadlineExceeded
}
