package breaker

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/octosend/octosend/internal/clock"
	"github.com/octosend/octosend/internal/redistest"
)

// instance is one member of a test fleet: its own Redis connection, store
// and Set, as a separate process would have.
type instance struct {
	client *redis.Client
	store  *RedisStore
	set    *Set

	mu      sync.Mutex
	changes []transition
}

func (in *instance) seen() []transition {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]transition(nil), in.changes...)
}

func newInstance(t *testing.T, addr string, c clock.Clock, refresh time.Duration, cfg Config) *instance {
	t.Helper()
	return newInstanceTimeout(t, addr, c, refresh, 100*time.Millisecond, cfg)
}

func newInstanceTimeout(t *testing.T, addr string, c clock.Clock, refresh, timeout time.Duration, cfg Config) *instance {
	t.Helper()
	in := &instance{client: redis.NewClient(&redis.Options{
		Addr:                  addr,
		DialTimeout:           100 * time.Millisecond,
		MaxRetries:            -1,   // the store's Timeout bounds each call; no retry inside it
		ContextTimeoutEnabled: true, // without it go-redis ignores the store's Timeout on the socket
	})}
	st, err := NewRedisStore(RedisStoreConfig{Client: in.client, Prefix: t.Name() + ":", Refresh: refresh, Timeout: timeout, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	in.store = st
	cfg.Clock, cfg.Shared = c, st
	cfg.OnStateChange = func(_ string, from, to State) {
		in.mu.Lock()
		in.changes = append(in.changes, transition{from, to})
		in.mu.Unlock()
	}
	in.set, err = New(cfg)
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
	const refresh = 100 * time.Millisecond
	cfg := Config{MinRequests: 3, OpenFor: 5 * time.Second}
	a := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	b := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	feed(t, a.set, key, "S") // both follow the key
	feed(t, b.set, key, "S")

	feed(t, a.set, key, "FF") // 2 of 3 failed: a trips
	wantState(t, a.set, key, Open)
	took := waitFor(t, 2*time.Second, "b learns that a tripped", func() bool { return b.set.State(key) == Open })
	// Within one refresh plus the round trips; the slack absorbs a loaded CI machine.
	if limit := refresh + 150*time.Millisecond; took > limit {
		t.Errorf("b opened %v after a tripped, want within %v", took, limit)
	}
	t.Logf("b rejected %v after a tripped (refresh %v)", took, refresh)
	oe := openErr(t, b.set, key)
	if oe.RetryIn <= 4*time.Second || oe.RetryIn > 5*time.Second {
		t.Errorf("b: RetryIn = %v, want a's remaining period (4s..5s]", oe.RetryIn)
	}
	if got := b.seen(); len(got) != 1 || got[0] != (transition{Closed, Open}) {
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
	cfg := Config{MinRequests: 1, OpenFor: 30 * time.Second}
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
	wantState(t, b.set, "other", Closed)

	// "Open until" only grows: a shorter opening elsewhere keeps the longer one.
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

	// A Set that is closed no longer follows the fleet.
	c := newInstance(t, srv.Addr, fc, time.Hour, cfg)
	feed(t, c.set, "third", "S")
	c.set.Close()
	a.set.OpenFor("third", time.Minute)
	_ = a.store.Sync(ctx)
	_ = c.store.Sync(ctx)
	wantState(t, c.set, "third", Closed)
}

func TestRedisDownFallsBackToLocal(t *testing.T) {
	srv := redistest.Start(t)
	if srv.External() {
		t.Fatal("this test kills Redis: unset REDIS_ADDR")
	}
	const refresh = 50 * time.Millisecond
	cfg := Config{MinRequests: 2, OpenFor: 20 * time.Second}
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
		tk, err := a.set.Acquire(key)
		if err == nil {
			tk.Done(Failure) // trips a, publishes (and fails to write) in the background
		}
		if d := time.Since(start); d > slowest {
			slowest = d
		}
	}
	t.Logf("slowest of 2000 Acquire+Done with Redis down: %v", slowest)
	if slowest > 200*time.Millisecond {
		t.Errorf("slowest Allow with Redis down took %v: it waited on Redis", slowest)
	}
	wantState(t, a.set, key, Open) // a's local breaker works
	feed(t, b.set, key, "SSSS")    // b is not told: it runs on its own
	wantState(t, b.set, key, Closed)
	feed(t, b.set, key, "FFFFF") // and trips on its own failures (5 of 10)
	wantState(t, b.set, key, Open)
	start := time.Now()
	err := b.store.Sync(context.Background()) // a round trip fails within Timeout
	if err == nil || time.Since(start) > time.Second {
		t.Errorf("Sync with Redis down = %v after %v, want an error within about the Timeout", err, time.Since(start))
	}

	// An opening made during the outage is written once Redis returns.
	a.set.OpenFor("late", 20*time.Second)
	srv.Restart(t)
	waitFor(t, 5*time.Second, "a recovers", func() bool { return a.store.Sync(context.Background()) == nil })
	waitFor(t, 5*time.Second, "b learns of a's opening made while Redis was down", func() bool { return b.set.State("late") == Open })
	if !b.store.Healthy() {
		t.Error("b's store unhealthy after Redis returned")
	}

	// And new trips propagate again.
	feed(t, b.set, "fresh", "S")
	feed(t, a.set, "fresh", "FF")
	waitFor(t, 2*time.Second, "b learns of a's trip after recovery", func() bool { return b.set.State("fresh") == Open })
}

func TestRedisStoreCloseStopsGoroutines(t *testing.T) {
	srv := redistest.Start(t)
	opts := goleak.IgnoreCurrent()
	fc := clock.NewFake(t0)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	st, err := NewRedisStore(RedisStoreConfig{Client: client, Refresh: time.Second, Clock: fc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Clock: fc, Shared: st, MinRequests: 1})
	if err != nil {
		t.Fatal(err)
	}
	feed(t, s, key, "F")                  // a publication
	fc.AdvanceWhenWaiting(1, time.Second) // a poll
	<-fc.WaitForTimers(1)                 // the next poll is scheduled
	s.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	st.Publish(key, fc.Now().Add(time.Hour)) // after Close: no-op, no panic
	_ = st.Subscribe(key, func(time.Time) {})
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, opts)
}

func TestNewRedisStoreValidates(t *testing.T) {
	if _, err := NewRedisStore(RedisStoreConfig{}); !errors.Is(err, ErrNoClient) {
		t.Fatalf("nil client: %v, want ErrNoClient", err)
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, cfg := range []RedisStoreConfig{{Client: client, Refresh: -1}, {Client: client, Timeout: -1}} {
		if _, err := NewRedisStore(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("%+v: %v, want ErrInvalidConfig", cfg, err)
		}
	}
}

// TestRedisNoReopenFromTail checks that the end of a shared opening does
// not reopen a follower that already went half-open: polls near the end
// read a remaining TTL that jitters by the round trip, and must not count
// as a new opening.
func TestRedisNoReopenFromTail(t *testing.T) {
	srv := redistest.Start(t)
	const refresh = 20 * time.Millisecond
	cfg := Config{MinRequests: 1, OpenFor: 300 * time.Millisecond}
	a := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	b := newInstance(t, srv.Addr, clock.Real, refresh, cfg)
	feed(t, b.set, key, "S")
	feed(t, a.set, key, "F")
	waitFor(t, 2*time.Second, "b opens", func() bool { return b.set.State(key) == Open })
	waitFor(t, 2*time.Second, "b goes half-open", func() bool { return b.set.State(key) == HalfOpen })
	time.Sleep(10 * refresh) // polls keep running past the end
	want := []transition{{Closed, Open}, {Open, HalfOpen}}
	if got := b.seen(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("b's hook saw %v, want %v", got, want)
	}
}

// TestRedisStoreReports checks, without Redis, which polled TTLs reach the
// subscribers.
func TestRedisStoreReports(t *testing.T) {
	fc := clock.NewFake(t0)
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	st, err := NewRedisStore(RedisStoreConfig{Client: client, Refresh: time.Hour, Clock: fc})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []time.Duration
	cancel := st.Subscribe("k", func(until time.Time) { got = append(got, until.Sub(t0)) })
	st.Subscribe("mine", func(until time.Time) { got = append(got, -until.Sub(t0)) })

	steps := []struct {
		at   time.Duration
		key  string
		ttl  time.Duration
		want bool
	}{
		{0, "k", 10 * time.Second, true},                               // new opening: 10s
		{time.Second, "k", 9*time.Second + 30*time.Millisecond, false}, // same one, 30ms of jitter
		{9 * time.Second, "k", time.Millisecond, false},                // its tail
		{9 * time.Second, "k", 0, false},                               // gone
		{9 * time.Second, "k", -2, false},                              // PTTL: no key
		{9 * time.Second, "k", -1, false},                              // PTTL: no expiry
		{9 * time.Second, "k", 2 * time.Second, true},                  // extended to 11s
		{9 * time.Second, "other", time.Minute, false},                 // not followed
	}
	for i, s := range steps {
		fc.Set(t0.Add(s.at))
		n := len(got)
		st.reports(fc.Now(), []string{s.key}, []time.Duration{s.ttl})()
		if reported := len(got) > n; reported != s.want {
			t.Fatalf("step %d (%+v): reported %v, want %v", i, s, reported, s.want)
		}
	}
	if want := []time.Duration{10 * time.Second, 11 * time.Second}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("reported %v, want %v", got, want)
	}

	// An opening this store published is not reported back to it.
	st.Publish("mine", fc.Now().Add(30*time.Second))
	st.reports(fc.Now(), []string{"mine"}, []time.Duration{30 * time.Second})()
	if len(got) != 2 {
		t.Fatalf("own publication reported back: %v", got)
	}
	// A late subscriber hears of a known opening at once.
	var late time.Duration
	st.Subscribe("mine", func(until time.Time) { late = until.Sub(fc.Now()) })
	if late != 30*time.Second {
		t.Fatalf("late subscriber told %v, want 30s", late)
	}
	// Cancelled subscribers hear nothing.
	cancel()
	st.reports(fc.Now(), []string{"k"}, []time.Duration{time.Hour})()
	if len(got) != 2 {
		t.Fatalf("cancelled subscriber called: %v", got)
	}
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

	const timeout = 500 * time.Millisecond // far above scheduling noise on a loaded machine
	in := newInstanceTimeout(t, ln.Addr().String(), clock.Real, 10*time.Millisecond, timeout, Config{MinRequests: 1, OpenFor: 50 * time.Millisecond})
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
		tk, err := in.set.Acquire(key)
		if err == nil {
			tk.Done(Failure) // trips (OpenFor 50ms): a publication each time
		}
		if d := time.Since(start); d > slowest {
			slowest = d
		}
		if s := in.set.State(key); s == Open && err == nil {
			trips++
		}
	}
	t.Logf("slowest Acquire+Done against a hung Redis: %v over %d trips", slowest, trips)
	start = time.Now()
	if err := in.store.Close(); err != nil || time.Since(start) > timeout+time.Second {
		t.Fatalf("Close against a hung peer = %v after %v, want prompt", err, time.Since(start))
	}
	if trips < 5 {
		t.Fatalf("only %d trips: the loop did not exercise publication", trips)
	}
	if slowest >= timeout/2 {
		t.Fatalf("slowest Acquire+Done took %v: it waited on Redis (Timeout %v)", slowest, timeout)
	}
}

