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
// It is in module github.com/octosend/octosend/fleet, apart from the core
// module, so that programs which do not share a quota neither download nor
// link go-redis.
//
// Performance: Wait is one script round trip to a local redis-server,
// about 40 µs, 1.1-1.2x redis_rate's Allow on the same server
// (BenchmarkRedisWait).
package redislimit
