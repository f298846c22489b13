package dlr

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
)

// ReconcilerConfig configures a Reconciler. Store is required; every other
// zero field means the documented default.
type ReconcilerConfig struct {
	// Store holds the sends (recorded by a client whose Config.Outcomes is
	// the same store) and their copies. Required.
	Store Store

	// OnResolve receives each send's Resolution: once per send (twice
	// only when a late receipt revises the verdict, Resolution.Revised). It
	// runs on the goroutine that resolved the send: a Receiver worker
	// (through OnReceipt) or the one calling Sweep. Nil means counters
	// only (Stats).
	OnResolve func(Resolution)

	// Settle is how long a send whose known copies are all final waits for
	// receipts of further copies (an earlier attempt that 8x8 accepted
	// too) before it is resolved, when it has fewer copies than it could
	// have (Entry.MaxCopies). A send with as many copies as attempts, or
	// an unambiguous one, is resolved at its final receipt. Zero means
	// 10 minutes. A copy whose receipts come later still revises the
	// verdict (Resolution.Revised).
	Settle time.Duration

	// OrphanWait is how long a receipt whose clientMessageId has no
	// recorded send waits for that record (the receipt can beat the
	// client's answer; chat apps v9 sends "queued" at once) before it is
	// counted as unknown (Stats.Unknown) and dropped. Zero means 2 minutes.
	OrphanWait time.Duration

	// Lookup, when not nil, asks 8x8's message-details API about a copy
	// whose umid is known but which had no final receipt by the deadline
	// (Store.TTL after the send): client.(*Client).LookupReceipt fits. It
	// returns the message's state as a receipt, false when 8x8 does not
	// know the umid, or an error (a 429, a transport failure), after which
	// the lookup is tried again later, LookupTries times in all.
	Lookup func(ctx context.Context, subAccountID, umid string, chat bool) (envelope.Receipt, bool, error)
	// LookupEvery is the least time between two lookups for the same
	// sub-account (8x8 allows 1 request/s per sub-account; in a fleet of N
	// instances sweeping the same store, set N seconds). Zero means 1 s.
	LookupEvery time.Duration
	// LookupTries bounds the lookups of one copy. Zero means 3.
	LookupTries int
	// LookupTimeout bounds one lookup. Zero means 10 s.
	LookupTimeout time.Duration

	// Interval is how often Run sweeps the store for due sends. Zero means
	// 1 s.
	Interval time.Duration
	// Lease is how long a due send taken by Sweep is hidden from other
	// sweepers (other instances); if the sweeper dies it comes back then.
	// Zero means 1 minute.
	Lease time.Duration
	// Batch is the number of due sends Sweep asks the store for at once.
	// Zero means 256.
	Batch int
	// Timeout bounds each store call OnReceipt makes (it has no context of
	// its own). Zero means 2 s.
	Timeout time.Duration

	// Clock tells the time. Nil means clock.Real.
	Clock clock.Clock
	// Logger receives a Warn record for each store error, failed lookup
	// and OnResolve panic; records carry no receipt content. Nil means
	// silent.
	Logger *slog.Logger
}

// Defaults of ReconcilerConfig.
const (
	DefaultSettle        = 10 * time.Minute
	DefaultOrphanWait    = 2 * time.Minute
	DefaultLookupEvery   = time.Second
	DefaultLookupTries   = 3
	DefaultLookupTimeout = 10 * time.Second
	DefaultInterval      = time.Second
	DefaultLease         = time.Minute
	DefaultBatch         = 256
	DefaultStoreTimeout  = 2 * time.Second
)

// Reconciler matches delivery receipts against the sends recorded in its
// Store and resolves each send to one Verdict: delivered once, delivered
// N times (a confirmed duplicate), failed with the receipt's error, or no
// receipt by the deadline. Feed it receipts with OnReceipt (as a
// Receiver's Config.OnReceipt) and run Run (or call Sweep) for the sends
// whose settle time or deadline comes. It is safe for concurrent use.
type Reconciler struct {
	cfg   ReconcilerConfig
	store Store
	clk   clock.Clock
	c     rcounters

	mu    sync.Mutex
	lims  map[string]*subLimiter // lookups per sub-account
	tries map[string]int         // failed lookups per umid
}

