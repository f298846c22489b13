package redislimit

// What an instance has to tell Redis at its next reservation of a tenant,
// carried in that reservation's arguments rather than in a round trip of
// its own: the requests it let go on Local while Redis was unreachable
// (debt, charged to the fleet's quota) and the successes it saw (counted
// toward the fleet's accepted rate).

// FailOpenGrants returns how many requests this Limiter let go on Local
// because Redis was unreachable or too slow (Config.FailOpen).
func (r *Limiter) FailOpenGrants() int64 { return r.failOpen.Load() }

// owe counts a fail-open grant for tenant, to be charged to the fleet's
// quota by the next reservation that reaches Redis. The debt is capped at
// what Local can grant in one Recheck interval plus its burst, so a long
// outage does not stall the fleet for as long afterwards.
func (r *Limiter) owe(tenant string) {
	r.failOpen.Add(1)
	interval, tau := r.params(tenant)
	limit := int64(1)
	if interval > 0 {
		limit = int64((float64(r.recheck.Microseconds())+tau)/interval) + 1
	}
	r.dmu.Lock()
	if r.debt[tenant] < limit {
		r.debt[tenant]++
	}
	r.dmu.Unlock()
}

// maxPendingSuccesses caps the successes an instance keeps for Redis while
// it is unreachable: a count that old says nothing about the present.
const maxPendingSuccesses = 1 << 20

// counted records a success of tenant, for the next call to Redis.
func (r *Limiter) counted(tenant string) {
	r.dmu.Lock()
	if n := r.succ[tenant]; n < maxPendingSuccesses {
		r.succ[tenant] = n + 1
	}
	r.dmu.Unlock()
}

// take returns and clears tenant's debt and pending successes.
func (r *Limiter) take(tenant string) (debt, succ int64) {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	debt, succ = r.debt[tenant], r.succ[tenant]
	if debt != 0 {
		delete(r.debt, tenant)
	}
	if succ != 0 {
		delete(r.succ, tenant)
	}
	return debt, succ
}

// takeSucc returns and clears tenant's pending successes.
func (r *Limiter) takeSucc(tenant string) int64 {
	r.dmu.Lock()
	defer r.dmu.Unlock()
	n := r.succ[tenant]
	if n != 0 {
		delete(r.succ, tenant)
	}
	return n
}

// giveBack restores the debt and successes that a call did not deliver.
func (r *Limiter) giveBack(tenant string, debt, succ int64) {
	if debt == 0 && succ == 0 {
		return
	}
	r.dmu.Lock()
	if debt != 0 {
		r.debt[tenant] += debt
	}
	if succ != 0 {
		r.succ[tenant] = min(maxPendingSuccesses, r.succ[tenant]+succ)
	}
	r.dmu.Unlock()
}
