// Package ratelimit keeps senders within 8x8's per-sub-account and
// per-IP quotas, locally and across a fleet.
//
// # Happy path
//
//	lim, err := ratelimit.New(ratelimit.Config{}) // 1,700/s per tenant, 2,900/s per process
//	if err != nil { ... }
//	defer lim.Close()
//	...
//	if err := lim.Wait(ctx, subAccountID); err != nil {
//		return err // ctx ended, or the wait would not fit ctx's deadline
//	}
//	resp := send(...)
//	switch {
//	case resp.Status == 429:
//		lim.Pause(subAccountID, time.Now().Add(retryAfter)) // every sender of the tenant waits
//		lim.Throttled(subAccountID)                         // and the tenant slows down
//	case resp.Status < 300:
//		lim.Succeeded(subAccountID) // and speeds up again
//	}
//
// The client package does this for you; it accepts any Backend: a *Limiter
// for one process, or a *Redis to share each tenant's quota across a fleet.
//
// # Two levels
//
// Every tenant (an 8x8 sub-account) has its own token bucket
// (golang.org/x/time/rate, driven through its explicit-time methods with the
// injected clock, so tests on a fake clock never sleep), and every request
// also takes a token from one process-wide bucket for the per-IP quota.
// Wait reserves the tenant's token first, waits for it, then the process
// token, so a tenant held back by its own bucket or a pause does not hold a
// process token meanwhile.
//
// Wait honours its context: a wait that cannot finish before the deadline
// (as read on the Limiter's clock) fails at once with a *DelayError, which
// errors.Is both ErrDeadline and context.DeadlineExceeded; a wait cut short
// by the context returns ctx.Err(). Both give their reservations back.
//
// # Pause and AIMD
//
// Pause(tenant, until) holds every Wait of the tenant until until, waits
// already in progress included, and makes Allow false; pauses only extend.
// At the end of a pause the tenant's bucket holds one token, so waiters
// leave one by one at the tenant's rate rather than in a burst.
//
// Throttled (a 429) and Succeeded (a success) adapt each tenant's rate:
//
//   - decrease: rate = max(rate × Decrease, min(MinRate, configured rate)),
//     at most once per DecreaseHold (1 s), since the 429s answering one
//     overloaded second are one signal;
//   - increase: while below the configured rate, each Succeeded adds
//     Increase × (time since the previous increase or decrease, counted up
//     to 1 s), capped at the configured rate. Growth is thus Increase per
//     second of successful sending, however many requests that second
//     carries; Increase defaults to the configured rate / 20 (half rate back
//     to full in 10 s).
//
// The burst scales with the current rate (burst × rate / configured, at
// least 1). At the configured rate Succeeded is a lock-free no-op.
//
// # Tenants, eviction and memory
//
// Tenants are created on first use. A tenant unused (no Wait, Allow or
// Pause) for IdleTTL and not paused is evicted by the next sweep of its
// shard; sweeps run when tenants are created (every IdleTTL/4 per shard) or
// on Sweep. An evicted tenant comes back with a full bucket and its
// configured rate; SetTenant overrides survive eviction. The table is a
// fixed set of shards (maps under RWMutexes); MaxTenants caps it, each shard
// holding at most ceil(MaxTenants/shards): a creation in a full shard first
// evicts the shard's idle tenants and, if none is idle, its least recently
// used one, so memory stays bounded whatever the traffic. Rates change at
// run time with SetTenant (one tenant) and Reconfigure (the defaults, for a
// config reload).
//
// # Fleet-wide: Redis
//
// *Redis shares each tenant's quota between processes with GCRA in a Lua
// script (see redis_script.go for why not go-redis/redis_rate): one round
// trip reserves a slot on Redis server time, or refuses at once when the
// wait would not fit the deadline. A pause is a Redis key with a TTL, so one
// instance's 429 pauses all. Each Redis call has a short timeout
// (RedisConfig.Timeout, 50 ms). While Redis is unreachable the backend
// either falls back to its local Limiter (FailOpen) or fails with an error
// wrapping ErrUnavailable; it skips Redis for RedisConfig.Recheck after a
// failure and then tries again, so it recovers by itself.
//
// # Performance
//
// Measured on the shared 2-core amd64 development VM (go test -bench,
// numbers as ratios to the baseline in the same run, since the VM's clock
// read alone costs 70-140 ns there and dominates every absolute figure):
//
//   - Allow, uncontended, both levels: 0 allocs, about 1.2-1.6× the time of
//     a bare rate.Limiter.Allow (BenchmarkAllow/x-time-rate), and on par with
//     a hand-written map of rate.Limiters plus a process limiter.
//   - Wait, uncontended: 0 allocs, about 1.3-1.8× rate.Limiter.Wait.
//   - Succeeded at the configured rate: about 25 ns, 0 allocs.
//   - 10,000 tenants in parallel (RunParallel): 0 allocs. The sharded
//     RWMutex map looks a tenant up in 35-90 ns under parallel load; sync.Map
//     was faster on reads alone (15-60 ns) but costs about 120 B per entry
//     against about 50 B, which would break the memory budget below.
//   - Memory per idle tenant: about 210 B including the table's copy of a
//     short tenant name (TestMemoryPerIdleTenant fails above 256 B).
//   - A million tenants created and evicted: the heap stays flat
//     (TestMillionTenantsNoGrowth).
//   - Redis Wait: one script round trip, within about 1.2× of redis_rate's
//     Allow on the same local server (BenchmarkRedisWait).
package ratelimit
