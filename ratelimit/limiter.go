package ratelimit

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/clock"
	"golang.org/x/time/rate"
)

// Limiter is the local, two-level rate limiter: a token bucket per tenant
// (created on first use, evicted when idle) and one process-wide bucket that
// every tenant also draws from. It adapts each tenant's rate to 429s (AIMD:
// Throttled, Succeeded) and pauses a whole tenant on request (Pause).
//
// Create a Limiter with New; the zero value is not usable. A *Limiter is
// safe for concurrent use by multiple goroutines.
type Limiter struct {
	clock  clock.Clock
	epoch  time.Time // tenant times are nanoseconds since epoch
	seed   maphash.Seed
	shards []shard
	mask   uint64
	count  atomic.Int64

	cfg  atomic.Pointer[settings]
	proc atomic.Pointer[procBucket] // nil: no process limit

	omu       sync.RWMutex
	overrides map[string]override

	rmu sync.Mutex // serialises Reconfigure
}

// New returns a Limiter configured by cfg (zero fields mean their
// defaults). It returns an error wrapping ErrInvalidConfig when cfg holds a
// value out of range.
func New(cfg Config) (*Limiter, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	c := clock.Or(cfg.Clock)
	n := shardCount(s.maxTenants)
	l := &Limiter{
		clock:     c,
		epoch:     c.Now(),
		seed:      maphash.MakeSeed(),
		shards:    make([]shard, n),
		mask:      uint64(n - 1),
		overrides: make(map[string]override),
	}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*tenant)
	}
	l.cfg.Store(s)
	l.setProcess(s, l.epoch)
	return l, nil
}

// since converts t to nanoseconds since the epoch.
func (l *Limiter) since(t time.Time) int64 { return int64(t.Sub(l.epoch)) }

// at converts nanoseconds since the epoch back to a time.
func (l *Limiter) at(ns int64) time.Time { return l.epoch.Add(time.Duration(ns)) }

// eff is the time on t's timeline: now, or the end of its pause.
func (l *Limiter) eff(t *tenant, now time.Time, ns int64) time.Time {
	if p := t.paused.Load(); p > ns {
		return l.at(p)
	}
	return now
}

// touch records a use of t at ns (at touchEvery granularity) and moves its
// success window on when a mark is due.
func touch(t *tenant, ns int64) {
	if ns-t.used.Load() >= touchEvery {
		t.used.Store(ns)
		if ns-t.markAt.Load() >= acceptWindow {
			t.mu.Lock()
			t.markLocked(ns)
			t.mu.Unlock()
		}
	}
}

// Wait blocks until tenant may send one request: until a token is free in
// the tenant's bucket and in the process-wide bucket, and any pause of the
// tenant has ended.
//
// Wait returns nil when the request may go. It returns at once, with a
// *DelayError (errors.Is ErrDeadline and context.DeadlineExceeded), when the
// wait it needs cannot finish before ctx's deadline; and ctx.Err() when ctx
// ends during the wait. Either way it gives back the tokens it reserved.
//
// A Wait that meets a pause, on arrival or when its reserved time comes,
// holds no token while it waits the pause out (a reservation it held is
// given back) and reserves its token when the pause ends, behind the
// bucket's single token and at the tenant's rate of that moment. So the
// waiters of a pause leave one by one at the (by then usually lowered)
// rate, not together at its end. Its deadline is checked at once against
// the pause plus its place among the waiters at the current rate, and again
// when it reserves.
func (l *Limiter) Wait(ctx context.Context, tenant string) error {
	_, err := l.WaitAt(ctx, tenant, l.clock.Now())
	return err
}

// WaitAt is Wait for a caller that has just read the limiter's clock: now
// is that reading. It returns when the wait ended: now itself when the
// tokens were free, so a caller that times its wait reads the clock only
// when there was one.
//
// now must be fresh, read moments before the call: a tenant's bucket is
// shared, and golang.org/x/time/rate credits the refill twice to a bucket
// that is handed an earlier time than its last one.
func (l *Limiter) WaitAt(ctx context.Context, tenant string, now time.Time) (time.Time, error) {
	if done := ctx.Done(); done != nil {
		select {
		case <-done:
			return now, ctx.Err()
		default:
		}
	}
	t := l.get(tenant, now)
	ns := l.since(now)
	touch(t, ns)
	if t.paused.Load() > ns {
		return l.ended(l.waitSlow(ctx, tenant, t, nil, now))
	}
	r := t.lim.ReserveN(now, 1)
	if !r.OK() || r.DelayFrom(now) > 0 {
		return l.ended(l.waitSlow(ctx, tenant, t, r, now))
	}
	if p := l.proc.Load(); p == nil || p.allow(now) {
		return now, nil
	}
	deadline, hasDeadline := ctx.Deadline()
	return l.ended(l.waitProcess(ctx, tenant, deadline, hasDeadline))
}

