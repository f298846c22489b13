package breaker

import "time"

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
