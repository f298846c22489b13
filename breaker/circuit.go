package breaker

import (
	"sync"
	"sync/atomic"
	"time"
)

// circuit is the breaker of one key: a state machine with a generation
// counter, modelled on gobreaker's CircuitBreaker but driven by the Set's
// clock, with hooks delivered outside the lock and no allocation per
// request (see doc.go, "Why not gobreaker's CircuitBreaker").
// probeGrowth divides the age of an outage into the wait before the next
// probe (see report).
const probeGrowth = 4

type circuit struct {
	key string
	set *Set

	// fast holds the current generation while the circuit is Closed and
	// nil otherwise, so that Allow on a closed circuit takes no lock.
	fast atomic.Pointer[generation]

	mu       sync.Mutex
	cfg      settings
	state    State
	gen      *generation
	expiry   time.Time     // Open: when the probe phase begins; HalfOpen: when an unreported probe is presumed lost
	issued   int           // HalfOpen: probe slots taken (a Neutral report frees its slot)
	passed   int           // HalfOpen: probes that reported Success
	win      window        // Closed: outcomes in the rolling window
	run      int           // Closed: consecutive failures
	lastFail time.Time     // Closed: time of the last failure of the run
	idle     bool          // marked by a sweep; cleared by activity
	dead     bool          // dropped from the Set: reports are ignored
	pinned   bool          // followed (Set.Follow): never dropped as idle
	period   time.Duration // the current open period: firstOpen after a trip, then a quarter of the time since it
	tripped  time.Time     // when the circuit last opened from Closed

	// After-unlock work, delivered in order by whoever finds notifying
	// false (see unlock).
	events    []transition
	publish   time.Time // non-zero: tell Shared the key is open until then
	notifying bool
}

// transition is one state change waiting for the OnStateChange hook.
type transition struct{ from, to State }

// generation identifies one period of a circuit's life between two state
// changes. An outcome is counted only if it belongs to the current
// generation, so a result reported after a trip (or after the probe phase
// began) is dropped. done is the cached method value Allow hands out, so
// Allow never allocates a closure.
type generation struct {
	c    *circuit
	done func(Outcome)
}

func (g *generation) report(o Outcome) { g.c.report(g, o) }

func newCircuit(s *Set, key string, cfg settings, now time.Time) *circuit {
	c := &circuit{key: key, set: s, cfg: cfg}
	c.win.reset(now, cfg.bucket(), cfg.buckets)
	c.newGenerationLocked()
	return c
}

// newGenerationLocked starts a generation for the current state and clears
// the per-generation counts.
func (c *circuit) newGenerationLocked() {
	g := &generation{c: c}
	g.done = g.report
	c.gen = g
	c.issued, c.passed, c.run = 0, 0, 0
	c.win.clear()
	if c.state == Closed {
		c.fast.Store(g)
	} else {
		c.fast.Store(nil)
	}
}

// setStateLocked moves to state to (which differs from the current one),
// starts a new generation and queues the hook call.
func (c *circuit) setStateLocked(to State) {
	from := c.state
	c.state = to
	c.expiry = time.Time{}
	c.newGenerationLocked()
	if c.set.hook != nil {
		c.events = append(c.events, transition{from, to})
	}
}

// openLocked opens the circuit until until, or extends an open circuit to
// until if that is later. It never shortens an open period. share says
// whether the Shared store is told.
func (c *circuit) openLocked(until time.Time, share bool) {
	if c.state == Open {
		if !until.After(c.expiry) {
			return
		}
	} else {
		c.setStateLocked(Open)
	}
	c.expiry = until
	if share && c.set.shared != nil && !c.set.closed.Load() && until.After(c.publish) {
		c.publish = until
	}
}

// advanceLocked applies the transitions that time alone causes: Open to
// HalfOpen when the open period ends, and a fresh probe phase when every
// probe slot is taken and none reported within OpenFor.
func (c *circuit) advanceLocked(now time.Time) {
	switch c.state {
	case Open:
		if !now.Before(c.expiry) {
			c.setStateLocked(HalfOpen)
		}
	case HalfOpen:
		if c.issued >= c.cfg.probes && !c.expiry.IsZero() && !now.Before(c.expiry) {
			c.newGenerationLocked() // results of the lost probes are dropped
			c.expiry = time.Time{}
		}
	}
}

// acquire returns the generation a request is let through in, or the
// rejection.
func (c *circuit) acquire() (*generation, error) {
	if g := c.fast.Load(); g != nil {
		return g, nil
	}
	return c.acquireSlow()
}

func (c *circuit) acquireSlow() (*generation, error) {
	now := c.set.clock.Now()
	c.mu.Lock()
	c.idle = false
	c.advanceLocked(now)
	var (
		g   *generation
		err *OpenError
	)
	switch c.state {
	case Closed:
		g = c.gen
	case HalfOpen:
		if c.issued < c.cfg.probes {
			c.issued++
			c.expiry = now.Add(c.cfg.openFor)
			g = c.gen
		} else {
			err = &OpenError{Key: c.key, RetryIn: max(c.expiry.Sub(now), 0), State: HalfOpen}
		}
	default:
		err = &OpenError{Key: c.key, RetryIn: max(c.expiry.Sub(now), 0), State: Open}
	}
	c.unlock()
	if err != nil {
		return nil, err
	}
	return g, nil
}