// NewReconciler returns a Reconciler for c, or a *ConfigError.
func NewReconciler(c ReconcilerConfig) (*Reconciler, error) {
	switch {
	case c.Store == nil:
		return nil, &ConfigError{"Store", "nil"}
	case c.Settle < 0:
		return nil, &ConfigError{"Settle", "negative"}
	case c.OrphanWait < 0:
		return nil, &ConfigError{"OrphanWait", "negative"}
	case c.LookupEvery < 0:
		return nil, &ConfigError{"LookupEvery", "negative"}
	case c.LookupTries < 0:
		return nil, &ConfigError{"LookupTries", "negative"}
	case c.LookupTimeout < 0:
		return nil, &ConfigError{"LookupTimeout", "negative"}
	case c.Interval < 0:
		return nil, &ConfigError{"Interval", "negative"}
	case c.Lease < 0:
		return nil, &ConfigError{"Lease", "negative"}
	case c.Batch < 0:
		return nil, &ConfigError{"Batch", "negative"}
	case c.Timeout < 0:
		return nil, &ConfigError{"Timeout", "negative"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Settle, DefaultSettle)
	def(&c.OrphanWait, DefaultOrphanWait)
	def(&c.LookupEvery, DefaultLookupEvery)
	def(&c.LookupTimeout, DefaultLookupTimeout)
	def(&c.Interval, DefaultInterval)
	def(&c.Lease, DefaultLease)
	def(&c.Timeout, DefaultStoreTimeout)
	if c.LookupTries == 0 {
		c.LookupTries = DefaultLookupTries
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	return &Reconciler{cfg: c, store: c.Store, clk: clock.Or(c.Clock),
		lims: make(map[string]*subLimiter), tries: make(map[string]int)}, nil
}

// OnReceipt takes one receipt: plug it into Config.OnReceipt, or call it
// from yours. The receipt joins its send's copies in the store; when that
// settles the send, it is resolved here and then. A store error is
// counted (Stats.StoreErrors) and the receipt is lost to reconciliation:
// the send then resolves at its deadline, by lookup where a umid is known.
func (r *Reconciler) OnReceipt(rc Receipt) {
	r.c.receipts.Add(1)
	if rc.ClientMessageID == "" || rc.UMID == "" {
		r.c.unknown.Add(1)
		return
	}
	now := r.clk.Now()
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	e, changed, err := r.store.AddReceipt(ctx, Update{
		ClientMessageID: rc.ClientMessageID, SubAccountID: rc.SubAccountID, Chat: rc.Format != envelope.FormatSMS,
		Copy: Copy{UMID: rc.UMID, State: rc.State, Detail: rc.Detail, Timestamp: rc.Timestamp, ErrorCode: rc.ErrorCode},
		At:   now, OrphanDue: now.Add(r.cfg.OrphanWait),
	})
	if err != nil {
		r.storeError("receipt", err)
		return
	}
	if e.Sends == 0 {
		r.c.orphans.Add(1)
		return
	}
	r.c.matched.Add(1)
	if !changed {
		return
	}
	r.advance(ctx, &e, now)
}

// advance acts on an entry whose copies just changed.
func (r *Reconciler) advance(ctx context.Context, e *Entry, now time.Time) {
	if e.Reported != VerdictNone {
		// Resolved already: a late receipt. It revises the verdict only if
		// it changes it.
		if v, _, _ := judge(e.Copies); v != e.Reported {
			r.resolve(ctx, e, e.Reported, now, false)
		} else {
			r.c.late.Add(1)
		}
		return
	}
	ok, at := copiesSettled(e, now, r.cfg.Settle)
	switch {
	case ok:
		r.resolve(ctx, e, VerdictNone, now, false)
	case !at.IsZero() && (e.Due.IsZero() || at.Before(e.Due)):
		if err := r.store.Schedule(ctx, e.ClientMessageID, at); err != nil {
			r.storeError("schedule", err)
		}
	}
}

// resolve reports e's verdict, if the store lets this caller (prev is the
// verdict reported before, VerdictNone for the first).
func (r *Reconciler) resolve(ctx context.Context, e *Entry, prev Verdict, now time.Time, deadline bool) {
	res := resolution(e, now, deadline)
	if prev != VerdictNone {
		res.Revised, res.Previous = true, prev
	}
	ok, err := r.store.Resolve(ctx, e.ClientMessageID, prev, res.Verdict, now)
	if err != nil {
		r.storeError("resolve", err)
		return
	}
	if !ok {
		return // another caller did
	}
	r.forgetTries(e)
	t := &r.c.plain
	if e.Ambiguous {
		t = &r.c.ambiguous
	}
	if prev != VerdictNone {
		r.c.revised.Add(1)
		t.add(prev, ^uint64(0))
	}
	t.add(res.Verdict, 1)
	if r.cfg.OnResolve != nil {
		r.callback(res)
	}
}

func (r *Reconciler) callback(res Resolution) {
	defer func() {
		if p := recover(); p != nil {
			r.c.panics.Add(1)
			if l := r.cfg.Logger; l != nil {
				l.Error("dlr: OnResolve panicked", "verdict", res.Verdict.String())
			}
		}
	}()
	r.cfg.OnResolve(res)
}

func (r *Reconciler) storeError(op string, err error) {
	r.c.storeErrors.Add(1)
	if l := r.cfg.Logger; l != nil {
		l.Warn("dlr: reconciler store error", "op", op, "error", err.Error())
	}
}