// ended returns the time a wait that was not free ended, with its error.
func (l *Limiter) ended(err error) (time.Time, error) { return l.clock.Now(), err }

// errReservation reports a tenant bucket that refused a reservation, which
// a burst of at least 1 rules out; it is here so a bug cannot turn into a
// busy loop.
var errReservation = errors.New("ratelimit: reservation refused")

// waitSlow waits for a token of t: r, reserved at now when t was not
// paused, or nil. While t is paused it holds no reservation: it gives r
// back, sleeps until the pause ends and then reserves afresh. Then it waits
// for the process bucket.
func (l *Limiter) waitSlow(ctx context.Context, name string, t *tenant, r *rate.Reservation, now time.Time) error {
	deadline, hasDeadline := ctx.Deadline()
	for {
		ns := l.since(now)
		if p := t.paused.Load(); p > ns {
			if r != nil {
				// Reserved before the pause began. Kept, its time would
				// come during the pause, and this waiter would leave at
				// the pause's end together with every other such waiter.
				r.CancelAt(l.at(p))
				r = nil
			}
			if err := l.park(ctx, name, t, now, p, deadline, hasDeadline); err != nil {
				return err
			}
			// Loop: the pause may have been extended meanwhile.
			now = l.clock.Now()
			continue
		}
		if r == nil {
			if r = t.lim.ReserveN(now, 1); !r.OK() {
				return errReservation
			}
		}
		d := r.DelayFrom(now)
		if d == 0 {
			break
		}
		if hasDeadline {
			if rem := deadline.Sub(now); d > rem {
				r.CancelAt(l.eff(t, now, ns))
				return &DelayError{Tenant: name, Delay: d, Remaining: rem}
			}
		}
		if err := clock.Sleep(ctx, l.clock, d); err != nil {
			now = l.clock.Now()
			r.CancelAt(l.eff(t, now, l.since(now)))
			return err
		}
		// Loop: a Pause that arrived while we slept holds us too.
		now = l.clock.Now()
	}
	return l.waitProcess(ctx, name, deadline, hasDeadline)
}

// park sleeps until p, the end of t's pause (ns since the epoch; now is
// before it), without holding a token. It fails at once with a *DelayError
// when the pause plus the turn of the waiters already parked, at t's
// current rate, would outlast the deadline.
func (l *Limiter) park(ctx context.Context, name string, t *tenant, now time.Time, p int64, deadline time.Time, hasDeadline bool) error {
	pause := time.Duration(p - l.since(now))
	t.mu.Lock()
	ahead := t.parked
	cur := t.cur
	t.parked++
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.parked--
		t.mu.Unlock()
	}()
	if hasDeadline {
		d := pause
		if ahead > 0 && cur > 0 && !math.IsInf(cur, 1) {
			d += time.Duration(float64(ahead) / cur * float64(time.Second))
		}
		if rem := deadline.Sub(now); d > rem {
			return &DelayError{Tenant: name, Delay: d, Remaining: rem, Paused: true}
		}
	}
	return clock.Sleep(ctx, l.clock, pause)
}

// waitPause waits out a pause of tenant name, if it is live and paused,
// failing at once with a *DelayError when the pause outlasts the deadline.
func (l *Limiter) waitPause(ctx context.Context, name string, deadline time.Time, hasDeadline bool) error {
	t := l.lookup(name)
	if t == nil {
		return nil
	}
	for {
		now := l.clock.Now()
		ns := l.since(now)
		p := t.paused.Load()
		if p <= ns {
			return nil
		}
		d := time.Duration(p - ns)
		if hasDeadline {
			if rem := deadline.Sub(now); d > rem {
				return &DelayError{Tenant: name, Delay: d, Remaining: rem, Paused: true}
			}
		}
		if err := clock.Sleep(ctx, l.clock, d); err != nil {
			return err
		}
	}
}

// pausedNow reports whether tenant name is live and paused now.
func (l *Limiter) pausedNow(name string) bool {
	t := l.lookup(name)
	return t != nil && t.paused.Load() > l.since(l.clock.Now())
}

// waitProcess waits for a token of the process bucket. The tenant's token is
// already held: its reserved time has come.
func (l *Limiter) waitProcess(ctx context.Context, name string, deadline time.Time, hasDeadline bool) error {
	p := l.proc.Load()
	if p == nil {
		return nil
	}
	// Read the clock afresh: every goroutine shares this bucket, and
	// rate.Limiter credits the refill twice when a call brings it an
	// earlier time than the last one did, so a time read before our tenant
	// wait would let extra requests through.
	r, now := p.reserve(l.clock.Now())
	if !r.OK() {
		return errReservation
	}
	d := r.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if hasDeadline {
		if rem := deadline.Sub(now); d > rem {
			p.cancel(r, now)
			return &DelayError{Tenant: name, Delay: d, Remaining: rem}
		}
	}
	if err := clock.Sleep(ctx, l.clock, d); err != nil {
		p.cancel(r, l.clock.Now())
		return err
	}
	return nil
}

