package policy

import (
	"sync"
	"time"

	"github.com/octosend/octosend/clock"
)

// budgetBuckets is how many slices the budget window is cut into.
const budgetBuckets = 10

// Budget is a retry budget shared by all sends of a client, so that an
// outage cannot multiply the traffic sent to 8x8: over the last Window,
// retries may not exceed Ratio times the first attempts, plus a floor of
// MinPerSecond·Window retries that is always allowed (the scheme of gRPC
// retry throttling, Envoy retry budgets and the SRE book's per-client
// retry budget).
//
// The client calls Request for each first attempt and TryRetry before
// each retry; a false TryRetry means "give up now". A *Budget is safe for
// concurrent use; each call takes one short mutex and reads the clock
// once. Counts are kept in budgetBuckets slices of the window, so they
// expire one slice at a time.
type Budget struct {
	mu      sync.Mutex
	clock   clock.Clock
	start   time.Time
	width   time.Duration // one bucket
	ratio   float64
	floor   float64 // retries always allowed per window
	off     bool
	last    int64 // newest bucket epoch seen
	buckets [budgetBuckets]budgetBucket
	reqs    int64 // sums over the live buckets
	retries int64
}

type budgetBucket struct {
	epoch         int64
	reqs, retries int64
}

// NewBudget returns a Budget for cfg, reading time from c (nil = the real
// clock). Zero fields of cfg mean the defaults; fields out of range (which
// New and Parse reject) are replaced by the defaults too, so NewBudget
// cannot fail.
func NewBudget(cfg BudgetConfig, c clock.Clock) *Budget {
	if !(cfg.Ratio > 0 && cfg.Ratio <= 1) {
		cfg.Ratio = 0
	}
	if !(cfg.MinPerSecond > 0 && cfg.MinPerSecond <= MaxBudgetMinPerSecond) {
		cfg.MinPerSecond = 0
	}
	if cfg.Window < time.Second || cfg.Window > MaxBudgetWindow {
		cfg.Window = 0
	}
	cfg = cfg.withDefaults()
	c = clock.Or(c)
	return &Budget{
		clock: c,
		start: c.Now(),
		width: cfg.Window / budgetBuckets,
		ratio: cfg.Ratio,
		floor: cfg.MinPerSecond * cfg.Window.Seconds(),
		off:   cfg.Disabled,
	}
}

// Request counts a first attempt.
func (b *Budget) Request() {
	if b.off {
		return
	}
	b.mu.Lock()
	bk := b.advanceLocked()
	bk.reqs++
	b.reqs++
	b.mu.Unlock()
}

// TryRetry takes one retry from the budget. It returns false, and counts
// nothing, when the retries of the window already reached
// Ratio·requests + MinPerSecond·Window.
func (b *Budget) TryRetry() bool {
	if b.off {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.advanceLocked()
	if float64(b.retries+1) > b.ratio*float64(b.reqs)+b.floor {
		return false
	}
	bk.retries++
	b.retries++
	return true
}

// Counts returns the first attempts and retries counted in the current
// window.
func (b *Budget) Counts() (requests, retries int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked()
	return b.reqs, b.retries
}

// advanceLocked expires the buckets that left the window and returns the
// current one.
func (b *Budget) advanceLocked() *budgetBucket {
	epoch := int64(b.clock.Now().Sub(b.start) / b.width)
	if epoch < b.last { // a clock that stepped back: keep counting in the newest bucket
		epoch = b.last
	}
	if epoch > b.last {
		// Clear every bucket from last+1 to epoch (at most all of them).
		n := min(epoch-b.last, budgetBuckets)
		for e := epoch - n + 1; e <= epoch; e++ {
			bk := &b.buckets[e%budgetBuckets]
			b.reqs -= bk.reqs
			b.retries -= bk.retries
			*bk = budgetBucket{epoch: e}
		}
		b.last = epoch
	}
	bk := &b.buckets[epoch%budgetBuckets]
	if bk.epoch != epoch { // only at start: epoch 0 buckets
		b.reqs -= bk.reqs
		b.retries -= bk.retries
		*bk = budgetBucket{epoch: epoch}
	}
	return bk
}
