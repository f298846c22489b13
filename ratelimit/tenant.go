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
	held429   uint16  // 429s within DecreaseHold since the last decrease (saturating; fits the padding)
	parked    int32   // Waits sleeping out a pause, holding no reservation
	cur       float64 // current rate after AIMD
	increased int64   // last AIMD increase step (or decrease)
	decreased int64   // last AIMD decrease
	// est is the quota the last decrease found (the accepted rate, at
	// decreased), 0 when that decrease could not measure it or is older
	// than estimateTTL: near it the rate grows slowly (nearQuotaGrowth),
	// probing the quota instead of jumping past it.
	est     float32
	cutSucc uint32 // t.succ at the last decrease

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
// timeline) unless one happened within DecreaseHold: the rate becomes the
// accepted rate when that is meaningful (what the API takes: the quota's
// estimate, higher or lower than rate × Decrease), else rate × Decrease;
// never above the current rate nor below the floor, nor, against an
// estimate still fresh, below half of it. It reports whether the API is
// starved: it accepted fewer than minAccepted of the tenant's requests in
// the success window. t.mu is held.
func (t *tenant) throttledLocked(s *settings, ns int64, te time.Time) (starved bool) {
	t.markLocked(ns)
	acc, ok := t.acceptedLocked(ns)
	starved = !ok && t.succ.Load()-t.prevSucc < minAccepted
	if math.IsInf(t.rate, 1) {
		return starved // an unlimited tenant does not adapt
	}
	floor := min(s.minRate, t.rate)
	if since := ns - t.decreased; since < int64(DecreaseHold) {
		t.refineLocked(since, floor, te)
		return starved
	}
	prev := float64(t.est)
	fresh := prev > 0 && ns-t.decreased <= estimateTTL
	next := t.cur * s.decrease
	if fresh {
		// The quota was met before: what the API accepted over the whole
		// cycle since that cut is the better measure, since an API bucket
		// that refills below the quota and drains above it gives back no
		// more than it took over a cycle, while the last second or two
		// can hold its whole burst.
		if n := t.succ.Load() - t.cutSucc; n >= minAccepted {
			acc, ok = float64(n)/time.Duration(ns-t.decreased).Seconds(), true
		}
	}
	t.est = 0
	if ok {
		est := min(acc, t.cur)
		if fresh {
			// Senders stalled by the last cut's own Retry-After waits
			// accept little: one cycle may halve the estimate, no more,
			// so a stall cannot collapse it.
			est = max(est, prev/2)
			if ns-t.decreased < int64(shortCycle) {
				// The last cut did not hold: a cycle this short still
				// counts the API bucket's burst, so trust the measure
				// less and shrink the estimate.
				est = min(est, prev) * shortCycleShrink
			}
		}
		t.est = float32(est)
		next = est * measuredDecrease
	}
	t.cutLocked(ns, max(next, floor), te)
	return starved
}

// cutLocked puts a cut to rate next in effect at ns (te on the tenant's
// timeline): the cycle, the success count and the 429s since the cut
// start over, and the bucket is emptied but for one token (see drain).
// t.mu is held.
func (t *tenant) cutLocked(ns int64, next float64, te time.Time) {
	t.decreased, t.increased, t.cutSucc, t.held429 = ns, ns, t.succ.Load(), 0
	t.setRateLocked(next, te)
	t.drain(te)
}