// report counts outcome o of a request let through in generation g.
func (c *circuit) report(g *generation, o Outcome) {
	now := c.set.clock.Now()
	c.mu.Lock()
	if g != c.gen || c.dead { // stale: the circuit changed state since, or was dropped
		c.mu.Unlock()
		return
	}
	c.idle = false
	switch c.state {
	case Closed:
		switch o {
		case Success:
			c.win.add(now, false)
			c.run = 0
		case Failure:
			c.win.add(now, true)
			if c.run > 0 && now.Sub(c.lastFail) > c.cfg.window {
				c.run = 0 // a quiet gap longer than the window breaks the run
			}
			c.run++
			c.lastFail = now
			if c.tripLocked() {
				c.period, c.tripped = c.cfg.firstOpen(), now
				c.openLocked(now.Add(c.period), true)
			}
		}
	case HalfOpen:
		switch o {
		case Success:
			c.passed++
			if c.passed >= c.cfg.probes {
				c.setStateLocked(Closed)
				c.win.reset(now, c.cfg.bucket(), c.cfg.buckets)
			}
		case Failure:
			// The outage has lasted now-tripped: the next probe comes a
			// quarter of that later (at least firstOpen, at most openFor),
			// so the sends held meanwhile go out at most a quarter of the
			// outage's length after it ends, and a long outage costs a
			// probe per openFor.
			c.period = min(max(now.Sub(c.tripped)/probeGrowth, c.cfg.firstOpen()), c.cfg.openFor)
			c.openLocked(now.Add(c.period), true)
		default:
			if c.issued > 0 {
				c.issued-- // the probe told nothing: free its slot
			}
		}
	}
	c.unlock()
}

// tripLocked reports whether the closed-state counts call for a trip.
func (c *circuit) tripLocked() bool {
	if c.cfg.consecutive > 0 && c.run >= c.cfg.consecutive {
		return true
	}
	t := c.win.total
	n := uint64(t.successes) + uint64(t.failures)
	return n > 0 && n >= uint64(c.cfg.minRequests) && float64(t.failures) >= c.cfg.ratio*float64(n)
}

// state returns the current state, applying time-driven transitions.
func (c *circuit) currentState() State {
	now := c.set.clock.Now()
	c.mu.Lock()
	c.advanceLocked(now)
	st := c.state
	c.unlock()
	return st
}

// forceOpen opens the circuit for d from now, or for its OpenFor when d
// <= 0 (never shortening an open period), and tells the fleet. It returns
// false, doing nothing, when the circuit was dropped from the Set.
func (c *circuit) forceOpen(d time.Duration) bool {
	now := c.set.clock.Now()
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return false
	}
	if d <= 0 {
		d = c.cfg.openFor
	}
	c.openLocked(now.Add(d), true)
	c.unlock()
	return true
}

// fleetOpen applies an "open until" learnt from the Shared store.
func (c *circuit) fleetOpen(until time.Time) {
	now := c.set.clock.Now()
	if !until.After(now) {
		return
	}
	c.mu.Lock()
	c.openLocked(until, false)
	c.unlock()
}

// configure replaces the settings. The state and the open period are kept;
// the window restarts when its geometry changes. It returns false, doing
// nothing, when the circuit was dropped from the Set.
func (c *circuit) configure(cfg settings) bool {
	now := c.set.clock.Now()
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return false
	}
	old := c.cfg
	c.cfg = cfg
	if old.window != cfg.window || old.buckets != cfg.buckets {
		c.win.reset(now, cfg.bucket(), cfg.buckets)
	}
	c.unlock()
	return true
}

// sweep marks an idle circuit, and reports whether it was already marked
// by the previous sweep and so may be dropped (it then becomes dead). Idle
// means: Closed, nothing in the window, no live run of failures, no delivery
// pending, no activity since the mark.
func (c *circuit) sweep(now time.Time) (drop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.win.roll(now)
	runLive := c.run != 0 && now.Sub(c.lastFail) <= c.cfg.window // a failure run older than the window is broken anyway
	if c.pinned || c.state != Closed || c.win.total != (counts{}) || runLive || c.notifying || len(c.events) != 0 {
		c.idle = false
		return false
	}
	if !c.idle {
		c.idle = true
		return false
	}
	c.dead = true
	return true
}

// snapshot returns the counts of the current window.
func (c *circuit) snapshot() Counts {
	now := c.set.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == Closed {
		c.win.roll(now)
	}
	return Counts{
		State:               c.state,
		Successes:           int(c.win.total.successes),
		Failures:            int(c.win.total.failures),
		ConsecutiveFailures: c.run,
	}
}

// unlock releases c.mu, then delivers queued hook calls and publications
// outside the lock. Deliveries of one circuit are serialised and ordered:
// the first goroutine to find work queued delivers it, including work
// queued meanwhile by others (or by the hook itself, re-entering the Set);
// the others return at once.
func (c *circuit) unlock() {
	if c.notifying || (len(c.events) == 0 && c.publish.IsZero()) {
		c.mu.Unlock()
		return
	}
	c.notifying = true
	defer func() {
		if r := recover(); r != nil { // a panicking hook must not wedge the circuit
			c.mu.Lock()
			c.notifying = false
			c.mu.Unlock()
			panic(r)
		}
	}()
	for {
		events, until := c.events, c.publish
		c.events, c.publish = nil, time.Time{}
		c.mu.Unlock()
		if !until.IsZero() {
			c.set.shared.Publish(c.key, until)
		}
		for _, e := range events {
			c.set.hook(c.key, e.from, e.to)
		}
		c.mu.Lock()
		if len(c.events) == 0 && c.publish.IsZero() {
			c.notifying = false
			c.mu.Unlock()
			return
		}
	}
}
