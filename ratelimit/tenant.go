package ratelimit

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// tenant is the state of one live tenant. Times are nanoseconds since the
// Limiter's epoch (monotonic when the clock is).
//
// The hot path (Wait, Allow) touches only lim (its own mutex) and the
// atomics; mu guards the AIMD and configuration fields, which only Throttled,
// Succeeded, SetTenant and Reconfigure change.
//
// The limiter works on the tenant's own timeline: every call into lim uses
// max(now, paused), so during a pause the bucket lives at the pause's end and
// its time never runs backwards (rate.Limiter double-counts refill when it
// does).
type tenant struct {
	lim rate.Limiter

	paused atomic.Int64  // end of the pause; <= now means not paused
	used   atomic.Int64  // last Wait/Allow/Pause, at touchEvery granularity
	below  atomic.Bool   // cur < rate: Succeeded has work to do
	succ   atomic.Uint32 // successes counted by Succeeded, modulo 2^32
	markAt atomic.Int64  // when the newer mark of the success window was taken

	mu        sync.Mutex
	rate      float64 // configured rate (req/s)
	burst     int32   // configured burst
	curBurst  int32   // burst in effect (scaled with cur)
	override  bool    // set by SetTenant: Reconfigure leaves it alone
	parked    int32   // Waits sleeping out a pause, holding no reservation
	cur       float64 // current rate after AIMD
	increased int64   // last AIMD increase step (or decrease)
	decreased int64   // last AIMD decrease

	// The success window: two marks (time, succ), the newer at markAt and
	// the older at prevAt, taken about acceptWindow apart, so that at any
	// moment the successes since prevAt span the last one to two windows.
	markSucc uint32
	prevSucc uint32
	prevAt   int64
}

// acceptWindow is the spacing of the success window's marks: Throttled
// measures the tenant's accepted rate over the last one to two of these.
const acceptWindow = int64(time.Second)

// minAccepted is the fewest successes in the window for the accepted rate
// to count: below it the window says too little, and Throttled falls back
// to the multiplicative decrease alone.
const minAccepted = 5

// touchEvery is the granularity of tenant.used: a hot tenant writes its
// last-use time at most this often, so parallel senders of one tenant do not
// contend on that cache line.
const touchEvery = int64(10 * time.Millisecond)

// never is a time long before any clock reading, for "not yet".
const never = math.MinInt64 / 2

// init sets up a new tenant at time te (ns since epoch: ns) with a full bucket.
func (t *tenant) init(r float64, b int, override bool, te time.Time, ns int64) {
	t.rate, t.burst, t.curBurst, t.override = r, int32(b), int32(b), override
	t.cur = r
	t.increased, t.decreased = never, never
	t.used.Store(ns)
	t.markAt.Store(ns)
	t.prevAt = ns
	// A zero rate.Limiter has no tokens. Giving it the burst at the zero
	// time and the limit afterwards makes its first advance (to te) refill
	// the bucket completely, whatever the rate.
	var zero time.Time
	t.lim.SetBurstAt(zero, b)
	t.lim.SetLimitAt(zero, limitOf(r))
	t.lim.AllowN(te, 0) // advance to te: full bucket, last = te
}

// limitOf converts a rate in requests per second to a rate.Limit.
func limitOf(r float64) rate.Limit {
	if math.IsInf(r, 1) {
		return rate.Inf
	}
	return rate.Limit(r)
}

// setRateLocked puts cur in effect at te, scaling the burst with it so a
// slowed tenant cannot save up its full configured burst. t.mu is held.
func (t *tenant) setRateLocked(cur float64, te time.Time) {
	t.cur = cur
	t.below.Store(cur < t.rate)
	t.lim.SetLimitAt(te, limitOf(cur))
	b := t.burst
	if cur < t.rate && !math.IsInf(t.rate, 1) {
		b = int32(max(1, math.Round(float64(t.burst)*cur/t.rate)))
	}
	if b != t.curBurst {
		t.curBurst = b
		t.lim.SetBurstAt(te, int(b))
	}
}

// configureLocked changes the configured rate and burst at te, keeping an
// AIMD slow-down in effect (the current rate becomes min(current, r)).
// t.mu is held.
func (t *tenant) configureLocked(r float64, b int, override bool, te time.Time) {
	wasBelow := t.cur < t.rate
	t.rate, t.burst, t.override = r, int32(b), override
	t.curBurst = -1 // force SetBurstAt
	cur := r
	if wasBelow && t.cur < r {
		cur = t.cur
	}
	t.setRateLocked(cur, te)
}

// markLocked moves the success window on at ns: once acceptWindow has
// passed since the newer mark, the newer mark becomes the older one and a
// new mark is taken at ns. A window left alone for two or more
// acceptWindows says nothing about the present, so both marks restart at
// ns. t.mu is held.
func (t *tenant) markLocked(ns int64) {
	at := t.markAt.Load()
	if ns-at < acceptWindow {
		return
	}
	n := t.succ.Load()
	if ns-at < 2*acceptWindow {
		t.prevAt, t.prevSucc = at, t.markSucc
	} else {
		t.prevAt, t.prevSucc = ns, n
	}
	t.markSucc = n
	t.markAt.Store(ns)
}

// acceptedLocked returns the tenant's accepted rate at ns: the successes
// since the older mark of the success window divided by the time since it
// (one to two acceptWindows, pauses included), and false when the window is
// shorter than acceptWindow or holds fewer than minAccepted successes.
// t.mu is held and markLocked(ns) has run.
func (t *tenant) acceptedLocked(ns int64) (float64, bool) {
	span := ns - t.prevAt
	n := t.succ.Load() - t.prevSucc // modulo 2^32: a window never holds 2^32
	if span < acceptWindow || n < minAccepted {
		return 0, false
	}
	return float64(n) / time.Duration(span).Seconds(), true
}

// throttledLocked applies an AIMD decrease at ns (te on the tenant's
// timeline) unless one happened within DecreaseHold: the rate becomes
// rate × Decrease, or the accepted rate when that is meaningful and lower,
// but not below the floor. t.mu is held.
func (t *tenant) throttledLocked(s *settings, ns int64, te time.Time) {
	t.markLocked(ns)
	if math.IsInf(t.rate, 1) || ns-t.decreased < int64(DecreaseHold) {
		return // an unlimited tenant does not adapt
	}
	floor := min(s.minRate, t.rate)
	next := t.cur * s.decrease
	if acc, ok := t.acceptedLocked(ns); ok {
		next = min(next, acc)
	}
	next = max(next, floor)
	t.decreased, t.increased = ns, ns
	t.setRateLocked(next, te)
}

// succeededLocked applies an AIMD increase at ns: the rate grows by
// Increase per second of sending elapsed since the previous step (time
// spent paused does not count), counting at most maxIncreaseStep per step,
// and never beyond the configured rate. t.mu is held.
func (t *tenant) succeededLocked(s *settings, ns int64, te time.Time) {
	if t.cur >= t.rate {
		return
	}
	// A pause is the API saying "too fast": its time is not success time,
	// and crediting it would spring the rate back up right at the pause's
	// end, into the next 429.
	from := max(t.increased, t.paused.Load())
	dt := min(ns-from, int64(maxIncreaseStep))
	if dt <= 0 {
		return
	}
	inc := s.increase
	if inc == 0 {
		inc = t.rate / 20
	}
	t.increased = ns
	t.setRateLocked(min(t.rate, t.cur+inc*time.Duration(dt).Seconds()), te)
}
