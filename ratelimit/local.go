package ratelimit

import (
	"context"
	"time"
)

// The methods in this file are for Backends that keep a tenant's quota
// somewhere else (the Redis backend of module
// github.com/octosend/octosend/fleet) and use a *Limiter for everything
// that stays in the process: pauses, the process-wide bucket and each
// tenant's adaptive rate. A sender does not need them.

// WaitPaused waits until no pause of tenant is in force. A pause that
// outlasts ctx's deadline fails at once with a *DelayError (Paused set);
// ctx ending during the wait returns ctx.Err().
func (l *Limiter) WaitPaused(ctx context.Context, tenant string) error {
	deadline, ok := ctx.Deadline()
	return l.waitPause(ctx, tenant, deadline, ok)
}

// Paused reports whether a pause of tenant is in force now.
func (l *Limiter) Paused(tenant string) bool { return l.pausedNow(tenant) }

// WaitProcess waits for a token of the process-wide bucket (none when the
// process limit is off), failing at once with a *DelayError when the wait
// cannot finish before ctx's deadline.
func (l *Limiter) WaitProcess(ctx context.Context, tenant string) error {
	deadline, ok := ctx.Deadline()
	return l.waitProcess(ctx, tenant, deadline, ok)
}

// AllowProcess takes a token of the process-wide bucket at now if one is
// there, and reports whether it did (always true when the limit is off).
func (l *Limiter) AllowProcess(now time.Time) bool {
	p := l.proc.Load()
	return p == nil || p.allow(now)
}

// RateFactor returns the share, in (0, 1], of its configured rate that
// tenant's adaptive rate stands at now: 1 for a tenant never throttled or
// not known.
func (l *Limiter) RateFactor(tenant string) float64 {
	t := l.lookup(tenant)
	if t == nil {
		return 1
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur < t.rate && t.rate > 0 {
		return t.cur / t.rate
	}
	return 1
}

// CheckRateBurst validates a rate and burst pair as Config does and fills
// in the defaults: rate 0 means DefaultRate (and DefaultBurst when burst
// is 0 too); burst 0 with a rate means a tenth of a second's worth.
func CheckRateBurst(rate float64, burst int) (float64, int, error) {
	return rateBurst("rate", rate, burst, DefaultRate, DefaultBurst)
}
