package breaker

import (
	"context"
	"time"
)

// Shared shares "open until T" between the Sets of a fleet, so that when
// one instance trips the others stop sending too. It is consulted off the
// request path: a Set publishes when a breaker opens and is told by the
// store when another instance opened one; Allow never waits for it.
//
// Implementations must be safe for concurrent use, must not block in
// Publish, and must call subscribers without holding their own locks.
// *redisbreaker.Store (module github.com/octosend/octosend/fleet)
// implements it.
type Shared interface {
	// Publish announces that key is open until until (a time on the
	// Set's clock). It must return at once; the write happens in the
	// background and may be lost when the store is unreachable.
	Publish(key string, until time.Time)
	// Subscribe asks the store to follow key and to call open whenever it
	// learns that key is open, fleet-wide, until a time later than any it
	// reported before. cancel stops the calls.
	Subscribe(key string, open func(until time.Time)) (cancel func())
}

// Syncer is implemented by a Shared store that can read the fleet's state
// on demand, not only in the background (*redisbreaker.Store does). Sync
// must return within ctx and deliver what it learns to the subscribers
// before it returns.
type Syncer interface {
	Sync(ctx context.Context) error
}

// Follow creates the breakers of keys now rather than at their first
// request, so that with a Shared store each of them follows the fleet's
// state from the start: an instance that has not yet sent to a key does not
// put requests into an outage another instance already found. Followed
// breakers are never dropped as idle. The client follows the base URLs it
// is configured with (or the tenants of its policy, with
// BreakerByTenant).
func (s *Set) Follow(keys ...string) {
	for _, k := range keys {
		c, _ := s.create(k, nil)
		c.mu.Lock()
		c.pinned = true
		c.mu.Unlock()
	}
}

// Sync asks the Shared store, when it implements Syncer, to read the
// fleet's state of every followed key now, and returns its error (nil
// without a store or when it is not a Syncer). Call it after Follow, at
// start-up, bounded by ctx, to begin with what the fleet knows.
func (s *Set) Sync(ctx context.Context) error {
	if sy, ok := s.shared.(Syncer); ok && !s.closed.Load() {
		return sy.Sync(ctx)
	}
	return nil
}