// cmdCounter is a go-redis hook that counts the commands a client sends,
// leaving out the handshake of new connections (HELLO, CLIENT ...).
type cmdCounter struct{ n atomic.Int64 }

func (c *cmdCounter) count(cmd redis.Cmder) {
	switch cmd.Name() {
	case "hello", "client", "auth", "select", "ping":
	default:
		c.n.Add(1)
	}
}

func (c *cmdCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *cmdCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count(cmd)
		return next(ctx, cmd)
	}
}
func (c *cmdCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.count(cmd)
		}
		return next(ctx, cmds)
	}
}

// TestRedisPollCost checks that an idle poll is one command however many
// keys are followed, that every key is read only when something was
// published (or as a periodic safety net), and that a newly followed key
// is read alone.
func TestRedisPollCost(t *testing.T) {
	srv := redistest.Start(t)
	fc := clock.NewFake(t0)
	cfg := Config{MinRequests: 1, OpenFor: time.Minute}
	a := newInstance(t, srv.Addr, fc, time.Hour, cfg)
	b := newInstance(t, srv.Addr, fc, time.Hour, cfg)
	var cc cmdCounter
	b.client.AddHook(&cc)
	ctx := context.Background()
	const nkeys = 50
	for i := 0; i < nkeys; i++ {
		feed(t, b.set, "tenant-"+strconv.Itoa(i), "S")
	}

	sync := func() int64 {
		t.Helper()
		before := cc.n.Load()
		if err := b.store.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		return cc.n.Load() - before
	}
	if got := sync(); got != 1+nkeys {
		t.Fatalf("first poll sent %d commands, want %d (counter + every key)", got, 1+nkeys)
	}
	for i := 0; i < 10; i++ {
		if got := sync(); got != 1 {
			t.Fatalf("idle poll %d sent %d commands, want 1", i, got)
		}
	}
	a.set.OpenFor("tenant-7", time.Minute)
	if err := a.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sync(); got != 1+nkeys {
		t.Fatalf("poll after a publication sent %d commands, want %d", got, 1+nkeys)
	}
	wantState(t, b.set, "tenant-7", Open)
	a.set.OpenFor("newcomer", time.Minute) // before b follows it
	if err := a.store.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sync(); got != 1+nkeys {
		t.Fatalf("poll after a publication sent %d commands, want %d", got, 1+nkeys)
	}
	feed(t, b.set, "newcomer", "S") // a newly followed key is read at the next poll, alone
	if got := sync(); got != 2 {
		t.Fatalf("poll after a new key sent %d commands, want 2 (counter + the new key)", got)
	}
	wantState(t, b.set, "newcomer", Open)
	full := 0
	for i := 0; i < fullPollEvery+1; i++ {
		if sync() > 1 {
			full++
		}
	}
	if full != 1 {
		t.Fatalf("%d full polls in %d idle refreshes, want exactly 1 (the safety net)", full, fullPollEvery+1)
	}
}
