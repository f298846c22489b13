package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestAllocs: the uncontended local path of Allow, Wait and Succeeded
// allocates nothing, with and without a context deadline, and so does a
// refused Allow.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Log("allocation counts are checked without -race too; the race detector allocates")
		return
	}
	l, err := New(Config{Rate: 1e9, Burst: 1e9, ProcessRate: 1e9, ProcessBurst: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := New(Config{Rate: 1e-3, Burst: 1})
	if err != nil {
		t.Fatal(err)
	}
	slow.Allow("a") // now empty for 1000s
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	bg := context.Background()
	l.Allow("a")
	tests := []struct {
		name string
		f    func()
	}{
		{"Allow", func() { l.Allow("a") }},
		{"Allow/refused", func() { slow.Allow("a") }},
		{"Wait", func() { _ = l.Wait(bg, "a") }},
		{"Wait/deadline", func() { _ = l.Wait(ctx, "a") }},
		{"WaitAt", func() { _, _ = l.WaitAt(bg, "a", time.Now()) }},
		{"Succeeded", func() { l.Succeeded("a") }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(1000, tt.f); got != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tt.name, got)
		}
	}
}

// TestConcurrentUse runs every method at once on the real clock; it exists
// for the race detector and checks that the limits still hold.
func TestConcurrentUse(t *testing.T) {
	l, err := New(Config{Rate: 200, Burst: 20, ProcessRate: 1000, ProcessBurst: 100, IdleTTL: 20 * time.Millisecond, MaxTenants: 64})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for g := range 8 {
		wg.Go(func() {
			n := 0
			for i := 0; ctx.Err() == nil; i++ {
				k := "t" + strconv.Itoa((g+i)%100)
				switch i % 7 {
				case 0, 1, 2:
					if l.Wait(ctx, k) == nil {
						n++
					}
				case 3:
					if l.Allow(k) {
						n++
					}
				case 4:
					l.Succeeded(k)
				case 5:
					if i%70 == 5 {
						l.Throttled(k)
						l.Pause(k, time.Now().Add(time.Millisecond))
					}
				case 6:
					if i%700 == 6 {
						l.SetTenant(k, 300, 30)
						_ = l.Reconfigure(Config{Rate: 200, Burst: 20, ProcessRate: 1000, ProcessBurst: 100, IdleTTL: 20 * time.Millisecond, MaxTenants: 64})
						l.Sweep()
						l.State(k)
					}
				}
			}
			mu.Lock()
			passed += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d requests passed in %v", passed, elapsed)
	// The process bucket bounds everything: its burst plus 1000/s over the
	// run, plus one in-flight call per goroutine.
	if limit := 100 + int(1000*elapsed.Seconds()) + 8; passed > limit {
		t.Errorf("%d requests passed in %v under a process limit of 1000/s burst 100 (bound %d)", passed, elapsed, limit)
	}
	if passed == 0 {
		t.Error("nothing passed")
	}
	if n := l.Len(); n > 64+len(l.shards) {
		t.Errorf("Len = %d, above MaxTenants", n)
	}
}
