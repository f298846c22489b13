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
// It is in module github.com/octosend/octosend/fleet, apart from the core
// module, so that programs which do not share breakers neither download nor
// link go-redis.
package redisbreaker
