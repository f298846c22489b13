package breaker

import (
	"strconv"
	"testing"
	"time"
	"unsafe"
)

func TestShardPadding(t *testing.T) {
	if n := unsafe.Sizeof(shard{}); n%64 != 0 {
		t.Fatalf("shard is %d bytes, want a multiple of 64 (adjust its padding)", n)
	}
}

func TestIdleKeysDropped(t *testing.T) {
	sh := &memShared{}
	hooks := 0
	s, fc := newFake(t, Config{IdleTTL: time.Minute, MinRequests: 5, Window: 10 * time.Second, OpenFor: time.Hour, Shared: sh,
		OnStateChange: func(string, State, State) { hooks++ }})
	feed(t, s, "idle", "SF")
	feed(t, s, "open", "FFFFF")
	s.Configure("configured", Config{MinRequests: 1})
	feed(t, s, "configured", "S")
	late, err := s.Allow("idle") // in flight across the drop
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3", got)
	}

	fc.Advance(time.Minute)
	feed(t, s, "busy", "S") // a new key: the first sweep marks the idle ones
	fc.Advance(30 * time.Second)
	feed(t, s, "busy", "S") // activity clears busy's mark... (its window is not empty anyway)
	feed(t, s, "new1", "S") // no sweep: the last one is only 30s old
	if got := s.Len(); got != 5 {
		t.Fatalf("Len before the second sweep = %d, want 5", got)
	}
	fc.Advance(30 * time.Second)
	feed(t, s, "new2", "S") // second sweep: idle and configured go; open stays
	for k, want := range map[string]bool{"idle": false, "configured": false, "open": true, "busy": true, "new1": true, "new2": true} {
		sh0 := s.shard(k)
		sh0.mu.RLock()
		_, got := sh0.m[k]
		sh0.mu.RUnlock()
		if got != want {
			t.Errorf("key %q present = %v, want %v", k, got, want)
		}
	}
	// The dropped keys' Shared subscriptions were cancelled.
	sh.mu.Lock()
	for _, k := range []string{"idle", "configured"} {
		if len(sh.subs[k]) != 1 || sh.subs[k][0] != nil {
			t.Errorf("subscription of dropped key %q not cancelled", k)
		}
	}
	sh.mu.Unlock()

	// A report from before the drop goes nowhere: no trip, no hook.
	before := hooks
	late(Failure)
	if hooks != before || s.State("idle") != Closed {
		t.Fatal("a report to a dropped breaker had an effect")
	}
	// The override survives: one failure trips "configured" again.
	feed(t, s, "configured", "F")
	wantState(t, s, "configured", Open)
	wantState(t, s, "open", Open)
}

func TestIdleTTLNegativeKeepsKeys(t *testing.T) {
	s, fc := newFake(t, Config{IdleTTL: -1})
	for i := 0; i < 10; i++ {
		feed(t, s, strconv.Itoa(i), "S")
		fc.Advance(time.Hour)
	}
	if got := s.Len(); got != 10 {
		t.Fatalf("Len = %d, want 10", got)
	}
}

// TestKeysDoNotAccumulate churns through many short-lived keys and checks
// that memory stays bounded by the keys of the last two sweep periods.
func TestKeysDoNotAccumulate(t *testing.T) {
	s, fc := newFake(t, Config{IdleTTL: time.Minute, Window: time.Second})
	for i := 0; i < 10000; i++ {
		feed(t, s, "tenant-"+strconv.Itoa(i), "S")
		fc.Advance(100 * time.Millisecond) // 600 new keys per minute
	}
	if got := s.Len(); got > 3*600 {
		t.Fatalf("Len = %d after churning 10000 keys, want at most 1800", got)
	}
}

// TestDroppedBreakerRefusesChanges holds on to a breaker while it is
// dropped (as a caller racing with a sweep would) and checks that OpenFor
// and Configure land on the key's new breaker, not the dropped one.
func TestDroppedBreakerRefusesChanges(t *testing.T) {
	s, fc := newFake(t, Config{IdleTTL: time.Minute})
	feed(t, s, "k", "S")
	old := s.lookup("k")
	for i := 0; i < 3; i++ { // two sweeps: mark, then drop
		fc.Advance(time.Minute)
		feed(t, s, "other-"+strconv.Itoa(i), "S")
	}
	if s.lookup("k") != nil {
		t.Fatal("k was not dropped")
	}
	if old.forceOpen(time.Second) || old.configure(s.base) {
		t.Fatal("a dropped breaker accepted a change")
	}
	s.OpenFor("k", time.Minute)
	if oe := openErr(t, s, "k"); oe.RetryIn != time.Minute {
		t.Fatalf("OpenFor after the drop: RetryIn %v, want 1m", oe.RetryIn)
	}
}
