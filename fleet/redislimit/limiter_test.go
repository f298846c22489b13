package redislimit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/ratelimit"
	"github.com/redis/go-redis/v9"
)

// These tests run against a real redis-server. Redis's own TIME cannot be
// faked, so they use the real clock and are written for a noisy 2-core
// machine: counts at rates low enough to be exact, or bounds computed from
// the measured elapsed time; pauses long against scheduling jitter.

func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:          addr,
		DialTimeout:   200 * time.Millisecond,
		ReadTimeout:   time.Second, // a loaded machine can stall a reply for 200ms
		WriteTimeout:  time.Second,
		MaxRetries:    -1, // the backend has its own timeout and fallback
		DialerRetries: 1,  // go-redis retries a refused dial 5 times by default
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// newInstance returns a Redis backend as one sender process would have it:
// its own client and its own local limiter.
func newInstance(t *testing.T, addr string, cfg Config) *Limiter {
	t.Helper()
	cfg.Client = newClient(t, addr)
	if cfg.Prefix == "" {
		cfg.Prefix = "test:" + t.Name() + ":"
	}
	if cfg.Timeout == 0 {
		// Generous: a first call dials, says HELLO and loads the script,
		// under -race on a loaded machine. A dead server refuses at once.
		cfg.Timeout = time.Second
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestNewConfig(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no client", Config{}},
		{"negative rate", Config{Client: c, Rate: -1}},
		{"negative burst", Config{Client: c, Burst: -1}},
		{"negative timeout", Config{Client: c, Timeout: -time.Second}},
		{"negative recheck", Config{Client: c, Recheck: -time.Second}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); !errors.Is(err, ratelimit.ErrInvalidConfig) {
			t.Errorf("%s: New = %v, want ratelimit.ErrInvalidConfig", tt.name, err)
		}
	}
	r, err := New(Config{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	if r.timeout != DefaultTimeout || r.recheck != DefaultRecheck || r.prefix != DefaultPrefix || r.Local() == nil {
		t.Errorf("defaults not applied: timeout %v recheck %v prefix %q local %v", r.timeout, r.recheck, r.prefix, r.Local())
	}
	if err := r.SetDefaults(-1, 0); !errors.Is(err, ratelimit.ErrInvalidConfig) {
		t.Errorf("SetDefaults(-1) = %v", err)
	}
}

// TestRedisParamsFollowOverrides: the configured interval and tolerance
// the scripts start from follow SetTenant; Local's adaptive rate lowers
// them only in the old per-instance mode (the fleet's rate lives in Redis).
func TestRedisParamsFollowOverrides(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	r, err := New(Config{Client: c, Rate: 100, Burst: 10})
	if err != nil {
		t.Fatal(err)
	}
	r.SetTenant("big", 1000, 0)
	tests := []struct {
		tenant        string
		throttle      bool
		interval, tau float64
	}{
		{tenant: "a", interval: 10_000, tau: 100_000},
		{tenant: "big", interval: 1000, tau: 100_000},
		{tenant: "slow", throttle: true, interval: 10_000, tau: 100_000}, // the fleet's cut is in Redis
	}
	for _, tt := range tests {
		if tt.throttle {
			r.Throttled(tt.tenant) // Redis is down: Local is cut
		}
		i, tau := r.params(tt.tenant)
		if !near(i, tt.interval) || !near(tau, tt.tau) {
			t.Errorf("%s: interval %v tau %v, want %v and %v", tt.tenant, i, tau, tt.interval, tt.tau)
		}
	}
	r.SetTenant("big", 0, 0)
	if i, _ := r.params("big"); !near(i, 10_000) {
		t.Errorf("after removing the override interval = %v, want the default 10000", i)
	}
	r.perInstance = true
	if i, tau := r.params("slow"); !near(i, 20_000) || !near(tau, 100_000) {
		t.Errorf("per instance: interval %v tau %v, want Local's half rate and half burst: 20000 and 100000", i, tau)
	}
}

// TestRedisSharedQuotaExact: at 1/s with a burst of 3, two instances
// together get exactly the 3 of one bucket, not 3 each.
func TestRedisSharedQuotaExact(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1, Burst: 3, Local: nil}
	a := newInstance(t, srv.Addr, cfg)
	b := newInstance(t, srv.Addr, cfg)
	start := time.Now()
	got := map[string]int{}
	for range 20 {
		if a.Allow("acme") {
			got["a"]++
		}
		if b.Allow("acme") {
			got["b"]++
		}
	}
	elapsed := time.Since(start)
	total := got["a"] + got["b"]
	limit := 3 + int(elapsed.Seconds()) // one more per whole second of a very slow run
	if total < 3 || total > limit {
		t.Fatalf("two instances passed %d (%v) in %v, want 3 (one shared bucket of 3)", total, got, elapsed)
	}
	if !a.Allow("other") {
		t.Error("another tenant was refused: quotas are per tenant")
	}
}

// TestRedisSharedQuotaWait: four senders on two instances wait through one
// quota of 20/s (burst 5) for one second; together they pass about
// 5 + 20, where two separate quotas would pass 50.
func TestRedisSharedQuotaWait(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 20, Burst: 5}
	insts := []*Limiter{newInstance(t, srv.Addr, cfg), newInstance(t, srv.Addr, cfg)}
	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(time.Second))
	defer cancel()
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for i := range 4 {
		r := insts[i%2]
		wg.Go(func() {
			for {
				err := r.Wait(ctx, "acme")
				if err != nil {
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("Wait: %v", err)
					}
					return
				}
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Slots are handed out up to the deadline, never beyond it: at most
	// 5 + 20·1s (+1 for rounding). A slow machine only loses slots.
	if passed > 26 || passed < 12 {
		t.Fatalf("passed %d in 1s through a shared 20/s burst 5 quota, want 12..26 (two separate quotas would give ~50)", passed)
	}
	t.Logf("passed %d", passed)
}

func TestRedisSharedPause(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 1000, Burst: 100}
	a := newInstance(t, srv.Addr, cfg)
	b := newInstance(t, srv.Addr, cfg)
	if err := b.Wait(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.Pause("acme", start.Add(600*time.Millisecond))

	// b never saw the 429; its local limiter knows of no pause.
	if st, _ := b.Local().State("acme"); !st.PausedUntil.IsZero() {
		t.Fatal("b's local limiter is paused: the test would not show sharing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := b.Wait(ctx, "acme")
	var de *ratelimit.DelayError
	if !errors.As(err, &de) || !de.Paused || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("b.Wait during a's pause = %v, want a paused *ratelimit.DelayError", err)
	}
	if de.Delay <= 100*time.Millisecond || de.Delay > 600*time.Millisecond {
		t.Errorf("ratelimit.DelayError.Delay = %v, want within (100ms, 600ms]", de.Delay)
	}
	if b.Allow("acme") {
		t.Error("b.Allow true during a's pause")
	}
	if err := b.Wait(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 550*time.Millisecond {
		t.Errorf("b.Wait returned %v after a 600ms pause began", el)
	}
	// The pause only extends.
	a.Pause("acme", time.Now().Add(-time.Second))
	// Nothing to wait for: a generous deadline (a loaded CI machine can
	// take longer than 100ms for a Redis round trip) still tells it apart
	// from waiting out the pause.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	if err := b.Wait(ctx2, "acme"); err != nil {
		t.Errorf("Wait after a pause in the past = %v, want nil", err)
	}
}

// TestRedisRefundOnCancel: a wait canceled before its slot gives the slot
// back, so the next sender gets it instead of the one after.
func TestRedisRefundOnCancel(t *testing.T) {
	srv := redistest.Start(t)
	cfg := Config{Rate: 2, Burst: 1}
	a := newInstance(t, srv.Addr, cfg)
	b := newInstance(t, srv.Addr, cfg)
	if !a.Allow("acme") {
		t.Fatal("first Allow false")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// The next slot is 500ms away: the wait fails at once, reserving nothing.
	if err := b.Wait(ctx, "acme"); !errors.Is(err, ratelimit.ErrDeadline) {
		t.Fatalf("Wait = %v, want ratelimit.ErrDeadline", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel2)
	if err := b.Wait(ctx2, "acme"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	// Without the refund the next free slot would be 1s after the first.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel3()
	if err := a.Wait(ctx3, "acme"); err != nil {
		t.Fatalf("Wait after a canceled wait = %v, want the canceled slot", err)
	}
}

// waitFor polls cond every 20ms for up to 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRedisFailClosedThenRecovers(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	r := newInstance(t, srv.Addr, Config{Rate: 1000, Burst: 100, Recheck: 50 * time.Millisecond})
	ctx := context.Background()
	if err := r.Wait(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	start := time.Now()
	err := r.Wait(ctx, "acme")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Wait with Redis down = %v, want ErrUnavailable", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("fail-closed Wait took %v", el)
	}
	if r.Available() {
		t.Error("Available() = true right after a failure")
	}
	if err := r.Wait(ctx, "acme"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("second Wait = %v, want ErrUnavailable", err)
	}
	if r.Allow("acme") {
		t.Error("fail-closed Allow true with Redis down")
	}

	srv.Restart(t)
	waitFor(t, "recovery", func() bool { return r.Wait(ctx, "acme") == nil })
	if !r.Available() {
		t.Error("Available() = false after recovery")
	}
	// The restarted Redis (no persistence) holds the tenant's key again:
	// the quota is shared once more, not local.
	c := newClient(t, srv.Addr)
	if n, err := c.Exists(ctx, r.keys("acme")[0]).Result(); err != nil || n != 1 {
		t.Fatalf("tat key after recovery: exists %d, %v", n, err)
	}
}

func TestRedisFailOpenThenRecovers(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	local, err := ratelimit.New(ratelimit.Config{Rate: 5, Burst: 2, ProcessRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := newInstance(t, srv.Addr, Config{Rate: 1000, Burst: 100, FailOpen: true, Local: local, Recheck: 50 * time.Millisecond})
	ctx := context.Background()
	for range 5 { // Redis's quota (burst 100), not Local's (burst 2)
		if err := r.Wait(ctx, "acme"); err != nil {
			t.Fatal(err)
		}
	}
	srv.Kill()
	// Local's bucket now rules: its burst of 2, then 5/s.
	for i := range 2 {
		if err := r.Wait(ctx, "acme"); err != nil {
			t.Fatalf("fail-open Wait %d with Redis down = %v, want nil", i, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := r.Wait(short, "acme"); !errors.Is(err, ratelimit.ErrDeadline) {
		t.Fatalf("third fail-open Wait = %v, want the local limiter's ratelimit.ErrDeadline", err)
	}
	if r.Available() {
		t.Error("Available() = true with Redis down")
	}

	srv.Restart(t)
	c := newClient(t, srv.Addr)
	waitFor(t, "recovery", func() bool {
		if err := r.Wait(ctx, "acme"); err != nil {
			t.Fatalf("fail-open Wait during recovery = %v", err)
		}
		n, _ := c.Exists(ctx, r.keys("acme")[0]).Result()
		return n == 1
	})
	// Back on Redis's quota: far more than Local's 5/s pass at once.
	for i := range 20 {
		if !r.Allow("acme") {
			t.Fatalf("Allow %d false after recovery: still on the local limiter", i)
		}
	}
}

// TestRedisKillMidRun kills Redis under senders that keep waiting, for
// both choices: fail-open senders never fail, fail-closed ones fail only
// with ErrUnavailable; both are back on Redis after the restart.
func TestRedisKillMidRun(t *testing.T) {
	for _, failOpen := range []bool{true, false} {
		name := "fail-closed"
		if failOpen {
			name = "fail-open"
		}
		t.Run(name, func(t *testing.T) {
			srv := redistest.Start(t)
			if srv.External() {
				t.Fatal("this test kills Redis: unset REDIS_ADDR")
			}
			r := newInstance(t, srv.Addr, Config{Rate: 2000, Burst: 100, FailOpen: failOpen, Recheck: 20 * time.Millisecond})
			var (
				mu              sync.Mutex
				ok, unavailable int
				phase           = "before"
				okAfter         int
				stop            = make(chan struct{})
				wg              sync.WaitGroup
			)
			for range 4 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
						err := r.Wait(ctx, "acme")
						cancel()
						mu.Lock()
						switch {
						case err == nil:
							ok++
							if phase == "after" {
								okAfter++
							}
						case errors.Is(err, ErrUnavailable):
							unavailable++
						default:
							t.Errorf("Wait = %v", err)
						}
						mu.Unlock()
						time.Sleep(time.Millisecond)
					}
				})
			}
			time.Sleep(100 * time.Millisecond)
			srv.Kill()
			time.Sleep(200 * time.Millisecond)
			srv.Restart(t)
			c := newClient(t, srv.Addr)
			waitFor(t, "the tenant's key in the restarted Redis", func() bool {
				n, _ := c.Exists(context.Background(), r.keys("acme")[0]).Result()
				return n == 1
			})
			mu.Lock()
			phase = "after"
			mu.Unlock()
			waitFor(t, "successes after recovery", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return okAfter >= 10
			})
			close(stop)
			wg.Wait()
			t.Logf("ok %d, unavailable %d", ok, unavailable)
			if failOpen && unavailable != 0 {
				t.Errorf("fail-open senders got %d ErrUnavailable", unavailable)
			}
			if !failOpen && unavailable == 0 {
				t.Error("fail-closed senders never saw ErrUnavailable while Redis was down")
			}
		})
	}
}

// TestRedisPauseRequeuesWaiters: nine senders hold slots of a 50/s burst 1
// quota (20ms apart) when a 429 pauses the tenant for 300ms and halves its
// rate. After the pause they must leave one by one, 40ms apart, not all at
// the pause's end with the slots they reserved before it.
func TestRedisPauseRequeuesWaiters(t *testing.T) {
	srv := redistest.Start(t)
	// 20/s: slots 50ms apart; the cut below halves the rate.
	r := newInstance(t, srv.Addr, Config{Rate: 20, Burst: 1})
	if err := r.Wait(context.Background(), "acme"); err != nil { // warm up: dial, load the script
		t.Fatal(err)
	}
	tat0 := tatOf(t, r, "acme")
	const senders = 9
	left := make(chan time.Time, senders)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			if err := r.Wait(context.Background(), "acme"); err != nil {
				t.Error(err)
			}
			left <- time.Now()
		})
	}
	// All have reserved (the first slot is 50ms after the warm-up, the
	// last 450ms) before the pause: wait until the bucket's tat moved on
	// by nine slots, rather than for a fixed time that a loaded machine
	// under -race can overrun.
	for deadline := time.Now().Add(5 * time.Second); tatOf(t, r, "acme") < tat0+senders*50_000-1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the senders did not reserve within 5s")
		}
	}
	end := time.Now().Add(300 * time.Millisecond)
	r.Pause("acme", end)
	r.Throttled("acme") // 10/s: 100ms apart
	wg.Wait()
	close(left)
	var at []time.Duration // after the pause's end
	for tm := range left {
		at = append(at, tm.Sub(end))
	}
	slices.Sort(at)
	// A late wake-up only delays a sender; it cannot bring two closer than
	// their slots. So: none before the pause's end, at most one within 50ms
	// of it, and the last one at least 8 slots after it: 8 × 50ms at the
	// rate before the cut (the senders that re-reserve before the cut
	// script ran keep its spacing; the rest are 100ms apart).
	if at[0] < -5*time.Millisecond {
		t.Fatalf("a sender left %v before the pause ended; all: %v", -at[0], at)
	}
	early := 0
	for _, d := range at {
		if d < 50*time.Millisecond {
			early++
		}
	}
	if early > 1 {
		t.Errorf("%d senders left within 50ms of the pause's end, want 1 (spaced 100ms apart); all: %v", early, at)
	}
	if last := at[len(at)-1]; last < 8*50*time.Millisecond-25*time.Millisecond {
		t.Errorf("last sender left %v after the pause, want at least %v (8 slots of 50ms); all: %v", last, 8*50*time.Millisecond, at)
	}
}

// TestFailOpenGrantsChargedAfterRecovery: requests let go on the local
// fallback while Redis was down are counted and, once Redis answers again,
// charged to the fleet's quota, so the fleet does not get them for free.
func TestFailOpenGrantsChargedAfterRecovery(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	local, err := ratelimit.New(ratelimit.Config{Rate: 1000, Burst: 100, ProcessRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	const recheck = 50 * time.Millisecond
	r := newInstance(t, srv.Addr, Config{Rate: 10, Burst: 10, FailOpen: true, Local: local, Recheck: recheck})
	ctx := context.Background()
	srv.Kill()
	for i := range 5 {
		if err := r.Wait(ctx, "acme"); err != nil {
			t.Fatalf("fail-open Wait %d = %v", i, err)
		}
	}
	if got := r.FailOpenGrants(); got != 5 {
		t.Fatalf("FailOpenGrants() = %d, want 5", got)
	}
	srv.Restart(t)
	time.Sleep(2 * recheck)
	if err := r.Wait(ctx, "acme"); err != nil { // reaches Redis, pays the debt
		t.Fatal(err)
	}
	if !r.Available() {
		t.Fatal("Redis not in use after the restart")
	}
	// Burst 10: one slot taken and 5 owed leave about 4 (9 without the debt).
	n := 0
	for r.Allow("acme") && n < 20 {
		n++
	}
	if n < 3 || n > 5 {
		t.Errorf("after recovery %d requests passed at once, want about 4 (10 burst - 1 - 5 owed)", n)
	}
	if got := r.FailOpenGrants(); got != 5 {
		t.Errorf("FailOpenGrants() = %d after recovery, want still 5", got)
	}
}

// tatOf returns tenant's theoretical arrival time in Redis (µs since
// the scripts' epoch), 0 when there is none.
func tatOf(t *testing.T, r *Limiter, tenant string) float64 {
	t.Helper()
	v, err := r.client.Get(context.Background(), r.keys(tenant)[0]).Float64()
	if err != nil && err != redis.Nil {
		t.Fatalf("reading the tat: %v", err)
	}
	return v
}
