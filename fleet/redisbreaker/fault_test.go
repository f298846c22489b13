package redisbreaker

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/fleet/redistest"
)

// TestRedisDownFallsBackToLocal kills Redis mid-run: each instance goes on
// with its local breaker, requests never wait, and after a restart the
// shared state flows again, including an opening made during the outage.
func TestRedisDownFallsBackToLocal(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	const refresh = 50 * time.Millisecond
	cfg := breaker.Config{MinRequests: 2, OpenFor: 20 * time.Second}
	a := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	b := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	for _, in := range []*instance{a, b} {
		feed(t, in.set, key, "S")
		feed(t, in.set, "late", "S")
	}

	srv.Kill()
	waitFor(t, 2*time.Second, "a notices Redis is down", func() bool { return !a.store.Healthy() })

	// Allow never waits on Redis: time many calls, trips and publications
	// while every Redis call fails (each would take up to the 100ms Timeout).
	var slowest time.Duration
	for i := 0; i < 2000; i++ {
		start := time.Now()
		done, err := a.set.Allow(key)
		if err == nil {
			done(breaker.Failure) // trips a, publishes (and fails to write) in the background
		}
		if d := time.Since(start); d > slowest {
			slowest = d
		}
	}
	t.Logf("slowest of 2000 Allow+done with Redis down: %v", slowest)
	if slowest > 200*time.Millisecond {
		t.Errorf("slowest Allow with Redis down took %v: it waited on Redis", slowest)
	}
	wantState(t, a.set, key, breaker.Open) // a's local breaker works
	feed(t, b.set, key, "SSSS")            // b is not told: it runs on its own
	wantState(t, b.set, key, breaker.Closed)
	feed(t, b.set, key, "FFFFF") // and trips on its own failures (5 of 10)
	wantState(t, b.set, key, breaker.Open)
	start := time.Now()
	err := b.store.Sync(context.Background()) // a round trip fails within Timeout
	if err == nil || time.Since(start) > time.Second {
		t.Errorf("Sync with Redis down = %v after %v, want an error within about the Timeout", err, time.Since(start))
	}

	// An opening made during the outage is written once Redis returns.
	a.set.OpenFor("late", 20*time.Second)
	srv.Restart(t)
	waitFor(t, 5*time.Second, "a recovers", func() bool { return a.store.Sync(context.Background()) == nil })
	waitFor(t, 5*time.Second, "b learns of a's opening made while Redis was down", func() bool { return b.set.State("late") == breaker.Open })
	if !b.store.Healthy() {
		t.Error("b's store unhealthy after Redis returned")
	}

	// And new trips propagate again.
	feed(t, b.set, "fresh", "S")
	feed(t, a.set, "fresh", "FF")
	waitFor(t, 2*time.Second, "b learns of a's trip after recovery", func() bool { return b.set.State("fresh") == breaker.Open })
}

// TestRedisHungNeverBlocksAllow points a store at a peer that accepts
// connections and never answers — a hung Redis, worse than a dead one,
// whose refused connections fail fast — and checks that requests, trips
// and publications never wait on it while the store's own calls do.
func TestRedisHungNeverBlocksAllow(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})

	// Any wait on the hung peer lasts a whole Timeout; the bound below is half
	// of it, seconds above what a loaded 2-core machine's scheduling adds.
	const timeout = 3 * time.Second
	in := newInstanceTimeout(t, ln.Addr().String(), clock.Real, 10*time.Millisecond, timeout, breaker.Config{MinRequests: 1, OpenFor: 50 * time.Millisecond})
	feed(t, in.set, key, "S") // follow the key: polls now go to the hung peer

	start := time.Now()
	err = in.store.Sync(context.Background())
	if took := time.Since(start); err == nil || took < timeout/2 {
		t.Fatalf("Sync against a hung peer = %v after %v: the test does not reach the hang", err, took)
	}

	var slowest time.Duration
	trips := 0
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		start := time.Now()
		done, err := in.set.Allow(key)
		if err == nil {
			done(breaker.Failure) // trips (OpenFor 50ms): a publication each time
		}
		if d := time.Since(start); d > slowest {
			slowest = d
		}
		if s := in.set.State(key); s == breaker.Open && err == nil {
			trips++
		}
	}
	t.Logf("slowest Allow+done against a hung Redis: %v over %d trips", slowest, trips)
	start = time.Now()
	if err := in.store.Close(); err != nil || time.Since(start) > timeout+time.Second {
		t.Fatalf("Close against a hung peer = %v after %v, want prompt", err, time.Since(start))
	}
	if trips < 5 {
		t.Fatalf("only %d trips: the loop did not exercise publication", trips)
	}
	if slowest >= timeout/2 {
		t.Fatalf("slowest Allow+done took %v: it waited on Redis (Timeout %v)", slowest, timeout)
	}
}
