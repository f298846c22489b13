package redislimit

import (
	"context"
	"math"
	"strconv"
	"time"
)

// The fleet's adaptive rate. Each tenant's controller state lives in
// Redis, not in each instance: the fleet's accepted rate (every
// instance's successes, carried by the reservations it makes anyway), and
// the last cut (estimate, time, rate), from which every reservation
// computes the fleet's current rate by the growth law. A cut is made once
// for the fleet, from what the fleet got accepted, and holds every
// instance; it follows ratelimit.Limiter's rules exactly (ratelimit.Law;
// the scripts are in lawscript.go).
//
// Before, each instance cut its own rate (in Local) from its own share of
// the traffic and charged the shared quota at that rate: two instances
// each measuring half of a 400/s quota cut to 0.85 × 200 apiece, and since
// each of their requests then took 1/170 s of the shared bucket, the fleet
// fell to 170/s; instances that cut at different times mixed intervals in
// one bucket.
//
// Local's own controller governs only while Redis is unreachable: the
// fallback (FailOpen) sends at Local's rate, which its 429s then cut from
// its own traffic. While Redis answers, Local is not cut (it would cut
// from a measure it does not have) but holds this instance's copy of the
// fleet's pauses.

// Throttled records a 429 for tenant: a cut of the fleet's rate by the law
// (see ratelimit.Limiter.Throttled), made in Redis from the fleet's
// accepted rate, once for every instance that sees the same 429s (a second
// cut within ratelimit.DecreaseHold changes nothing). With Redis
// unreachable Local is cut instead.
func (r *Limiter) Throttled(tenant string) {
	if r.perInstance {
		r.local.Throttled(tenant)
		return
	}
	if _, ok := r.cut(tenant, 0); !ok {
		r.local.Throttled(tenant)
	}
}

// ThrottleTenant records a 429 of tenant's spent quota (clustered 429s, as
// the client infers them): the cut of Throttled, and, when the fleet's
// successes over the last second or two are too few to measure (the API is
// starved: fewer than 5), a pause until until, shared with the fleet as
// Pause shares it. It reports whether it paused. With Redis unreachable,
// Local decides alone (see ratelimit.Limiter.ThrottleTenant).
func (r *Limiter) ThrottleTenant(tenant string, until time.Time) bool {
	if !r.perInstance {
		if starved, ok := r.cut(tenant, until.Sub(r.clock.Now())); ok {
			if starved {
				r.local.Pause(tenant, until) // the cut script paused the fleet
			}
			return starved
		}
	}
	if !r.local.ThrottleTenant(tenant, until) {
		return false
	}
	r.Pause(tenant, until)
	return true
}

// Succeeded records a success for tenant: counted toward the fleet's
// accepted rate (by this instance's next reservation, without a round trip
// of its own) and toward Local's, for its own controller.
func (r *Limiter) Succeeded(tenant string) {
	r.local.Succeeded(tenant)
	if !r.perInstance {
		r.counted(tenant)
	}
}

// cut runs the cut script for tenant, pausing the fleet for pause when the
// API is starved (pause <= 0: never). ok is false when Redis could not be
// asked.
func (r *Limiter) cut(tenant string, pause time.Duration) (starved, ok bool) {
	now := r.clock.Now()
	if r.down(now) || r.acquire(context.Background()) != nil {
		return false, false
	}
	defer r.release()
	ms := int64(0)
	if pause > 0 {
		ms = int64((pause + time.Millisecond - 1) / time.Millisecond)
	}
	succ := r.takeSucc(tenant)
	interval, tau := r.params(tenant)
	rate, burst, inc := r.lawArgs(tenant)
	law := r.local.Law()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	v, err := r.scripts.cut.Run(ctx, r.client, r.keys(tenant), succ, rate, burst, inc,
		ftoa(law.MinRate), ftoa(law.Decrease), ms,
		strconv.FormatFloat(interval, 'f', 3, 64), strconv.FormatFloat(tau, 'f', 3, 64)).Slice()
	r.result(err)
	if err != nil {
		r.giveBack(tenant, 0, succ)
		return false, false
	}
	if len(v) != 4 {
		return false, false
	}
	s, _ := v[0].(int64)
	return s == 1, true
}

// State is a snapshot of one tenant's adaptive rate.
type State struct {
	// Rate is the current rate, requests per second: the fleet's when
	// Shared, else Local's for this instance.
	Rate float64
	// Burst is the current burst, scaled with Rate.
	Burst int
	// Configured is the tenant's configured fleet rate (Config.Rate or
	// SetTenant).
	Configured float64
	// Estimate is the quota's estimate the last cut measured, while the
	// law keeps it (ratelimit.Law.EstimateTTL, EstimateOff); 0 when none.
	Estimate float64
	// SinceCut is the time since the fleet's last cut; negative when none
	// is stored (never cut, or the state expired: the rate is back to the
	// configured one).
	SinceCut time.Duration
	// Accepted is the fleet's accepted rate, requests per second, over the
	// last one to two seconds, as the instances have reported it (each
	// reports its successes with its next reservation); 0 over a window
	// shorter than a second.
	Accepted float64
	// Paused is the time left of the tenant's shared pause.
	Paused time.Duration
	// Shared is true when the state was read from Redis.
	Shared bool
}

// State reads tenant's adaptive rate from Redis, changing nothing. When
// Redis cannot be asked it returns Local's view of this instance (Shared
// false) and an error wrapping ErrUnavailable.
func (r *Limiter) State(ctx context.Context, tenant string) (State, error) {
	o := r.conf(tenant)
	now := r.clock.Now()
	err := error(nil)
	if !r.down(now) {
		var st State
		if st, err = r.readState(ctx, tenant, o); err == nil {
			return st, nil
		}
	}
	st := State{Rate: o.rate, Burst: o.burst, Configured: o.rate, SinceCut: -1}
	if ls, ok := r.local.State(tenant); ok {
		st.Rate, st.Burst = ls.Rate, ls.Burst
		if p := ls.PausedUntil.Sub(now); p > 0 {
			st.Paused = p
		}
	}
	return st, unavailable(err)
}

func (r *Limiter) readState(ctx context.Context, tenant string, o override) (State, error) {
	if err := r.acquire(ctx); err != nil {
		return State{}, err
	}
	defer r.release()
	rate, burst, inc := r.lawArgs(tenant)
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := r.scripts.state.Run(cctx, r.client, r.keys(tenant), rate, burst, inc).Slice()
	if ctx.Err() == nil {
		r.result(err)
	}
	if err != nil {
		return State{}, err
	}
	if len(v) != 7 {
		return State{}, errBadReply
	}
	f := func(x any) float64 {
		s, _ := x.(string)
		n, _ := strconv.ParseFloat(s, 64)
		return n
	}
	k, _ := v[3].(int64)
	pttl, _ := v[5].(int64)
	b, _ := v[6].(int64)
	st := State{Rate: f(v[0]), Burst: int(b), Configured: o.rate, Estimate: f(v[1]), SinceCut: -1, Shared: true}
	if math.IsInf(o.rate, 1) || r.perInstance {
		st.Rate = o.rate * r.local.RateFactor(tenant)
	}
	if s := f(v[2]); s >= 0 {
		st.SinceCut = time.Duration(s * float64(time.Second))
	}
	if span := f(v[4]); span >= float64(r.local.Law().AcceptWindow.Microseconds()) {
		st.Accepted = float64(k) / span * 1e6
	}
	if pttl > 0 {
		st.Paused = time.Duration(pttl) * time.Millisecond
	}
	return st, nil
}
