package ratelimit

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

// stormServer is a fake API on fake time that takes rate requests per
// second per tenant (a token bucket of burst), answering the others with
// 429 and a Retry-After of the time to its next token, rounded up to whole
// seconds and at least 1s, as the emulator does.
type stormServer struct {
	mu       sync.Mutex
	rate     float64
	burst    float64
	tokens   float64
	last     time.Time
	accepted int
	rejected int
}

func (s *stormServer) send(now time.Time) (ok bool, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = math.Min(s.burst, s.tokens+now.Sub(s.last).Seconds()*s.rate)
	s.last = now
	if s.tokens >= 1 {
		s.tokens--
		s.accepted++
		return true, 0
	}
	s.rejected++
	secs := math.Max(1, math.Ceil((1-s.tokens)/s.rate))
	return false, time.Duration(secs) * time.Second
}

// settle waits until every one of n goroutines is either asleep on f or
// has finished (done of them), so the fake time may move on.
func settle(t *testing.T, f *clock.Fake, n int, done *atomic.Int32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.Pending()+int(done.Load()) != n {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines did not settle: %d timers pending, %d of %d done", f.Pending(), done.Load(), n)
		}
		time.Sleep(20 * time.Microsecond)
	}
}

type stormResult struct {
	wall     time.Duration
	rejected int
	rate     float64 // the tenant's rate at the end
}

// runStorm sends messages through l with senders goroutines against a
// stormServer of rate/burst on fake time, as the client does: Wait, send,
// then Succeeded, or Pause(Retry-After) and Throttled and try again.
func runStorm(t *testing.T, l *Limiter, f *clock.Fake, senders, messages int, rate, burst float64, step time.Duration) stormResult {
	t.Helper()
	start := f.Now()
	srv := &stormServer{rate: rate, burst: burst, tokens: burst, last: start}
	var left atomic.Int32
	left.Store(int32(messages))
	var done atomic.Int32
	for range senders {
		go func() {
			defer done.Add(1)
			for left.Add(-1) >= 0 {
				for {
					if err := l.Wait(context.Background(), "acme"); err != nil {
						t.Error(err)
						return
					}
					now := f.Now()
					ok, ra := srv.send(now)
					if ok {
						l.Succeeded("acme")
						break
					}
					l.Pause("acme", now.Add(ra))
					l.Throttled("acme")
				}
			}
		}()
	}
	for int(done.Load()) != senders {
		settle(t, f, senders, &done)
		if int(done.Load()) == senders {
			break
		}
		if f.Now().Sub(start) > 5*time.Minute {
			t.Fatalf("storm did not finish in 5 minutes of fake time")
		}
		f.Advance(step)
	}
	st, _ := l.State("acme")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return stormResult{wall: f.Now().Sub(start), rejected: srv.rejected, rate: st.Rate}
}

// TestStormConverges reproduces the 429 storm of bench/cmd/compare on fake
// time: 32 senders, 150 messages, a limiter at the default 1,700/s burst
// 170 against an API that takes 25/s (burst 5) and answers the rest with
// 429 and Retry-After >= 1s. Before waiters were re-queued after a pause
// and the decrease used the accepted rate, this took 27s of fake time and
// drew about 200 429s (every pause ended in a burst, and the rate came down
// by half once a second from 1,700/s).
func TestStormConverges(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1700, Burst: 170, ProcessRate: -1})
	r := runStorm(t, l, f, 32, 150, 25, 5, time.Millisecond)
	t.Logf("150 messages in %v of fake time, %d 429s, rate %.1f/s at the end", r.wall, r.rejected, r.rate)
	// 150 at 25/s is 6s; each 429 costs a pause of at least 1s.
	if r.wall > 16*time.Second {
		t.Errorf("storm took %v, want at most 16s (25/s would take 6s)", r.wall)
	}
	if r.rejected > 20 {
		t.Errorf("storm drew %d 429s, want at most 20", r.rejected)
	}
}

