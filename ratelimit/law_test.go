package ratelimit

import (
	"math"
	"testing"
	"time"
)

// Law reports the numbers the Limiter applies: its Config's, following
// Reconfigure, and the cut and growth constants that Throttled and
// Succeeded use.
func TestLawIsWhatTheLimiterApplies(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1000, Burst: 100, ProcessRate: -1, MinRate: 3, Decrease: 0.4, Increase: 7})
	law := l.Law()
	if law.MinRate != 3 || law.Decrease != 0.4 || law.Increase != 7 {
		t.Fatalf("Law() config part = %v %v %v, want 3 0.4 7", law.MinRate, law.Decrease, law.Increase)
	}
	if law.DecreaseHold != DecreaseHold || law.AcceptWindow != time.Second || law.MinAccepted != minAccepted {
		t.Errorf("Law() hold %v window %v min accepted %d", law.DecreaseHold, law.AcceptWindow, law.MinAccepted)
	}

	// An unmeasured cut: rate × Decrease.
	l.Allow("b")
	l.Throttled("b")
	if st, _ := l.State("b"); !near(st.Rate, 1000*law.Decrease) {
		t.Errorf("unmeasured cut to %v, want 1000 × Law().Decrease = %v", st.Rate, 1000*law.Decrease)
	}
	// A measured one: MeasuredDecrease × the accepted rate; then the
	// regain at RegainGrowth × the estimate per second.
	sendAt(t, l, f, 500, 2*time.Second)
	l.Throttled("a")
	if r := rateOf(t, l); math.Abs(r-law.MeasuredDecrease*500) > 5 {
		t.Errorf("measured cut to %v, want Law().MeasuredDecrease × 500 = %v", r, law.MeasuredDecrease*500)
	}
	sendAt(t, l, f, 500, 200*time.Millisecond)
	if r, want := rateOf(t, l), law.MeasuredDecrease*500+0.2*law.RegainGrowth*500; math.Abs(r-want) > 3 {
		t.Errorf("200ms after the cut: %v, want %v (Law().RegainGrowth × estimate per second)", r, want)
	}

	if err := l.Reconfigure(Config{Rate: 1000, Burst: 100, ProcessRate: -1}); err != nil {
		t.Fatal(err)
	}
	if law := l.Law(); law.MinRate != DefaultMinRate || law.Decrease != DefaultDecrease || law.Increase != 0 {
		t.Errorf("after Reconfigure Law() = %v %v %v, want the defaults", law.MinRate, law.Decrease, law.Increase)
	}
}