// Allow reports whether tenant may send one request now, taking a token
// from the tenant's and the process bucket if so. It never blocks. It is
// false while the tenant is paused. A false Allow takes no token.
func (l *Limiter) Allow(tenant string) bool {
	now := l.clock.Now()
	t := l.get(tenant, now)
	ns := l.since(now)
	touch(t, ns)
	if t.paused.Load() > ns {
		return false
	}
	r := t.lim.ReserveN(now, 1)
	if !r.OK() {
		return false
	}
	if r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		return false
	}
	if p := l.proc.Load(); p != nil && !p.allow(now) {
		r.CancelAt(now)
		return false
	}
	return true
}

// Pause holds every Wait of tenant until the time until (typically now plus
// the Retry-After of a 429), including the waits already in progress, and
// makes Allow false until then. A pause only ever extends: an until earlier
// than the current pause's end, or not after now, changes nothing.
//
// When the pause ends the tenant's bucket holds a single token (less than
// two): the first waiter leaves at the end of the pause and the others one
// by one at the tenant's (by then usually lowered) rate, instead of in a
// burst that would draw another 429. Waits that reserved their token before
// the pause began give it back and queue again at its end (see Wait).
func (l *Limiter) Pause(tenant string, until time.Time) {
	now := l.clock.Now()
	ns := l.since(now)
	u := l.since(until)
	if u <= ns {
		return
	}
	t := l.get(tenant, now)
	touch(t, ns)
	for {
		old := t.paused.Load()
		if u <= old {
			return
		}
		if t.paused.CompareAndSwap(old, u) {
			break
		}
	}
	t.drain(l.at(u)) // one token left at the pause's end
}

// Throttled records a 429 for tenant: an AIMD decrease. The tenant's rate
// becomes
//
//	max(min(MinRate, configured rate), min(accepted, rate))
//
// where accepted is the tenant's accepted rate: the Succeeded calls of the
// last one to two seconds divided by that span. It only counts when the
// span is at least a second (the tenant is older than that) and holds at
// least 5 successes; otherwise the rate is multiplied by Decrease. The
// accepted rate is the quota's estimate, whether above or below
// rate × Decrease: from a rate far above the quota one 429 brings the
// tenant to about the quota, and from just above it the cut is just as
// small, so goodput does not halve for a 2% overshoot. Near that estimate
// the rate then grows by 2% of it per second instead of Increase, so the
// next 429s come few and late. (ThrottleTenant pauses only when the rate
// could not be measured, so a pause does not depress the measure.) The burst
// shrinks in proportion (at least 1). A second 429 within DecreaseHold of
// a decrease changes nothing, unless 429s keep coming (3 or more, and 5%
// of the successes since), 25 ms or more after it, and the API accepted
// under 90% of the rate since: then the cut did not reach below the
// quota, and the estimate and rate come down to what was accepted (see
// Law). A tenant with an infinite rate does not adapt.
func (l *Limiter) Throttled(tenant string) { l.throttled(tenant) }

// throttled applies Throttled and reports whether the API is starved
// (see throttledLocked).
func (l *Limiter) throttled(tenant string) bool {
	now := l.clock.Now()
	t := l.get(tenant, now)
	ns := l.since(now)
	cfg := l.cfg.Load()
	t.mu.Lock()
	starved := t.throttledLocked(cfg, ns, l.eff(t, now, ns))
	t.mu.Unlock()
	return starved
}

// ThrottleTenant records a 429 that concerns the whole tenant (its quota
// is spent, as the client infers from clustered 429s): the decrease of
// Throttled, and a pause until until only when the API accepted almost
// nothing of the tenant's traffic over the last second or two (fewer than
// 5 requests) — then the quota is spent outright and every sender waits
// out the Retry-After. Otherwise the cut is enough: pausing too would
// idle the tenant for the Retry-After and make the next measure of its
// accepted rate a measure of the pause. It reports whether it paused.
func (l *Limiter) ThrottleTenant(tenant string, until time.Time) bool {
	if !l.throttled(tenant) {
		return false
	}
	l.Pause(tenant, until)
	return true
}

