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
// for one process, or a fleet backend (package redislimit of module
// github.com/octosend/octosend/fleet) to share each tenant's quota across a fleet.
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
// At the end of a pause the tenant's bucket holds one token, and no waiter
// holds a reservation across a pause: a Wait that meets a pause gives back
// any token it reserved, sleeps until the pause ends and only then
// reserves. So waiters leave one by one at the tenant's rate of that moment
// (usually just lowered by the 429 that caused the pause) rather than
// together at the pause's end, which would draw the next 429.
//
// Throttled (a 429) and Succeeded (a success) adapt each tenant's rate:
//
//   - decrease: rate = max(min(MinRate, configured rate),
//     min(rate × Decrease, accepted)), at most once per DecreaseHold (1 s),
//     since the 429s answering one overloaded second are one signal.
//     accepted is the rate the API has been taking: the successes of the
//     last one to two seconds (counted by Succeeded with one atomic add)
//     over that span, used when the span is at least 1 s and holds at least
//     5 successes. So a tenant far above the API's real limit comes down to
//     it in one step (1,700/s to 25/s), not by halving once a second.
//     Within the hold, 429s at least 25 ms after the cut (3 or more, and
//     5% of the successes since) refine it when the API took under 90% of
//     the rate since: the accepted measure can be the client's own rate
//     when the API's bucket let a burst through whole, and what it takes
//     while it answers 429 is its quota;
//   - increase: while below the configured rate, each Succeeded adds
//     Increase × (time since the previous increase, decrease or pause end,
//     counted up to 1 s), capped at the configured rate. Growth is thus
//     Increase per second of successful sending, however many requests that
//     second carries, and paused time earns none; Increase defaults to the
//     configured rate / 20 (half rate back to full in 10 s).
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
// # Fleet-wide
//
// A Backend may keep each tenant's quota elsewhere and use a *Limiter for
// what stays in the process (pauses, the process bucket, a fallback; see
// WaitPaused, WaitProcess, RateFactor), and run the adaptive rate's law
// elsewhere too, for a whole fleet, from the numbers Law returns, so that
// one set of numbers governs both. The Redis one lives in module
// github.com/octosend/octosend/fleet (package redislimit), so that a
// program which does not share a quota neither downloads nor links
// go-redis.
//
// # Performance
//
// Measured on the shared 2-core amd64 development VM with go test -bench
// (medians of interleaved runs; the VM is noisy, so read the ratios to the
// baseline of the same run rather than the absolute numbers). Reading the
// clock alone (time.Now) costs 47-140 ns there, and every Allow or Wait
// reads it once, as rate.Limiter.Allow does, so the 100 ns target for the
// whole call is out of reach on this VM; what this package adds on top of
// the clock read is about 100 ns (lookup, tenant bucket, process bucket).
//
//   - BenchmarkAllow/local, uncontended, both levels: 0 allocs, 147 ns
//     against 88 ns for a bare rate.Limiter.Allow (1.7×) and 130 ns for a
//     hand-written mutex-guarded map of rate.Limiters plus a process
//     limiter (1.13×).
//   - BenchmarkWait/local: 0 allocs, 148 ns against 104 ns for
//     rate.Limiter.Wait (1.4×).
//   - Succeeded at the configured rate: 25-35 ns, 0 allocs.
//   - RunParallel over 10,000 tenants: 0 allocs, 180-350 ns per call on two
//     busy cores; on one hot tenant 0.7-1.1× the time of one shared
//     rate.Limiter. The sharded RWMutex map finds a tenant in 33-100 ns under
//     parallel load, sync.Map in 14-60 ns, but sync.Map costs about 120 B
//     per entry against about 50 B, which would break the memory budget, and
//     makes per-shard sweeping and LRU eviction harder; the lookup is not
//     where the time goes.
//   - Memory per idle tenant: 243 B including the table's copy of a short
//     tenant name (TestMemoryPerIdleTenant fails above 256 B).
//   - A million tenants created and evicted (TestMillionTenantsNoGrowth,
//     about 1.5 s): the live heap stays at about 2 MiB throughout.
package ratelimit
