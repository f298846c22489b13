package redislimit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/ratelimit"
)

// These tests run the fleet's adaptive rate on Redis time, so they assert
// on the state read back from Redis (State), with bounds computed from the
// times it reports, not on how long things took.

// drive makes each instance send about perSec successful requests a second
// for d, and returns how many each sent and the time it took.
func drive(t *testing.T, insts []*Limiter, perSec float64, d time.Duration) ([]int, time.Duration) {
	t.Helper()
	counts := make([]int, len(insts))
	start := time.Now()
	every := time.Duration(float64(time.Second) / perSec)
	var wg sync.WaitGroup
	for i, r := range insts {
		wg.Go(func() {
			for next := start; time.Since(start) < d; next = next.Add(every) {
				if err := r.Wait(context.Background(), "acme"); err != nil {
					t.Error(err)
					return
				}
				r.Succeeded("acme")
				counts[i]++
				time.Sleep(time.Until(next.Add(every)))
			}
		})
	}
	wg.Wait()
	return counts, time.Since(start)
}

func state(t *testing.T, r *Limiter) State {
	t.Helper()
	st, err := r.State(context.Background(), "acme")
	if err != nil || !st.Shared {
		t.Fatalf("State = %+v, %v; want it read from Redis", st, err)
	}
	return st
}

// TestFleetCutIsEveryInstancesRate: two instances send half each; one
// sees the cluster of 429s. The cut is measured on the fleet's successes
// (both instances'), and it is the rate of both: the other instance reads
// it back and its reservations follow it (the burst scaled with it).
func TestFleetCutIsEveryInstancesRate(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a, b := newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)
	counts, elapsed := drive(t, []*Limiter{a, b}, 100, 1300*time.Millisecond)
	if err := b.Wait(context.Background(), "acme"); err != nil { // b reports its last successes
		t.Fatal(err)
	}
	each := float64(max(counts[0], counts[1])) / elapsed.Seconds()
	fleet := float64(counts[0]+counts[1]) / elapsed.Seconds()
	before := state(t, b)
	before0 := time.Now()
	if a.ThrottleTenant("acme", time.Now().Add(time.Second)) {
		t.Error("ThrottleTenant paused although the fleet's successes were measured")
	}
	sa, sb := state(t, a), state(t, b)
	t.Logf("sent %v in %v (fleet %.0f/s); accepted before the cut %.0f/s; after: a %+v, b %+v", counts, elapsed, fleet, before.Accepted, sa, sb)
	if sb.Estimate < 1.4*each || sb.Estimate < 0.6*fleet || sb.Estimate > 1.3*fleet {
		t.Errorf("estimate %.0f/s, want about the fleet's accepted %.0f/s, not one instance's %.0f/s", sb.Estimate, fleet, each)
	}
	if sb.SinceCut < 0 || sb.SinceCut > time.Second {
		t.Errorf("b: since the cut %v, want the cut a just made", sb.SinceCut)
	}
	law := a.Local().Law()
	if want := law.MeasuredDecrease * sb.Estimate; sb.Rate < 0.99*want || sb.Rate > want+law.RegainGrowth*sb.Estimate*sb.SinceCut.Seconds()+1 {
		t.Errorf("b's rate %.1f/s, want %.2f × the estimate %.1f (plus its regain since)", sb.Rate, law.MeasuredDecrease, sb.Estimate)
	}
	if d := sa.Rate - sb.Rate; d > 0.05*sb.Rate || d < -0.05*sb.Rate {
		t.Errorf("a's rate %.1f/s, b's %.1f/s: want one fleet rate", sa.Rate, sb.Rate)
	}
	if sb.Paused != 0 {
		t.Errorf("paused for %v after a measured cut", sb.Paused)
	}
	if wantBurst := max(1, int(100*sb.Rate/1000+0.5)); sb.Burst < wantBurst-1 || sb.Burst > wantBurst+1 {
		t.Errorf("burst %d, want the configured 100 scaled to the rate: %d", sb.Burst, wantBurst)
	}
	// b's reservations: its bucket was full (200/s against 1000/s), and
	// the cut emptied it but for one token, as the local cut does: tokens
	// saved up by slow senders would go out together into the API's
	// drained bucket. Then it refills at the cut rate.
	start := time.Now()
	n := 0
	for n < 100 && b.Allow("acme") {
		n++
	}
	refill := (time.Since(start)+time.Since(before0)).Seconds()*sb.Rate + 2
	if n < 1 || float64(n) > 1+refill {
		t.Errorf("b passed %d at once after the cut, want 1 (+%.0f refilled), not the saved-up burst (%d)", n, refill, sb.Burst)
	}
}

