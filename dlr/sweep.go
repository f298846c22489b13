package dlr

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Sweep looks at every send that is due now (Store.Due): an orphan's
// receipts whose send never got recorded are dropped (Stats.Unknown), a
// send whose copies settled is resolved, and a send past its deadline
// (Store.TTL after it was sent) is looked up by umid (ReconcilerConfig.Lookup,
// within LookupEvery per sub-account) and resolved with what is known;
// anything else is scheduled for when it can settle or its deadline. It
// returns the number of due sends it looked at, and the store's error, if
// any, or the context's.
func (r *Reconciler) Sweep(ctx context.Context) (int, error) {
	n := 0
	for {
		now := r.clk.Now()
		es, err := r.store.Due(ctx, now, r.cfg.Lease, r.cfg.Batch)
		if err != nil {
			r.storeError("due", err)
			return n, err
		}
		for i := range es {
			r.check(ctx, &es[i], now)
		}
		n += len(es)
		if len(es) < r.cfg.Batch || ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
}

// Run sweeps every Interval (on the Clock) until ctx ends, and returns
// ctx's error. Store errors are counted and logged, and the next sweep
// tries again.
func (r *Reconciler) Run(ctx context.Context) error {
	for {
		_, _ = r.Sweep(ctx)
		t := r.clk.NewTimer(r.cfg.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C():
		}
	}
}

// check acts on one due entry.
func (r *Reconciler) check(ctx context.Context, e *Entry, now time.Time) {
	if e.Sends == 0 {
		// Receipts whose send was never recorded.
		if err := r.store.Forget(ctx, e.ClientMessageID); err != nil {
			r.storeError("forget", err)
			return
		}
		r.c.unknown.Add(uint64(max(e.Receipts, 1)))
		return
	}
	ok, at := copiesSettled(e, now, r.cfg.Settle)
	if ok {
		r.resolve(ctx, e, VerdictNone, now, false)
		return
	}
	deadline := e.SentAt.Add(r.store.TTL())
	if now.Before(deadline) {
		next := deadline
		if !at.IsZero() && at.Before(next) {
			next = at
		}
		r.schedule(ctx, e, next)
		return
	}
	if r.cfg.Lookup != nil {
		if until := r.lookUp(ctx, e, now); !until.IsZero() {
			r.schedule(ctx, e, until)
			return
		}
	}
	r.resolve(ctx, e, VerdictNone, now, true)
}

func (r *Reconciler) schedule(ctx context.Context, e *Entry, at time.Time) {
	if err := r.store.Schedule(ctx, e.ClientMessageID, at); err != nil {
		r.storeError("schedule", err)
	}
}

// lookUp asks 8x8 about each copy of e that has a umid but no final state,
// once (or LookupTries times on errors), and merges what it says into the
// store and into e. It returns when to come back, when a lookup had to be
// put off (LookupEvery) or failed; zero when every copy was looked up.
func (r *Reconciler) lookUp(ctx context.Context, e *Entry, now time.Time) time.Time {
	for i := range e.Copies {
		c := &e.Copies[i]
		if c.Final() || c.LookedUp || r.triesOf(c.UMID) >= r.cfg.LookupTries {
			continue
		}
		if wait := r.allowLookup(e.SubAccountID, now); wait > 0 {
			r.c.lookupDeferred.Add(1)
			return now.Add(wait)
		}
		lctx, cancel := context.WithTimeout(ctx, r.cfg.LookupTimeout)
		rc, found, err := r.cfg.Lookup(lctx, e.SubAccountID, c.UMID, e.Chat)
		cancel()
		r.c.lookups.Add(1)
		switch {
		case err != nil:
			r.c.lookupErrors.Add(1)
			n := r.addTry(c.UMID, 1)
			if l := r.cfg.Logger; l != nil {
				l.Warn("dlr: lookup failed", "sub_account", e.SubAccountID, "umid", c.UMID, "try", n, "error", err.Error())
			}
			if n < r.cfg.LookupTries {
				return now.Add(r.cfg.LookupEvery << min(n, 10))
			}
			continue
		case !found:
			r.c.lookupNotFound.Add(1)
			r.addTry(c.UMID, r.cfg.LookupTries)
			continue
		}
		r.addTry(c.UMID, r.cfg.LookupTries)
		n := Copy{UMID: c.UMID, State: rc.State, Detail: rc.Detail, Timestamp: rc.Timestamp, ErrorCode: rc.ErrorCode, LookedUp: true}
		ne, _, err := r.store.AddReceipt(ctx, Update{ClientMessageID: e.ClientMessageID, Copy: n, At: now, OrphanDue: now})
		if err != nil {
			r.storeError("lookup", err)
			continue
		}
		*e = ne
	}
	return time.Time{}
}

// subLimiter paces the lookups of one sub-account.
type subLimiter struct {
	lim  *rate.Limiter
	last time.Time
}

// allowLookup takes a lookup slot for sub at now, or returns how long to
// wait for one.
func (r *Reconciler) allowLookup(sub string, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lims[sub]
	if l == nil {
		if len(r.lims) >= 4096 {
			// Drop the idle ones: a full limiter is the same as a new one.
			for k, v := range r.lims {
				if now.Sub(v.last) > r.cfg.LookupEvery {
					delete(r.lims, k)
				}
			}
		}
		l = &subLimiter{lim: rate.NewLimiter(rate.Every(r.cfg.LookupEvery), 1)}
		r.lims[sub] = l
	}
	res := l.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	l.last = now
	return 0
}

func (r *Reconciler) triesOf(umid string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries[umid]
}

func (r *Reconciler) addTry(umid string, n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.tries) >= 100_000 {
		clear(r.tries) // a bound; at worst a copy is looked up again
	}
	r.tries[umid] += n
	return r.tries[umid]
}

// forgetTries drops the lookup counts of e's copies once it is resolved.
func (r *Reconciler) forgetTries(e *Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range e.Copies {
		delete(r.tries, e.Copies[i].UMID)
	}
}
