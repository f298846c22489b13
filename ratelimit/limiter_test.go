package ratelimit

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

// newFake returns a Limiter on a fake clock. The fake clock starts at the
// real time so context deadlines (which are real) line up with fake time for
// the length of a test.
func newFake(t *testing.T, cfg Config) (*Limiter, *clock.Fake) {
	t.Helper()
	f := clock.NewFake(time.Now())
	cfg.Clock = f
	l, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return l, f
}

// recv receives from ch, failing the test after 10s.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a result")
		panic("unreachable")
	}
}

// countAllows calls Allow until it is false and returns how many were true.
func countAllows(l *Limiter, tenant string) int {
	n := 0
	for l.Allow(tenant) {
		n++
	}
	return n
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
		want    settings
	}{
		{name: "zero", want: settings{rate: 1700, burst: 170, processRate: 2900, processBurst: 290,
			minRate: 1, decrease: 0.5, idleTTL: 5 * time.Minute, maxTenants: 100_000}},
		{name: "rate without burst", cfg: Config{Rate: 25, ProcessRate: -1, MinRate: 2, Decrease: 0.7, Increase: 3, IdleTTL: time.Minute, MaxTenants: 10},
			want: settings{rate: 25, burst: 3, processRate: -1, minRate: 2, decrease: 0.7, increase: 3, idleTTL: time.Minute, maxTenants: 10}},
		{name: "process rate without burst", cfg: Config{ProcessRate: 5},
			want: settings{rate: 1700, burst: 170, processRate: 5, processBurst: 1, minRate: 1, decrease: 0.5, idleTTL: 5 * time.Minute, maxTenants: 100_000}},
		{name: "infinite rate", cfg: Config{Rate: math.Inf(1)},
			want: settings{rate: math.Inf(1), burst: math.MaxInt32, processRate: 2900, processBurst: 290, minRate: 1, decrease: 0.5, idleTTL: 5 * time.Minute, maxTenants: 100_000}},
		{name: "negative rate", cfg: Config{Rate: -1}, wantErr: true},
		{name: "nan rate", cfg: Config{Rate: math.NaN()}, wantErr: true},
		{name: "negative burst", cfg: Config{Burst: -1}, wantErr: true},
		{name: "negative process burst", cfg: Config{ProcessBurst: -1}, wantErr: true},
		{name: "nan process rate", cfg: Config{ProcessRate: math.NaN()}, wantErr: true},
		{name: "decrease 1", cfg: Config{Decrease: 1}, wantErr: true},
		{name: "decrease negative", cfg: Config{Decrease: -0.5}, wantErr: true},
		{name: "min rate negative", cfg: Config{MinRate: -1}, wantErr: true},
		{name: "increase inf", cfg: Config{Increase: math.Inf(1)}, wantErr: true},
		{name: "idle ttl negative", cfg: Config{IdleTTL: -time.Second}, wantErr: true},
		{name: "max tenants negative", cfg: Config{MaxTenants: -1}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := New(tt.cfg)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("New: err = %v, want one wrapping ErrInvalidConfig", err)
				}
				if !strings.HasPrefix(err.Error(), "ratelimit: ") {
					t.Errorf("error %q does not start with the package name", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := *l.cfg.Load(); got != tt.want {
				t.Errorf("settings = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAllowBurstThenRate(t *testing.T) {
	l, f := newFake(t, Config{Rate: 10, Burst: 5, ProcessRate: -1})
	if got := countAllows(l, "a"); got != 5 {
		t.Fatalf("allowed %d at once, want the burst of 5", got)
	}
	f.Advance(99 * time.Millisecond)
	if l.Allow("a") {
		t.Fatal("Allow true 99ms after the bucket emptied at 10/s")
	}
	f.Advance(time.Millisecond)
	if got := countAllows(l, "a"); got != 1 {
		t.Fatalf("allowed %d after 100ms at 10/s, want 1", got)
	}
	if got := countAllows(l, "b"); got != 5 {
		t.Fatalf("other tenant allowed %d, want its own burst of 5", got)
	}
}

func TestProcessLimitSharedByTenants(t *testing.T) {
	l, f := newFake(t, Config{Rate: 100, Burst: 10, ProcessRate: 10, ProcessBurst: 4})
	got := 0
	for _, tenant := range []string{"a", "b", "c"} {
		got += countAllows(l, tenant)
	}
	if got != 4 {
		t.Fatalf("three tenants allowed %d at once, want the process burst of 4", got)
	}
	// A denial by the process bucket must not cost the tenant its token:
	// tenant a still has 10-n tokens, so once the process bucket refills a
	// full process burst goes through for a alone.
	f.Advance(400 * time.Millisecond)
	if got := countAllows(l, "a"); got != 4 {
		t.Fatalf("after refill tenant a allowed %d, want 4", got)
	}
}

// TestRateAccuracy: over 10 s of fake time a tenant configured at R passes
// R·10 ± 1% plus its burst, through Allow and through Wait.
func TestRateAccuracy(t *testing.T) {
	const span = 10 * time.Second
	tests := []struct {
		rate  float64
		burst int
		proc  float64 // process rate; -1 off
		want  float64 // expected passes over span
	}{
		{rate: 1700, burst: 170, proc: -1, want: 1700*10 + 170},
		{rate: 100, burst: 1, proc: -1, want: 100*10 + 1},
		{rate: 0.5, burst: 1, proc: -1, want: 0.5*10 + 1},
		{rate: 3000, burst: 300, proc: 1000, want: 1000*10 + 100}, // the process limit binds
	}
	for _, tt := range tests {
		name := strconv.FormatFloat(tt.rate, 'g', -1, 64) + "-per-s"
		tol := math.Max(1, 0.01*tt.want)
		t.Run("allow/"+name, func(t *testing.T) {
			l, f := newFake(t, Config{Rate: tt.rate, Burst: tt.burst, ProcessRate: tt.proc, ProcessBurst: 100})
			end := f.Now().Add(span)
			got := countAllows(l, "t")
			for f.Now().Before(end) {
				f.Advance(time.Millisecond)
				got += countAllows(l, "t")
			}
			if math.Abs(float64(got)-tt.want) > tol {
				t.Errorf("passed %d in %v at %v/s (burst %d), want %v ± %v", got, span, tt.rate, tt.burst, tt.want, tol)
			}
		})
		t.Run("wait/"+name, func(t *testing.T) {
			l, f := newFake(t, Config{Rate: tt.rate, Burst: tt.burst, ProcessRate: tt.proc, ProcessBurst: 100})
			end := f.Now().Add(span)
			ctx, cancel := context.WithCancel(context.Background())
			counted := make(chan int)
			go func() {
				n := 0
				for l.Wait(ctx, "t") == nil {
					n++
				}
				counted <- n
			}()
			for f.Now().Before(end) {
				f.AwaitTimers(t, 1) // the waiter is blocked
				f.Advance(min(time.Millisecond, end.Sub(f.Now())))
			}
			f.AwaitTimers(t, 1)
			cancel()
			got := recv(t, counted)
			if math.Abs(float64(got)-tt.want) > tol {
				t.Errorf("passed %d in %v at %v/s (burst %d), want %v ± %v", got, span, tt.rate, tt.burst, tt.want, tol)
			}
		})
	}
}

func TestWaitDeadline(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1, Burst: 1, ProcessRate: -1})
	bg := context.Background()
	if err := l.Wait(bg, "a"); err != nil {
		t.Fatalf("first Wait: %v", err)
	}

	// The next token is 1s away: a 500ms deadline fails at once.
	ctx, cancel := context.WithDeadline(bg, f.Now().Add(500*time.Millisecond))
	defer cancel()
	err := l.Wait(ctx, "a")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrDeadline) {
		t.Fatalf("Wait = %v, want an error that Is context.DeadlineExceeded and ErrDeadline", err)
	}
	var de *DelayError
	if !errors.As(err, &de) {
		t.Fatalf("Wait = %T, want *DelayError", err)
	}
	if de.Tenant != "a" || de.Delay != time.Second || de.Paused || de.Remaining <= 0 || de.Remaining > 500*time.Millisecond {
		t.Errorf("DelayError = %+v, want tenant a, delay 1s, remaining in (0, 500ms], not paused", *de)
	}
	if f.Pending() != 0 {
		t.Errorf("a refused wait left %d timers", f.Pending())
	}

	// The refused wait gave its token back: after 1s one Allow passes.
	f.Advance(time.Second)
	if !l.Allow("a") {
		t.Fatal("Allow false 1s later: the refused wait kept its reservation")
	}

	// A deadline far enough away waits on the (fake) clock.
	ctx2, cancel2 := context.WithDeadline(bg, f.Now().Add(time.Hour))
	defer cancel2()
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx2, "a") }()
	f.AwaitTimers(t, 1)
	f.Advance(time.Second)
	if err := recv(t, done); err != nil {
		t.Fatalf("Wait within the deadline = %v", err)
	}
}