// refineLocked handles a 429 that came since ns after the last cut,
// within DecreaseHold: such 429s are the same congestion signal as the
// one that cut (8x8 counts its quota per second), and change nothing —
// unless the cut did not reach below the quota. A cut measures the
// accepted rate over the last second or two, and when the API's bucket
// held a large burst (8x8 can allow a second's worth) that measure is
// the client's own rate, all of it accepted until the bucket ran dry:
// 0.85 of 2,900/s against a 2,000/s quota still overshoots, and every
// sender collects a 429 and waits its Retry-After. While the API keeps
// answering 429, what it accepted since the cut is what it can take, so
// once refineAfter has passed, 429s keep coming (refineMin429s of them,
// and refineShare of the successes since the cut: a stray 429, or
// successes counted late, are no evidence), and the accepted rate is
// under refineBelow of the current rate (the API refuses a tenth of what
// is sent), the estimate comes down to it (never below half of the cut's
// estimate) and the rate to measuredDecrease of it (never below the
// floor), and the hold starts over from there. A cut that holds sees its traffic accepted whole, and
// a stray 429 then changes nothing. t.mu is held.
func (t *tenant) refineLocked(since int64, floor float64, te time.Time) {
	if t.held429 < math.MaxUint16 {
		t.held429++
	}
	if since < int64(refineAfter) {
		return
	}
	n := t.succ.Load() - t.cutSucc
	if n < minAccepted || t.held429 < refineMin429s || float64(t.held429) < refineShare*float64(n) {
		return // too few 429s since the cut to say it did not hold
	}
	acc := float64(n) / time.Duration(since).Seconds()
	if acc >= refineBelow*t.cur {
		return // the API takes about what is sent: the cut holds
	}
	est := acc
	if prev := float64(t.est); prev > 0 {
		est = max(min(est, prev), prev/2)
	}
	next := max(est*measuredDecrease, floor)
	if next >= t.cur {
		return
	}
	t.est = float32(est)
	t.cutLocked(t.decreased+since, next, te)
}

// drain empties the tenant's bucket at te but for one token: at a pause's
// end, and at a cut, where the API has just said "too fast" and tokens
// saved up while senders were slower than the rate (a slow network: the
// bucket stays full) would go out together, right into the drained API
// bucket — one 429 per sender.
func (t *tenant) drain(te time.Time) {
	if tok := t.lim.TokensAt(te); tok >= 2 && tok <= math.MaxInt32 {
		t.lim.ReserveN(te, int(tok)-1)
	}
}

// refineAfter is the least time after a cut before a 429 can refine it
// (see refineLocked): the accepted rate since the cut needs that long
// to say what the API takes.
const refineAfter = 25 * time.Millisecond

// refineBelow is the share of the current rate under which the rate
// accepted since a cut shows the cut did not hold; refineMin429s and
// refineShare are the 429s since the cut that it takes, in number and as
// a share of the successes since (see refineLocked).
const (
	refineBelow   = 0.9
	refineMin429s = 3
	refineShare   = 0.05
)

// Growth around a measured quota (est), in the manner of CUBIC (the AWS
// SDK's adaptive retry mode): after a cut to measuredDecrease of the
// estimate the rate climbs back to it fast (regainGrowth of it per
// second), then creeps past it — nearQuotaGrowth of it per second,
// doubling every probeDoubling since the cut — so a quota that has not
// moved is met again by a few 429s, and one that was underestimated (or
// raised) is found within seconds; never faster than Increase. An
// estimate older than estimateTTL without a new decrease is forgotten.
const (
	// measuredDecrease is the cut below a measured accepted rate: the
	// measure can include a burst the API's bucket held, so the rate
	// starts a little under it and climbs back.
	measuredDecrease = 0.85
	nearQuota        = 0.98
	regainGrowth     = 0.25
	nearQuotaGrowth  = 0.02
	probeDoubling    = 10 * time.Second
	estimateTTL      = int64(30 * time.Second)
	estimateOff      = 1.2
	shortCycle       = 3 * time.Second
	shortCycleShrink = 0.95
)

// growth is the increase, in requests per second per second, of a tenant
// at cur with the quota estimate est, decreased since seconds ago, and
// configured increase inc.
func growth(cur, est, since, inc float64) float64 {
	if est <= 0 {
		return inc
	}
	if cur < nearQuota*est {
		return max(inc, regainGrowth*est)
	}
	return min(inc, nearQuotaGrowth*est*math.Exp2(since/probeDoubling.Seconds()))
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
	if t.est > 0 && (ns-t.decreased > estimateTTL || t.cur > estimateOff*float64(t.est)) {
		// Old, or the rate got well past it without a 429 that counted:
		// the estimate was low (a measure taken while senders stalled) or
		// the quota was raised. Grow by Increase until 429s measure anew.
		t.est = 0
	}
	inc = growth(t.cur, float64(t.est), time.Duration(ns-t.decreased).Seconds(), inc)
	t.increased = ns
	t.setRateLocked(min(t.rate, t.cur+inc*time.Duration(dt).Seconds()), te)
}