// TestFleetCutOnce: two instances that see the same cluster of 429s cut
// the fleet's rate once; after DecreaseHold a new cluster cuts again.
func TestFleetCutOnce(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a, b := newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)
	if !a.Allow("acme") || !b.Allow("acme") {
		t.Fatal("Allow false on a fresh tenant")
	}
	a.Throttled("acme") // nothing accepted yet: rate × Decrease
	s1 := state(t, b)
	b.Throttled("acme")
	s2 := state(t, a)
	t.Logf("after a's cut %+v; after b's %+v", s1, s2)
	if s1.Rate < 499 || s1.Rate > 520 {
		t.Fatalf("after one cut the fleet's rate is %.1f/s, want 1000 × Decrease (0.5), plus growth", s1.Rate)
	}
	if s2.Rate < s1.Rate || s2.SinceCut < s1.SinceCut {
		t.Errorf("b's 429 within DecreaseHold cut again: %.1f/s %v after %.1f/s %v", s2.Rate, s2.SinceCut, s1.Rate, s1.SinceCut)
	}
	waitFor(t, "DecreaseHold to pass", func() bool {
		return state(t, a).SinceCut > ratelimit.DecreaseHold+50*time.Millisecond
	})
	prev := state(t, b)
	b.Throttled("acme")
	s3 := state(t, b)
	if s3.Rate > 0.55*prev.Rate || s3.SinceCut > prev.SinceCut {
		t.Errorf("a 429 after DecreaseHold: %.1f/s (since %v), want half of %.1f/s", s3.Rate, s3.SinceCut, prev.Rate)
	}
}

// TestFleetGrowsBackToEstimate: after a measured cut the fleet's rate
// regains the estimate at RegainGrowth of it per second and then creeps
// past it, on Redis time, with no instance doing anything.
func TestFleetGrowsBackToEstimate(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a, b := newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)
	drive(t, []*Limiter{a, b}, 100, 1300*time.Millisecond)
	b.Throttled("acme")
	cut := state(t, a)
	est := cut.Estimate
	law := a.Local().Law()
	if est <= 0 || cut.Rate > law.MeasuredDecrease*est+law.RegainGrowth*est*cut.SinceCut.Seconds()+1 {
		t.Fatalf("after the cut %+v, want a measured estimate and %.2f of it", cut, law.MeasuredDecrease)
	}
	regain := time.Duration((law.NearQuota - law.MeasuredDecrease) / law.RegainGrowth * float64(time.Second))
	time.Sleep(regain + 200*time.Millisecond)
	st := state(t, a)
	t.Logf("cut %+v; later %+v", cut, st)
	if st.SinceCut < regain || st.SinceCut > 10*time.Second {
		t.Fatalf("since the cut %v", st.SinceCut)
	}
	// Past the regain: at least NearQuota of the estimate, at most that
	// plus the probe's growth (NearQuotaGrowth of it per second, doubling
	// every 10 s: under 3% a second within 10 s).
	lo, hi := law.NearQuota*est-1, law.NearQuota*est+0.03*est*st.SinceCut.Seconds()+1
	if st.Rate < lo || st.Rate > hi {
		t.Errorf("%v after the cut the rate is %.1f/s, want within [%.1f, %.1f] (estimate %.1f)", st.SinceCut, st.Rate, lo, hi, est)
	}
	if st.Estimate != est {
		t.Errorf("estimate %v, want it kept: %v", st.Estimate, est)
	}
}