// TestPauseRequeuesWaiters: 50 senders hold reservations of a drained
// 1,700/s bucket when a 429 pauses the tenant for 1s and halves its rate.
// After the pause they must leave one by one at the new 850/s, not all at
// the pause's end with the tokens they reserved before it.
func TestPauseRequeuesWaiters(t *testing.T) {
	const (
		senders = 50
		step    = 100 * time.Microsecond
	)
	l, f := newFake(t, Config{Rate: 1700, Burst: 170, ProcessRate: -1})
	start := f.Now()
	if n := countAllows(l, "a"); n != 170 {
		t.Fatalf("drained %d tokens, want 170", n)
	}
	var done atomic.Int32
	left := make(chan time.Time, senders)
	for range senders {
		go func() {
			defer done.Add(1)
			if err := l.Wait(context.Background(), "a"); err != nil {
				t.Error(err)
			}
			left <- f.Now()
		}()
	}
	f.AwaitTimers(t, senders) // each holds a token up to 30ms ahead
	end := start.Add(time.Second)
	l.Pause("a", end)
	l.Throttled("a")
	if st, _ := l.State("a"); st.Rate != 850 {
		t.Fatalf("rate after Throttled = %v, want 850 (a tenant younger than 1s has no accepted rate yet)", st.Rate)
	}
	for int(done.Load()) < senders {
		settle(t, f, senders, &done)
		if f.Now().Sub(start) > 3*time.Second {
			t.Fatalf("%d of %d senders left within 3s", done.Load(), senders)
		}
		f.Advance(step)
	}
	var at []time.Duration // after the pause's end
	for range senders {
		at = append(at, recv(t, left).Sub(end))
	}
	slices.Sort(at)
	interval := time.Second / 850
	for i, d := range at {
		// Sender i leaves at i/850s after the pause, seen at the next step.
		lo, hi := time.Duration(i)*interval, time.Duration(i)*interval+step
		if d < lo || d > hi {
			t.Fatalf("sender %d left %v after the pause ended, want within [%v, %v] (850/s from the pause end); all: %v", i, d, lo, hi, at)
		}
	}
}

// TestThrottledToAcceptedRate: a 429 brings the rate down to 85% of the
// rate the API has been accepting over the last one to two seconds, above
// or below rate × Decrease, when there is enough of it to measure;
// otherwise to rate × Decrease.
func TestThrottledToAcceptedRate(t *testing.T) {
	type phase struct {
		accepted float64 // successes per second; 0 = idle
		lasting  time.Duration
	}
	tests := []struct {
		name   string
		cfg    Config
		phases []phase
		want   float64 // rate after one Throttled
	}{
		{name: "storm: 25/s accepted at 1,700/s", phases: []phase{{25, 2 * time.Second}}, want: 25 * 0.85},
		{name: "over the last 1-2s only", phases: []phase{{400, 5 * time.Second}, {25, 2 * time.Second}}, want: 25 * 0.85},
		{name: "accepted above rate × Decrease", phases: []phase{{1200, 2 * time.Second}}, want: 1200 * 0.85},
		{name: "tenant younger than 1s", phases: []phase{{25, 900 * time.Millisecond}}, want: 850},
		{name: "fewer than 5 successes", phases: []phase{{2, 2 * time.Second}}, want: 850},
		{name: "window gone stale", phases: []phase{{25, 2 * time.Second}, {0, 3 * time.Second}}, want: 850},
		{name: "not below MinRate", cfg: Config{MinRate: 40}, phases: []phase{{25, 2 * time.Second}}, want: 40},
		{name: "custom decrease", cfg: Config{Rate: 100, Burst: 10, Decrease: 0.9}, phases: []phase{{50, 2 * time.Second}, {0, 3 * time.Second}}, want: 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.ProcessRate = -1
			if tt.cfg.Rate == 0 {
				tt.cfg.Rate, tt.cfg.Burst = 1700, 170
			}
			l, f := newFake(t, tt.cfg)
			for _, p := range tt.phases {
				if p.accepted == 0 {
					f.Advance(p.lasting)
					continue
				}
				every := time.Duration(float64(time.Second) / p.accepted)
				for end := f.Now().Add(p.lasting); f.Now().Before(end); f.Advance(every) {
					if !l.Allow("a") {
						t.Fatal("Allow false below the rate")
					}
					l.Succeeded("a")
				}
			}
			l.Throttled("a")
			st, _ := l.State("a")
			if math.Abs(st.Rate-tt.want) > 0.02*tt.want {
				t.Fatalf("rate after one Throttled = %v, want %v", st.Rate, tt.want)
			}
		})
	}
}

// TestIncreaseSkipsPause: time spent paused earns no AIMD increase; growth
// resumes at the pause's end.
func TestIncreaseSkipsPause(t *testing.T) {
	l, f := newFake(t, Config{Rate: 100, Burst: 10, ProcessRate: -1}) // Increase 5/s per second
	l.Throttled("a")                                                  // 50
	l.Pause("a", f.Now().Add(5*time.Second))
	steps := []struct {
		advance time.Duration
		want    float64
	}{
		{advance: time.Second, want: 50},              // a success during the pause
		{advance: 4 * time.Second, want: 50},          // at the pause's end: nothing earned
		{advance: 500 * time.Millisecond, want: 52.5}, // half a second of sending
		{advance: time.Second, want: 57.5},
	}
	for i, s := range steps {
		f.Advance(s.advance)
		l.Succeeded("a")
		if st, _ := l.State("a"); !near(st.Rate, s.want) {
			t.Fatalf("step %d: rate %v, want %v", i, st.Rate, s.want)
		}
	}
}
