// Package redislimit shares each tenant's rate limit across a fleet of
// sender processes through Redis. A *Limiter is a ratelimit.Backend: give
// it to client.Config.Limiter.
//
// Limiter uses GCRA in a Lua script (see script.go for why not
// go-redis/redis_rate): one round trip reserves a slot on Redis server
// time, or refuses at once when the wait would not fit the deadline. A
// pause is a Redis key with a TTL, so one instance's pause holds all. Each
// Redis call has a short timeout (Config.Timeout, 50 ms). While Redis is
// unreachable the Limiter either falls back to its local ratelimit.Limiter
// (FailOpen) or fails with an error wrapping ErrUnavailable; it skips
// Redis for Config.Recheck after a failure and then tries again, so it
// recovers by itself.
//
// A slow process is not a dead Redis: at most Config.MaxInFlight (8) calls
// are in flight at once and the others queue in their caller's context, so
// hundreds of senders waiting at once do not spend the call timeout queued
// for a pooled connection and fail open for nothing (before this bound, two
// instances of examples/fleet under -race sent 470-530/s against a shared
// 200/s quota: most of their calls timed out in the pool). The requests a
// fail-open Limiter lets go on Local are counted (FailOpenGrants) and
// charged to the fleet's quota by the next reservation that reaches Redis,
// so the fleet does not get them for free; give Local a share of the quota
// (examples/fleet gives each of its two instances half) to hold the quota
// during an outage too.
//
// A tenant's adaptive rate is the fleet's too, run in Redis by the law of
// package ratelimit (ratelimit.Law; see law.go and lawscript.go): every
// reservation carries the successes its instance saw since its last call
// (no round trip of its own), so Redis counts the fleet's accepted rate;
// ThrottleTenant cuts the fleet's rate from it once for every instance
// that sees the same cluster of 429s; and every reservation computes the
// fleet's current rate from the last cut by the growth law, on Redis time,
// and uses it as the GCRA interval. State reads it back. While Redis is
// unreachable the local limiter's own adaptive rate decides.
//
// It is in module github.com/octosend/octosend/fleet, apart from the core
// module, so that programs which do not share a quota neither download nor
// link go-redis.
//
// Performance: Wait is one script round trip to a local redis-server,
// about 40 µs, 1.1-1.2x redis_rate's Allow on the same server
// (BenchmarkRedisWait); the fleet's adaptive rate added no measurable time
// to it (95-105 µs before and after on a loaded machine) and 11
// allocations (39).
package redislimit