func TestWaitCanceled(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1, Burst: 1, ProcessRate: -1})
	if !l.Allow("a") {
		t.Fatal("first Allow false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, "a") }()
	f.AwaitTimers(t, 1)
	cancel()
	if err := recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after cancel = %v, want context.Canceled", err)
	}
	// The canceled wait returned its reservation: the next token is still
	// due 1s after the first, not 2s.
	f.Advance(time.Second)
	if !l.Allow("a") {
		t.Fatal("Allow false at 1s: the canceled wait kept its token")
	}

	// An already-ended context fails before touching the bucket.
	if err := l.Wait(ctx, "b"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a canceled ctx = %v", err)
	}
	if _, ok := l.State("b"); ok {
		t.Error("Wait with a canceled ctx created the tenant")
	}
}

func TestWaitProcessDeadline(t *testing.T) {
	l, f := newFake(t, Config{Rate: 100, Burst: 10, ProcessRate: 1, ProcessBurst: 1})
	if !l.Allow("a") {
		t.Fatal("first Allow false")
	}
	ctx, cancel := context.WithDeadline(context.Background(), f.Now().Add(100*time.Millisecond))
	defer cancel()
	err := l.Wait(ctx, "b")
	var de *DelayError
	if !errors.As(err, &de) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want a *DelayError for the process bucket", err)
	}
	if de.Delay != time.Second {
		t.Errorf("Delay = %v, want 1s", de.Delay)
	}
	f.Advance(time.Second)
	if !l.Allow("c") {
		t.Fatal("process token not given back by the refused wait")
	}
}