// TestFleetStateExpires: the cut's state has a TTL, long enough for the
// law to bring the rate back to the configured one (EstimateTTL, then
// Increase from the cut rate); when it expires the estimate is forgotten
// and the configured rate and burst are back.
func TestFleetStateExpires(t *testing.T) {
	srv := redistest.Start(t)
	a := newInstance(t, srv.Addr, Config{Rate: 1000, Burst: 100})
	drive(t, []*Limiter{a}, 100, 1300*time.Millisecond)
	a.Throttled("acme")
	st := state(t, a)
	if st.Estimate <= 0 {
		t.Fatalf("no estimate after a measured cut: %+v", st)
	}
	c := newClient(t, srv.Addr)
	ctx := context.Background()
	keys := a.keys("acme")
	law := a.Local().Law()
	ttl, err := c.PTTL(ctx, keys[3]).Result()
	if err != nil {
		t.Fatal(err)
	}
	back := time.Duration((1000 - st.Rate) / (1000.0 / 20) * float64(time.Second)) // Increase 0: rate/20
	if lo, hi := law.EstimateTTL+back-time.Second, law.EstimateTTL+back+2*time.Second; ttl < lo || ttl > hi {
		t.Errorf("the cut's TTL is %v, want about EstimateTTL + %v to grow back: [%v, %v]", ttl, back, lo, hi)
	}
	if ttl, err := c.PTTL(ctx, keys[2]).Result(); err != nil || ttl <= 0 || ttl > law.EstimateTTL {
		t.Errorf("the accepted count's TTL is %v (%v), want at most EstimateTTL", ttl, err)
	}
	if err := c.PExpire(ctx, keys[3], time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	st = state(t, a)
	if st.Estimate != 0 || st.SinceCut >= 0 || st.Rate != 1000 || st.Burst != 100 {
		t.Errorf("after the TTL: %+v, want no estimate, no cut, the configured 1000/s and burst 100", st)
	}
}

// TestFleetStarvedPauses: a cluster of 429s while the fleet got almost
// nothing accepted pauses every instance, as the local limiter would.
func TestFleetStarvedPauses(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a, b := newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)
	if !b.Allow("acme") {
		t.Fatal("Allow false")
	}
	if !a.ThrottleTenant("acme", time.Now().Add(2*time.Second)) {
		t.Fatal("ThrottleTenant did not pause a starved tenant")
	}
	st := state(t, b)
	if st.Paused < time.Second || st.Paused > 2*time.Second {
		t.Errorf("b sees a pause of %v, want up to 2s", st.Paused)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var de *ratelimit.DelayError
	if err := b.Wait(ctx, "acme"); !errors.As(err, &de) || !de.Paused {
		t.Errorf("b.Wait during the pause = %v, want a paused *ratelimit.DelayError", err)
	}
}

// TestFleetRedisDownLocalController: with Redis unreachable the local
// controller decides alone: a starved tenant is cut and paused in Local,
// and State reports Local's view with ErrUnavailable.
func TestFleetRedisDownLocalController(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	local, err := ratelimit.New(ratelimit.Config{Rate: 200, Burst: 20, ProcessRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := newInstance(t, srv.Addr, Config{Rate: 1000, Burst: 100, FailOpen: true, Local: local, Recheck: time.Minute})
	if err := r.Wait(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if err := r.Wait(context.Background(), "acme"); err != nil { // fails over to Local
		t.Fatal(err)
	}
	if r.Available() {
		t.Fatal("Redis still counted as available")
	}
	if !r.ThrottleTenant("acme", time.Now().Add(time.Second)) {
		t.Error("ThrottleTenant did not pause: Local accepted nothing")
	}
	ls, _ := local.State("acme")
	if ls.Rate != 100 || ls.PausedUntil.IsZero() {
		t.Errorf("Local after the 429s: %+v, want 200 × Decrease and paused", ls)
	}
	st, err := r.State(context.Background(), "acme")
	if !errors.Is(err, ErrUnavailable) || st.Shared || st.Rate != 100 || st.Burst != 10 || st.Paused <= 0 {
		t.Errorf("State with Redis down = %+v, %v; want Local's 100/s, burst 10, paused, and ErrUnavailable", st, err)
	}
}

// TestFleetRefinesACutThatDidNotHold: a cut measured on traffic the API
// took whole lands above what it takes once 429s begin; a 429 within
// DecreaseHold, after RefineAfter, brings the fleet's estimate to what the
// fleet got accepted since the cut and its rate to MeasuredDecrease of it,
// as the local law does (ratelimit's TestRefineCutThatDidNotHold).
func TestFleetRefinesACutThatDidNotHold(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a, b := newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)
	drive(t, []*Limiter{a, b}, 400, 1300*time.Millisecond)
	if err := b.Wait(context.Background(), "acme"); err != nil { // b reports its last successes
		t.Fatal(err)
	}
	a.Throttled("acme")
	cut := state(t, a)
	law := a.Local().Law()
	// The API now takes about 500/s of the fleet's 800/s.
	counts, elapsed := drive(t, []*Limiter{a, b}, 250, 3*law.RefineAfter+100*time.Millisecond)
	if err := a.Wait(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	taken := float64(counts[0]+counts[1]) / elapsed.Seconds()
	for range max(law.RefineMin429s, int(law.RefineShare*taken*elapsed.Seconds())+2) { // the 429s of a cut that did not hold
		b.Throttled("acme")
	}
	got := state(t, a)
	t.Logf("cut %+v; fleet took %.0f/s since; after b's 429: %+v", cut, taken, got)
	if got.SinceCut >= cut.SinceCut+elapsed/2 {
		t.Fatalf("b's 429s %v after the cut did not refine it: %+v", cut.SinceCut+elapsed, got)
	}
	if got.Estimate < 0.8*taken || got.Estimate > 1.25*taken || got.Estimate > cut.Estimate {
		t.Errorf("refined estimate %.0f/s, want about the %.0f/s accepted since the cut (at most the cut's %.0f/s)", got.Estimate, taken, cut.Estimate)
	}
	if want := law.MeasuredDecrease * got.Estimate; got.Rate < 0.99*want || got.Rate > want+law.RegainGrowth*got.Estimate*got.SinceCut.Seconds()+1 {
		t.Errorf("refined rate %.1f/s, want %.2f × the estimate %.1f", got.Rate, law.MeasuredDecrease, got.Estimate)
	}
}
