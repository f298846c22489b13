package breaker

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// memShared is an in-memory Shared that records publications and lets the
// test play the fleet.
type memShared struct {
	mu   sync.Mutex
	pubs []string
	subs map[string][]func(time.Time)
}

func (m *memShared) Publish(key string, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pubs = append(m.pubs, key+"@"+until.Sub(t0).String())
}

func (m *memShared) Subscribe(key string, open func(time.Time)) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.subs == nil {
		m.subs = map[string][]func(time.Time){}
	}
	m.subs[key] = append(m.subs[key], open)
	i := len(m.subs[key]) - 1
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.subs[key][i] = nil
	}
}

// fleetOpens plays another instance's opening of key.
func (m *memShared) fleetOpens(key string, until time.Time) {
	m.mu.Lock()
	subs := slices.Clone(m.subs[key])
	m.mu.Unlock()
	for _, fn := range subs {
		if fn != nil {
			fn(until)
		}
	}
}

func (m *memShared) published() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.pubs...)
}

func TestSetWithShared(t *testing.T) {
	sh := &memShared{}
	var changes []transition
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: 10 * time.Second, Shared: sh,
		OnStateChange: func(_ string, from, to State) { changes = append(changes, transition{from, to}) }})

	feed(t, s, key, "F") // trip: published
	fc.Advance(10 * time.Second)
	probe, _ := s.Allow(key)
	fc.Advance(time.Second)
	probe(Failure)                 // probe failure: published again
	s.OpenFor(key, 60*time.Second) // extension: published
	s.OpenFor(key, 5*time.Second)  // no change: not published
	s.OpenFor("b", 3*time.Second)  // published
	want := []string{key + "@10s", key + "@21s", key + "@1m11s", "b@14s"}
	if got := sh.published(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("published %v, want %v", got, want)
	}

	// Another instance opens a key this one uses: it opens, without publishing back.
	feed(t, s, "c", "S")
	sh.fleetOpens("c", fc.Now().Add(45*time.Second))
	if oe := openErr(t, s, "c"); oe.RetryIn != 45*time.Second {
		t.Fatalf("fleet opening: RetryIn %v, want 45s", oe.RetryIn)
	}
	sh.fleetOpens("c", fc.Now().Add(20*time.Second)) // earlier: ignored
	sh.fleetOpens("c", fc.Now().Add(-time.Second))   // past: ignored
	if oe := openErr(t, s, "c"); oe.RetryIn != 45*time.Second {
		t.Fatalf("after an earlier fleet opening: RetryIn %v, want 45s", oe.RetryIn)
	}
	if got := len(sh.published()); got != len(want) {
		t.Fatalf("a fleet opening was published back: %v", sh.published())
	}
	if n := len(changes); changes[n-1] != (transition{Closed, Open}) {
		t.Fatalf("hook did not see the fleet opening: %v", changes)
	}

	// After Close, the Set neither follows nor publishes.
	feed(t, s, "d", "S")
	s.Close()
	s.Close()
	sh.fleetOpens("d", fc.Now().Add(time.Minute))
	wantState(t, s, "d", Closed)
	s.OpenFor("d", time.Minute)
	if got := len(sh.published()); got != len(want) {
		t.Fatalf("published after Close: %v", sh.published())
	}
	feed(t, s, "e", "S") // new keys after Close do not subscribe
	sh.mu.Lock()
	_, subscribed := sh.subs["e"]
	sh.mu.Unlock()
	if subscribed {
		t.Fatal("a key created after Close subscribed")
	}
}

// syncShared is a memShared that is also a Syncer: Sync delivers the
// fleet's openings, as a poll of the store would.
type syncShared struct {
	memShared
	syncs int
	open  map[string]time.Time
}

func (m *syncShared) Sync(context.Context) error {
	m.syncs++
	for k, until := range m.open {
		m.fleetOpens(k, until)
	}
	return nil
}

// TestFollow: Follow subscribes keys before any request, keeps them across
// idle sweeps, and Sync brings in the fleet's state for them at once.
func TestFollow(t *testing.T) {
	sh := &syncShared{}
	s, fc := newFake(t, Config{Shared: sh, IdleTTL: time.Minute})
	sh.open = map[string]time.Time{"https://sms": fc.Now().Add(20 * time.Second)}
	s.Follow("https://sms", "https://chat")
	sh.mu.Lock()
	n := len(sh.subs)
	sh.mu.Unlock()
	if n != 2 {
		t.Fatalf("Follow subscribed %d keys, want 2", n)
	}
	if err := s.Sync(context.Background()); err != nil || sh.syncs != 1 {
		t.Fatalf("Sync = %v after %d store syncs, want nil after 1", err, sh.syncs)
	}
	if oe := openErr(t, s, "https://sms"); oe.RetryIn != 20*time.Second {
		t.Fatalf("followed key after Sync: RetryIn %v, want 20s (the fleet's)", oe.RetryIn)
	}
	// Idle sweeps (each runs when a new key is created, IdleTTL apart)
	// drop unfollowed idle keys, never followed ones.
	for i := range 4 {
		fc.Advance(2 * time.Minute)
		feed(t, s, "other"+string(rune('a'+i)), "S")
	}
	if got := s.Len(); got < 2 {
		t.Fatalf("Len() = %d after idle sweeps, want the 2 followed keys kept", got)
	}
	sh.fleetOpens("https://chat", fc.Now().Add(time.Minute))
	if oe := openErr(t, s, "https://chat"); oe.RetryIn != time.Minute {
		t.Fatalf("followed idle key: RetryIn %v, want 1m: its subscription was dropped", oe.RetryIn)
	}
	// Without a Syncer, Sync is a no-op.
	s2, _ := newFake(t, Config{Shared: &memShared{}})
	if err := s2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}