// Succeeded records a success for tenant: it counts toward the accepted
// rate that Throttled measures, and drives the AIMD increase. While the
// tenant is below its configured rate, each call raises the rate by
// Increase × (time since the previous increase, decrease or end of a pause,
// at most 1 s), up to the configured rate, and scales the burst back with
// it. The growth is thus Increase per second of successful sending,
// whatever the request rate; time spent paused earns none. At the
// configured rate Succeeded is one atomic add, lock-free, and for a tenant
// that is not live it does nothing.
func (l *Limiter) Succeeded(tenant string) {
	t := l.lookup(tenant)
	if t == nil {
		return
	}
	t.succ.Add(1) // the accepted rate that Throttled measures
	if !t.below.Load() {
		return
	}
	now := l.clock.Now()
	ns := l.since(now)
	cfg := l.cfg.Load()
	t.mu.Lock()
	t.succeededLocked(cfg, ns, l.eff(t, now, ns))
	t.mu.Unlock()
}

// SetTenant sets tenant's own rate (requests per second) and burst,
// overriding the Config defaults, and applies them at once if the tenant is
// live. The setting outlives eviction. A burst <= 0 means rate/10 rounded up
// (at least 1); a rate <= 0 (or NaN) removes the override, so the tenant
// follows the defaults again. An AIMD slow-down in effect is kept: the
// current rate becomes min(current, rate) and grows back from there.
func (l *Limiter) SetTenant(tenant string, r float64, burst int) {
	clear := !(r > 0)
	if !clear && burst <= 0 {
		burst = defaultBurst(r)
	}
	s := l.shardOf(tenant)
	s.mu.Lock()
	defer s.mu.Unlock()
	l.omu.Lock()
	if clear {
		delete(l.overrides, tenant)
	} else {
		l.overrides[tenant] = override{rate: r, burst: burst}
	}
	l.omu.Unlock()
	t := s.m[tenant]
	if t == nil {
		return
	}
	if clear {
		cfg := l.cfg.Load()
		r, burst = cfg.rate, cfg.burst
	}
	now := l.clock.Now()
	t.mu.Lock()
	t.configureLocked(r, burst, !clear, l.eff(t, now, l.since(now)))
	t.mu.Unlock()
}

// Reconfigure applies a new configuration at run time (a config reload):
// the defaults of every tenant without a SetTenant override, the process
// limit, the AIMD parameters, IdleTTL and MaxTenants. cfg.Clock is ignored,
// and the shard count chosen by New from MaxTenants stays. It returns an
// error wrapping ErrInvalidConfig, and changes nothing, when cfg is invalid.
func (l *Limiter) Reconfigure(cfg Config) error {
	s, err := cfg.settings()
	if err != nil {
		return err
	}
	l.rmu.Lock()
	defer l.rmu.Unlock()
	l.cfg.Store(s)
	now := l.clock.Now()
	l.setProcess(s, now)
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for _, t := range sh.m {
			t.mu.Lock()
			if !t.override {
				t.configureLocked(s.rate, s.burst, false, l.eff(t, now, l.since(now)))
			}
			t.mu.Unlock()
		}
		sh.mu.Unlock()
	}
	return nil
}

// setProcess installs, updates or removes the process bucket. l.rmu is held
// (or l is being built).
func (l *Limiter) setProcess(s *settings, now time.Time) {
	if s.processRate < 0 {
		l.proc.Store(nil)
		return
	}
	if p := l.proc.Load(); p != nil {
		p.set(now, s.processRate, s.processBurst)
		return
	}
	l.proc.Store(newProcBucket(s.processRate, s.processBurst))
}

// TenantState is a snapshot of one tenant's limits.
type TenantState struct {
	Rate        float64   // current rate after AIMD, requests per second
	Burst       int       // current burst (scaled with Rate)
	Configured  float64   // configured rate (SetTenant or Config)
	PausedUntil time.Time // end of the pause; zero when not paused
}

// State returns a snapshot of tenant's limits, and false when the tenant is
// not live (never used, or evicted). It does not create the tenant.
func (l *Limiter) State(tenant string) (TenantState, bool) {
	t := l.lookup(tenant)
	if t == nil {
		return TenantState{}, false
	}
	now := l.since(l.clock.Now())
	t.mu.Lock()
	st := TenantState{Rate: t.cur, Burst: int(t.curBurst), Configured: t.rate}
	t.mu.Unlock()
	if p := t.paused.Load(); p > now {
		st.PausedUntil = l.at(p)
	}
	return st, true
}

// Len returns the number of live tenants, including idle ones that no sweep
// has evicted yet.
func (l *Limiter) Len() int { return int(l.count.Load()) }

// Close releases every live tenant (their buckets, pauses and AIMD state;
// SetTenant overrides stay). The Limiter has no background goroutine to
// stop: idle tenants are evicted by sweeps that run as tenants are created
// (see Sweep). It stays usable after Close, re-creating tenants on demand.
func (l *Limiter) Close() {
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n := len(s.m)
		clear(s.m)
		l.count.Add(int64(-n))
		s.mu.Unlock()
	}
}