func TestDelayErrorMessage(t *testing.T) {
	tests := []struct {
		err  DelayError
		want string
	}{
		{DelayError{Tenant: "acme", Delay: 2 * time.Second, Remaining: time.Second},
			`ratelimit: tenant "acme" is rate limited: wait of 2s exceeds the 1s left before the context deadline`},
		{DelayError{Tenant: "x", Delay: 30 * time.Second, Remaining: 5 * time.Second, Paused: true},
			`ratelimit: tenant "x" is paused: wait of 30s exceeds the 5s left before the context deadline`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if errors.Is(&DelayError{}, context.Canceled) {
		t.Error("DelayError Is context.Canceled")
	}
}

func TestSetTenant(t *testing.T) {
	l, f := newFake(t, Config{Rate: 10, Burst: 10, ProcessRate: -1, IdleTTL: time.Minute, MaxTenants: 64})
	countAllows(l, "a")
	l.SetTenant("a", 100, 20)
	f.Advance(100 * time.Millisecond)
	if got := countAllows(l, "a"); got != 10 {
		t.Fatalf("after SetTenant(100/s) allowed %d in 100ms, want 10", got)
	}
	st, _ := l.State("a")
	if st.Configured != 100 || st.Rate != 100 || st.Burst != 20 {
		t.Fatalf("State = %+v, want rate 100 burst 20", st)
	}

	// The override outlives eviction.
	f.Advance(2 * time.Minute)
	if n := l.Sweep(); n != 1 {
		t.Fatalf("Sweep evicted %d, want 1", n)
	}
	if got := countAllows(l, "a"); got != 20 {
		t.Fatalf("re-created tenant allowed %d, want its override burst of 20", got)
	}

	// Burst <= 0 derives one; rate <= 0 goes back to the defaults.
	l.SetTenant("a", 50, 0)
	if st, _ := l.State("a"); st.Burst != 5 {
		t.Errorf("SetTenant(50, 0) burst = %d, want 5", st.Burst)
	}
	l.SetTenant("a", 0, 0)
	if st, _ := l.State("a"); st.Configured != 10 || st.Burst != 10 {
		t.Errorf("after clearing the override State = %+v, want the defaults 10/10", st)
	}
	// SetTenant on a tenant that is not live does not create it.
	l.SetTenant("b", 5, 1)
	if _, ok := l.State("b"); ok {
		t.Error("SetTenant created tenant b")
	}
	if got := countAllows(l, "b"); got != 1 {
		t.Errorf("tenant b allowed %d, want its override burst of 1", got)
	}
}

func TestReconfigure(t *testing.T) {
	l, f := newFake(t, Config{Rate: 10, Burst: 10, ProcessRate: -1})
	countAllows(l, "a")
	countAllows(l, "pinned")
	l.SetTenant("pinned", 10, 10)

	if err := l.Reconfigure(Config{Rate: 100, Burst: 50, ProcessRate: 1000, ProcessBurst: 1000}); err != nil {
		t.Fatalf("Reconfigure: %v", err)
	}
	f.Advance(100 * time.Millisecond)
	if got := countAllows(l, "a"); got != 10 {
		t.Errorf("tenant a allowed %d in 100ms after reconfigure to 100/s, want 10", got)
	}
	if got := countAllows(l, "pinned"); got != 1 {
		t.Errorf("tenant with an override allowed %d, want 1 (its own 10/s)", got)
	}
	if got := countAllows(l, "new"); got != 50 {
		t.Errorf("new tenant allowed %d, want the new burst of 50", got)
	}

	// The process limit can be turned on and off.
	if err := l.Reconfigure(Config{Rate: 100, Burst: 50, ProcessRate: 1, ProcessBurst: 2}); err != nil {
		t.Fatal(err)
	}
	if got := countAllows(l, "fresh"); got != 2 {
		t.Errorf("allowed %d under a process burst of 2", got)
	}

	// An invalid config changes nothing.
	if err := l.Reconfigure(Config{Rate: -5}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Reconfigure(invalid) = %v", err)
	}
	if got := l.cfg.Load().rate; got != 100 {
		t.Errorf("rate after a refused Reconfigure = %v, want 100", got)
	}
}

// WaitAt takes the caller's reading of the clock: a free token returns it
// as the end of the wait, and a wait that was needed ends at the clock's
// time after it.
func TestWaitAt(t *testing.T) {
	l, f := newFake(t, Config{Rate: 10, Burst: 1, ProcessRate: -1})
	bg := context.Background()
	now := f.Now()
	if end, err := l.WaitAt(bg, "a", now); err != nil || !end.Equal(now) {
		t.Fatalf("free token: WaitAt = %v, %v; want the given time %v, nil", end, err, now)
	}
	// The bucket is empty at now; 100ms later, by the caller's reading,
	// it holds a token again: WaitAt believes the time it is given.
	later := now.Add(100 * time.Millisecond)
	if end, err := l.WaitAt(bg, "a", later); err != nil || !end.Equal(later) {
		t.Fatalf("token refilled by the given time: WaitAt = %v, %v; want %v, nil", end, err, later)
	}
	f.Set(later)
	type result struct {
		end time.Time
		err error
	}
	done := make(chan result, 1)
	go func() {
		end, err := l.WaitAt(bg, "a", f.Now())
		done <- result{end, err}
	}()
	f.AwaitTimers(t, 1)
	f.Advance(100 * time.Millisecond)
	r := recv(t, done)
	if r.err != nil || !r.end.Equal(later.Add(100*time.Millisecond)) {
		t.Fatalf("a wait of 100ms: WaitAt = %v, %v; want %v, nil", r.end, r.err, later.Add(100*time.Millisecond))
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := l.WaitAt(ctx, "a", f.Now()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: WaitAt error %v, want context.Canceled", err)
	}
}
