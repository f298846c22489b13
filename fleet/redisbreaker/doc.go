// Package redisbreaker shares "open until T" between the breaker.Sets of
// a fleet through Redis. A *Store is a breaker.Shared: give it to
// breaker.Config.Shared (or client.Config.Breaker.Shared).
//
// An instance that trips publishes "open until T" and every instance
// following that key opens too, within the store's refresh interval
// (200ms by default) plus two round trips. The store works in the
// background: a publication is two commands, an idle refresh is one read
// whatever the number of keys. Allow never waits on Redis, and when Redis
// is down or hung each instance simply runs on its local breaker, picking
// the shared state up again when Redis returns.
//
// A Store is a breaker.Syncer too: client.New follows the keys the client
// will use (breaker.Set.Follow) and calls Sync once, so a cold instance
// starts from the fleet's state instead of learning it from its own failed
// requests (TestColdInstanceFollowsFleet: 0 requests into an outage another
// instance found, where it used to send until its own breaker tripped).
//
// It is in module github.com/octosend/octosend/fleet, apart from the core
// module, so that programs which do not share breakers neither download nor
// link go-redis.
package redisbreaker
