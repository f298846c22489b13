package redisbreaker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/fleet/redistest"
)

// instance is one member of a test fleet: its own Redis connection, store
// and breaker.Set, as a separate process would have.
type instance struct {
	client *redis.Client
	store  *Store
	set    *breaker.Set

	mu      sync.Mutex
	changes []transition
}

func (in *instance) seen() []transition {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]transition(nil), in.changes...)
}

func newInstance(t *testing.T, addr string, c clock.Clock, refresh time.Duration, cfg breaker.Config) *instance {
	t.Helper()
	return newInstanceTimeout(t, addr, c, refresh, 100*time.Millisecond, cfg)
}

func newInstanceTimeout(t *testing.T, addr string, c clock.Clock, refresh, timeout time.Duration, cfg breaker.Config) *instance {
	t.Helper()
	in := &instance{client: redis.NewClient(&redis.Options{
		Addr:                  addr,
		DialTimeout:           100 * time.Millisecond,
		MaxRetries:            -1,   // the store's Timeout bounds each call; no retry inside it
		ContextTimeoutEnabled: true, // without it go-redis ignores the store's Timeout on the socket
	})}
	st, err := New(Config{Client: in.client, Prefix: t.Name() + ":", Refresh: refresh, Timeout: timeout, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	in.store = st
	cfg.Clock, cfg.Shared = c, st
	cfg.OnStateChange = func(_ string, from, to breaker.State) {
		in.mu.Lock()
		in.changes = append(in.changes, transition{from, to})
		in.mu.Unlock()
	}
	in.set, err = breaker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.set.Close()
		in.store.Close()
		in.client.Close()
	})
	return in
}

// waitFor polls cond in real time for up to limit and returns how long it
// took, failing the test when it never holds.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func TestRedisFleetSharesOpen(t *testing.T) {
	srv := redistest.Start(t)
	// b must learn of a's trip at its first poll after it: within one
	// refresh plus round trips, so well under two refreshes. A long refresh
	// leaves a loaded machine's scheduling noise far inside that bound.
	const refresh = 600 * time.Millisecond
	cfg := breaker.Config{MinRequests: 3, OpenFor: 5 * time.Second}
	a := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	b := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	feed(t, a.set, key, "S") // both follow the key
	feed(t, b.set, key, "S")

	feed(t, a.set, key, "FF") // 2 of 3 failed: a trips
	wantState(t, a.set, key, breaker.Open)
	took := waitFor(t, 4*time.Second, "b learns that a tripped", func() bool { return b.set.State(key) == breaker.Open })
	if limit := 2*refresh - 100*time.Millisecond; took > limit {
		t.Errorf("b opened %v after a tripped, want within %v", took, limit)
	}
	t.Logf("b rejected %v after a tripped (refresh %v)", took, refresh)
	oe := openErr(t, b.set, key)
	if oe.RetryIn <= 4*time.Second || oe.RetryIn > 5*time.Second {
		t.Errorf("b: RetryIn = %v, want a's remaining period (4s..5s]", oe.RetryIn)
	}
	if got := b.seen(); len(got) != 1 || got[0] != (transition{breaker.Closed, breaker.Open}) {
		t.Errorf("b's hook saw %v, want closed>open", got)
	}
	// a does not hear its own publication back as a new opening.
	time.Sleep(3 * refresh)
	if got := a.seen(); len(got) != 1 {
		t.Errorf("a's hook saw %v, want only its own trip", got)
	}
	if !a.store.Healthy() || !b.store.Healthy() {
		t.Error("stores report unhealthy with Redis up")
	}
}

// TestRedisFleetFakeTime drives the stores by hand (Sync) on fake time.
func TestRedisFleetFakeTime(t *testing.T) {
	srv := redistest.Start(t)
	fc := clock.NewFake(t0)
	cfg := breaker.Config{MinRequests: 1, OpenFor: 30 * time.Second}
	a := newInstance(t, srv.Addr, fc, time.Hour, cfg) // the ticker never fires by itself
	b := newInstance(t, srv.Addr, fc, time.Hour, cfg)
	ctx := context.Background()
	feed(t, b.set, key, "S")
	feed(t, b.set, "other", "S")

	a.set.OpenFor(key, 120*time.Second) // a 503 with Retry-After: 120
	if err := a.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	oe := openErr(t, b.set, key)
	if oe.RetryIn < 119*time.Second || oe.RetryIn > 120*time.Second {
		t.Fatalf("b: RetryIn = %v, want about 120s", oe.RetryIn)
	}
	wantState(t, b.set, "other", breaker.Closed)

	// "breaker.Open until" only grows: a shorter opening elsewhere keeps the longer one.
	fc.Advance(10 * time.Second)
	b.set.OpenFor("other", 10*time.Second)
	a.set.OpenFor("other", 50*time.Second)
	for _, in := range []*instance{b, a, b} {
		if err := in.store.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if oe := openErr(t, b.set, "other"); oe.RetryIn < 49*time.Second {
		t.Fatalf("b other: RetryIn = %v, want a's 50s", oe.RetryIn)
	}
	pttl, err := a.client.PTTL(ctx, t.Name()+":open:other").Result()
	if err != nil || pttl < 49*time.Second {
		t.Fatalf("redis PTTL = %v, %v; want about 50s", pttl, err)
	}
	b.set.OpenFor("other", 5*time.Second)
	if err := b.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if pttl, _ := a.client.PTTL(ctx, t.Name()+":open:other").Result(); pttl < 49*time.Second {
		t.Fatalf("a shorter opening shortened the shared one: PTTL %v", pttl)
	}

	// A stray key without expiry is overwritten, not left to block forever.
	if err := a.client.Set(ctx, t.Name()+":open:stray", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	a.set.OpenFor("stray", 7*time.Second)
	if err := a.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if pttl, _ := a.client.PTTL(ctx, t.Name()+":open:stray").Result(); pttl <= 6*time.Second || pttl > 7*time.Second {
		t.Fatalf("stray key PTTL = %v, want about 7s", pttl)
	}

	// A breaker.Set that is closed no longer follows the fleet.
	c := newInstance(t, srv.Addr, fc, time.Hour, cfg)
	feed(t, c.set, "third", "S")
	c.set.Close()
	a.set.OpenFor("third", time.Minute)
	_ = a.store.Sync(ctx)
	_ = c.store.Sync(ctx)
	wantState(t, c.set, "third", breaker.Closed)
}

// TestRedisNoReopenFromTail checks that the end of a shared opening does
// not reopen a follower that already went half-open: polls near the end
// read a remaining TTL that jitters by the round trip, and must not count
// as a new opening.
func TestRedisNoReopenFromTail(t *testing.T) {
	srv := redistest.Start(t)
	const refresh = 20 * time.Millisecond
	cfg := breaker.Config{MinRequests: 1, OpenFor: 300 * time.Millisecond}
	a := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	b := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	feed(t, b.set, key, "S")
	feed(t, a.set, key, "F")
	waitFor(t, 2*time.Second, "b opens", func() bool { return b.set.State(key) == breaker.Open })
	waitFor(t, 2*time.Second, "b goes half-open", func() bool { return b.set.State(key) == breaker.HalfOpen })
	time.Sleep(10 * refresh) // polls keep running past the end
	want := []transition{{breaker.Closed, breaker.Open}, {breaker.Open, breaker.HalfOpen}}
	if got := b.seen(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("b's hook saw %v, want %v", got, want)
	}
}
