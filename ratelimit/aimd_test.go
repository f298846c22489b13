package ratelimit

import (
	"math"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

func TestAIMD(t *testing.T) {
	type step struct {
		advance   time.Duration
		throttled bool // else Succeeded
		times     int  // how many calls at this instant (default 1)
		wantRate  float64
		wantBurst int
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{
			name: "decrease halves, hold-off, floor",
			cfg:  Config{Rate: 100, Burst: 20, MinRate: 10},
			steps: []step{
				{throttled: true, wantRate: 50, wantBurst: 10},
				{throttled: true, times: 5, advance: 999 * time.Millisecond, wantRate: 50, wantBurst: 10}, // within DecreaseHold
				{throttled: true, advance: time.Millisecond, wantRate: 25, wantBurst: 5},
				{throttled: true, advance: time.Second, wantRate: 12.5, wantBurst: 3},
				{throttled: true, advance: time.Second, wantRate: 10, wantBurst: 2}, // floor
				{throttled: true, advance: time.Second, wantRate: 10, wantBurst: 2},
			},
		},
		{
			name: "increase is per second of success, not per call",
			cfg:  Config{Rate: 100, Burst: 20}, // Increase zero: 100/20 = 5 per second
			steps: []step{
				{throttled: true, wantRate: 50, wantBurst: 10},
				{times: 1000, wantRate: 50, wantBurst: 10}, // same instant: no time, no growth
				{advance: time.Second, wantRate: 55, wantBurst: 11},
				{advance: 100 * time.Millisecond, times: 50, wantRate: 55.5, wantBurst: 11},
				{advance: time.Hour, wantRate: 60.5, wantBurst: 12}, // a gap counts for 1s at most
			},
		},
		{
			name: "recovers to exactly the configured rate",
			cfg:  Config{Rate: 100, Burst: 20, Increase: 30},
			steps: []step{
				{throttled: true, wantRate: 50, wantBurst: 10},
				{advance: time.Second, wantRate: 80, wantBurst: 16},
				{advance: time.Second, wantRate: 100, wantBurst: 20},
				{advance: time.Second, wantRate: 100, wantBurst: 20},
			},
		},
		{
			name: "min rate above the configured rate floors at the configured rate",
			cfg:  Config{Rate: 4, Burst: 2, MinRate: 10},
			steps: []step{
				{throttled: true, wantRate: 4, wantBurst: 2},
			},
		},
		{
			name: "custom decrease",
			cfg:  Config{Rate: 100, Burst: 10, Decrease: 0.8},
			steps: []step{
				{throttled: true, wantRate: 80, wantBurst: 8},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.ProcessRate = -1
			l, f := newFake(t, tt.cfg)
			l.Allow("a")
			for i, s := range tt.steps {
				f.Advance(s.advance)
				for range max(1, s.times) {
					if s.throttled {
						l.Throttled("a")
					} else {
						l.Succeeded("a")
					}
				}
				st, _ := l.State("a")
				if !near(st.Rate, s.wantRate) || st.Burst != s.wantBurst {
					t.Fatalf("step %d: rate %v burst %d, want %v and %d", i, st.Rate, st.Burst, s.wantRate, s.wantBurst)
				}
			}
		})
	}
}

// TestAIMDThroughput checks that the AIMD rate is the rate the bucket
// enforces, not just a number in State.
func TestAIMDThroughput(t *testing.T) {
	l, f := newFake(t, Config{Rate: 100, Burst: 10, ProcessRate: -1, Increase: 1e-9})
	countAllows(l, "a")
	l.Throttled("a") // 50/s
	got := 0
	for range 10_000 {
		f.Advance(time.Millisecond)
		got += countAllows(l, "a")
	}
	if got < 495 || got > 505 {
		t.Fatalf("passed %d in 10s after a decrease to 50/s, want 500 ± 5", got)
	}
}

func TestSucceededDoesNotCreate(t *testing.T) {
	l, _ := newFake(t, Config{})
	l.Succeeded("ghost")
	if l.Len() != 0 {
		t.Fatalf("Succeeded created a tenant: Len = %d", l.Len())
	}
	l.Throttled("ghost")
	if st, ok := l.State("ghost"); !ok || st.Rate != DefaultRate/2 {
		t.Fatalf("Throttled on a new tenant: State = %+v, %v; want it live at half rate", st, ok)
	}
}

func TestSetTenantKeepsSlowdown(t *testing.T) {
	l, f := newFake(t, Config{Rate: 100, Burst: 10, ProcessRate: -1})
	l.Throttled("a") // 50
	tests := []struct {
		rate     float64
		wantRate float64
	}{
		{rate: 200, wantRate: 50}, // still slowed, grows toward 200
		{rate: 40, wantRate: 40},  // the new rate is below the slow-down
	}
	for _, tt := range tests {
		l.SetTenant("a", tt.rate, 10)
		st, _ := l.State("a")
		if st.Rate != tt.wantRate || st.Configured != tt.rate {
			t.Errorf("after SetTenant(%v): rate %v configured %v, want %v and %v", tt.rate, st.Rate, st.Configured, tt.wantRate, tt.rate)
		}
	}
	f.Advance(time.Second)
	l.Succeeded("a") // 40 is the configured rate now: nothing to recover
	if st, _ := l.State("a"); st.Rate != 40 {
		t.Errorf("rate %v after Succeeded at the configured rate, want 40", st.Rate)
	}
}

func TestInfiniteRate(t *testing.T) {
	l, f := newFake(t, Config{Rate: math.Inf(1), ProcessRate: -1})
	for i := range 100_000 {
		if !l.Allow("a") {
			t.Fatalf("Allow %d false at an infinite rate", i)
		}
		l.Succeeded("a") // an accepted rate to measure, 10,000/s
		if i%1000 == 0 {
			f.Advance(100 * time.Millisecond)
		}
	}
	l.Throttled("a")
	if st, _ := l.State("a"); !math.IsInf(st.Rate, 1) {
		t.Errorf("rate after Throttled = %v, want +Inf (no adaptation)", st.Rate)
	}
}

// A cut measured on traffic that an API bucket's burst let through whole
// lands above the quota; the 429s that keep coming within DecreaseHold
// then refine it to what the API accepted since the cut (the quota), once
// RefineAfter has passed. Sooner, or when the cut did reach below what is
// accepted, a 429 within the hold changes nothing.
func TestRefineCutThatDidNotHold(t *testing.T) {
	l, f := newFake(t, Config{Rate: 2900, Burst: 290, ProcessRate: -1})
	succeed := func(perSec float64, d time.Duration) {
		every := time.Duration(float64(time.Second) / perSec)
		for end := f.Now().Add(d); f.Now().Before(end); f.Advance(every) {
			l.Allow("a")
			l.Succeeded("a")
		}
	}
	rate := func() float64 { st, _ := l.State("a"); return st.Rate }
	succeed(2900, 2*time.Second) // all accepted: the API's bucket held a burst
	l.Throttled("a")
	first := rate()
	if first < 0.84*2900 || first > 0.86*2900 {
		t.Fatalf("first cut to %.0f/s, want 0.85 × the 2,900/s accepted", first)
	}
	// The API now takes 2,000/s and answers 429 to the rest.
	succeed(2000, refineAfter/2)
	l.Throttled("a")
	if got := rate(); got < first {
		t.Fatalf("a 429 %v after the cut refined it to %.0f/s; want nothing before %v", refineAfter/2, got, refineAfter)
	}
	succeed(2000, 2*refineAfter)
	l.Throttled("a") // the third 429 since the cut, but 3 of ~150 successes
	if got := rate(); got < first {
		t.Fatalf("3 429s against %d successes refined the cut to %.0f/s; want a share of %v", 150, got, refineShare)
	}
	for range 10 { // the API refuses what it cannot take: 465 of 2,465/s
		l.Throttled("a")
	}
	refined := rate()
	if want := 0.85 * 2000; refined < 0.95*want || refined > 1.05*want {
		t.Fatalf("refined to %.0f/s, want 0.85 × the 2,000/s accepted since the cut = %.0f/s", refined, want)
	}
	// At the refined rate everything is accepted: stray 429s past
	// RefineAfter (but within the hold) change nothing.
	succeed(refined, 2*refineAfter)
	for range refineMin429s - 1 {
		l.Throttled("a")
	}
	if got := rate(); got < refined {
		t.Errorf("a 429 at the refined rate cut again to %.0f/s from %.0f/s", got, refined)
	}
}
