package emulator

import "sync/atomic"

// Stats is a snapshot of what a Server has done since it started (or since
// Reset).
type Stats struct {
	// Requests counts every request that reached the handler.
	Requests int64
	// Responses counts answered requests by HTTP status. Requests whose
	// connection was reset get no entry here.
	Responses map[int]int64
	// Faults counts injected faults by kind: scripted, random and outage.
	Faults map[FaultKind]int64
	// Throttled counts 429s from the token buckets (a Fault429 is counted
	// under Faults instead; both are under Responses[429]).
	Throttled int64
	// DestThrottled counts 429s of the per-destination limit
	// (Config.DestLimit); they are under Responses[429] too.
	DestThrottled int64
	// Resets counts connections closed without a complete response (reset
	// before or after the body, accepted-then-reset, truncated).
	Resets int64
	// Accepted counts accepted messages (duplicates included), as
	// Ledger.Accepted.
	Accepted int64
	// DLR counts the delivery receipts of Config.DLR (zero when it is off).
	DLR DLRStats
}

// counters is the lock-free side of Stats.
type counters struct {
	requests  atomic.Int64
	throttled atomic.Int64
	// destThrottled counts the DestLimit's 429s.
	destThrottled atomic.Int64
	resets        atomic.Int64
	status        [600]atomic.Int64
	faults        [numFaultKinds]atomic.Int64
}

func (c *counters) response(status int) {
	if status >= 0 && status < len(c.status) {
		c.status[status].Add(1)
	}
}

func (c *counters) snapshot(accepted int64) Stats {
	s := Stats{
		Requests:      c.requests.Load(),
		Responses:     make(map[int]int64),
		Faults:        make(map[FaultKind]int64),
		Throttled:     c.throttled.Load(),
		DestThrottled: c.destThrottled.Load(),
		Resets:        c.resets.Load(),
		Accepted:      accepted,
	}
	for i := range c.status {
		if n := c.status[i].Load(); n != 0 {
			s.Responses[i] = n
		}
	}
	for i := range c.faults {
		if n := c.faults[i].Load(); n != 0 {
			s.Faults[FaultKind(i)] = n
		}
	}
	return s
}

func (c *counters) reset() {
	c.requests.Store(0)
	c.throttled.Store(0)
	c.destThrottled.Store(0)
	c.resets.Store(0)
	for i := range c.status {
		c.status[i].Store(0)
	}
	for i := range c.faults {
		c.faults[i].Store(0)
	}
}
