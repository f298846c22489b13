package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// procBucket is the process-wide bucket, shared by every goroutine of
// every tenant. rate.Limiter credits the refill twice when a call brings it
// an earlier time than the call before (it moves its last-update time back,
// then forward again), and concurrent callers read the clock before they
// reach its lock, so their times arrive out of order. procBucket makes the
// times it hands on non-decreasing under its own lock: a caller whose
// reading is older than the last one uses the last one instead. That costs
// one uncontended mutex and no extra clock read.
type procBucket struct {
	mu   sync.Mutex
	last time.Time
	lim  *rate.Limiter
}

func newProcBucket(r float64, burst int) *procBucket {
	return &procBucket{lim: rate.NewLimiter(limitOf(r), burst)}
}

// mono returns now, or the latest time seen if now is older. b.mu is held.
func (b *procBucket) mono(now time.Time) time.Time {
	if now.Before(b.last) {
		return b.last
	}
	b.last = now
	return now
}

// allow takes a token if one is there now.
func (b *procBucket) allow(now time.Time) bool {
	b.mu.Lock()
	ok := b.lim.AllowN(b.mono(now), 1)
	b.mu.Unlock()
	return ok
}

// reserve reserves a token and returns the reservation with the time it
// was taken at (which may be a little later than now).
func (b *procBucket) reserve(now time.Time) (*rate.Reservation, time.Time) {
	b.mu.Lock()
	now = b.mono(now)
	r := b.lim.ReserveN(now, 1)
	b.mu.Unlock()
	return r, now
}

// cancel gives back a reservation's token.
func (b *procBucket) cancel(r *rate.Reservation, now time.Time) {
	b.mu.Lock()
	r.CancelAt(b.mono(now))
	b.mu.Unlock()
}

// set changes the rate and burst.
func (b *procBucket) set(now time.Time, r float64, burst int) {
	b.mu.Lock()
	now = b.mono(now)
	b.lim.SetLimitAt(now, limitOf(r))
	b.lim.SetBurstAt(now, burst)
	b.mu.Unlock()
}
