package ratelimit

import (
	"context"
	"time"
)

// Backend is what a sender needs from a rate limiter: wait for a turn, and
// report what the API answered. *Limiter (one process) and *Redis (a fleet
// sharing one quota through Redis) implement it. Implementations are safe
// for concurrent use.
type Backend interface {
	// Wait blocks until tenant may send one request. A wait that cannot
	// finish before ctx's deadline fails at once with an error for which
	// errors.Is(err, context.DeadlineExceeded) holds.
	Wait(ctx context.Context, tenant string) error
	// Pause holds every sender of tenant until the time until.
	Pause(tenant string, until time.Time)
	// Throttled reports a 429 for tenant (AIMD decrease).
	Throttled(tenant string)
	// Succeeded reports a success for tenant (AIMD increase).
	Succeeded(tenant string)
}

var (
	_ Backend = (*Limiter)(nil)
)
