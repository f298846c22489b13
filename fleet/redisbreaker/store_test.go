package redisbreaker

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/fleet/redistest"
)

func TestRedisStoreCloseStopsGoroutines(t *testing.T) {
	srv := redistest.Start(t)
	opts := goleak.IgnoreCurrent()
	fc := clock.NewFake(t0)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	st, err := New(Config{Client: client, Refresh: time.Second, Clock: fc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := breaker.New(breaker.Config{Clock: fc, Shared: st, MinRequests: 1})
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
	if _, err := New(Config{}); !errors.Is(err, ErrNoClient) {
		t.Fatalf("nil client: %v, want ErrNoClient", err)
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, cfg := range []Config{{Client: client, Refresh: -1}, {Client: client, Timeout: -1}} {
		if _, err := New(cfg); !errors.Is(err, breaker.ErrInvalidConfig) {
			t.Fatalf("%+v: %v, want breaker.ErrInvalidConfig", cfg, err)
		}
	}
}

// TestRedisStoreReports checks, without Redis, which polled TTLs reach the
// subscribers.
func TestRedisStoreReports(t *testing.T) {
	fc := clock.NewFake(t0)
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	st, err := New(Config{Client: client, Refresh: time.Hour, Clock: fc})
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
	cfg := breaker.Config{MinRequests: 1, OpenFor: time.Minute}
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
	wantState(t, b.set, "tenant-7", breaker.Open)
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
	wantState(t, b.set, "newcomer", breaker.Open)
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
