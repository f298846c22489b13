package ratelimit

import (
	"math"
	"testing"
	"time"
)

// sendAt makes n allowed, successful sends of tenant "a" spread evenly
// over d.
func sendAt(t *testing.T, l *Limiter, f interface{ Advance(time.Duration) }, perSec float64, d time.Duration) {
	t.Helper()
	every := time.Duration(float64(time.Second) / perSec)
	for i := 0; time.Duration(i)*every < d; i++ {
		l.Allow("a")
		l.Succeeded("a")
		f.Advance(every)
	}
}

func rateOf(t *testing.T, l *Limiter) float64 {
	t.Helper()
	st, ok := l.State("a")
	if !ok {
		t.Fatal("tenant a is not live")
	}
	return st.Rate
}

// After a measured cut the rate regains the quota's estimate within about
// a second, then creeps past it by 2% of it per second, not by Increase
// (5% of the configured rate per second).
func TestGrowthNearQuota(t *testing.T) {
	l, f := newFake(t, Config{Rate: 2900, Burst: 290, ProcessRate: -1})
	sendAt(t, l, f, 2000, 2*time.Second)
	l.Throttled("a")
	if r := rateOf(t, l); math.Abs(r-0.85*2000) > 40 {
		t.Fatalf("after the cut: %v, want about %v", r, 0.85*2000)
	}
	sendAt(t, l, f, 2000, time.Second)
	r1 := rateOf(t, l)
	if r1 < 0.97*2000 || r1 > 2000*1.02 {
		t.Fatalf("a second after the cut: %v, want back near the 2000 estimate", r1)
	}
	sendAt(t, l, f, 2000, 2*time.Second)
	r3 := rateOf(t, l)
	// 2% of 2000 per second, a little more as it starts doubling (10s):
	// about +80 in 2s, where Increase (145/s) would add 290.
	if grew := r3 - r1; grew < 50 || grew > 130 {
		t.Errorf("grew %v in 2s past the estimate, want about 2%%/s (80)", grew)
	}
}

// ThrottleTenant cuts the rate and pauses only when the API is starved:
// it accepted fewer than 5 of the tenant's requests lately.
func TestThrottleTenantPausesOnlyStarved(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1000, Burst: 100, ProcessRate: -1})
	sendAt(t, l, f, 500, 2*time.Second)
	if l.ThrottleTenant("a", f.Now().Add(time.Second)) {
		t.Error("paused although 500/s were accepted")
	}
	if l.Paused("a") {
		t.Error("Paused reports a pause")
	}
	if r := rateOf(t, l); math.Abs(r-0.85*500) > 10 {
		t.Errorf("rate %v, want about %v", r, 0.85*500)
	}

	l2, f2 := newFake(t, Config{Rate: 1000, Burst: 100, ProcessRate: -1})
	l2.Allow("a") // live, nothing accepted
	if !l2.ThrottleTenant("a", f2.Now().Add(time.Second)) || !l2.Paused("a") {
		t.Error("not paused although nothing was accepted")
	}
	if r := rateOf(t, l2); r != 500 {
		t.Errorf("rate %v, want 1000 x Decrease", r)
	}
}
