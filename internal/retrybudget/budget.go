// Package retrybudget is the client-wide retry budget: over a sliding
// window, retries may not exceed a ratio of first attempts plus a floor
// (the scheme of gRPC retry throttling, Envoy retry budgets and the SRE
// book's per-client budget), with two additions for a sender that holds
// messages instead of failing them:
//
//   - Retries refused by a full budget wait in a queue (Hold) and get the
//     room as it frees, oldest first; a retry that has not waited never
//     takes room ahead of one that has.
//   - A retry that succeeded gives its token back (Refund), as the AWS
//     SDK's retry quota does: the budget bounds retries that fail, the
//     amplification of an outage, not the retries that deliver once the
//     API has recovered.
package retrybudget

import (
	"sync"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// buckets is how many slices the window is cut into.
const buckets = 10

// Token identifies a retry taken from the budget, for Refund. The zero
// Token is none (a disabled budget hands out zero tokens).
type Token int64

// Budget is a retry budget shared by all sends of a client. The client
// calls Request for each first attempt, TryRetry before each retry and,
// when TryRetry refuses, Hold to wait for room. A *Budget is safe for
// concurrent use; each call takes one short mutex and reads the clock
// once. Counts are kept in buckets slices of the window, so they expire
// one slice at a time.
type Budget struct {
	mu      sync.Mutex
	clock   clock.Clock
	start   time.Time
	width   time.Duration // one bucket
	ratio   float64
	floor   float64 // retries always allowed per window
	off     bool
	last    int64 // newest bucket epoch seen
	slots   [buckets]bucket
	reqs    int64 // sums over the live buckets
	retries int64
	head    *Hold // oldest waiting retry
	tail    *Hold
	waiting int
}

type bucket struct {
	epoch         int64
	reqs, retries int64
}

// New returns a Budget for cfg, reading time from c (nil = the real
// clock). Zero fields of cfg mean the defaults; fields out of range (which
// policy.New and policy.Parse reject) are replaced by the defaults too, so
// New cannot fail.
func New(cfg policy.BudgetConfig, c clock.Clock) *Budget {
	if !(cfg.Ratio > 0 && cfg.Ratio <= 1) {
		cfg.Ratio = policy.DefaultBudgetRatio
	}
	if !(cfg.MinPerSecond > 0 && cfg.MinPerSecond <= policy.MaxBudgetMinPerSecond) {
		cfg.MinPerSecond = policy.DefaultBudgetMinPerSecond
	}
	if cfg.Window < time.Second || cfg.Window > policy.MaxBudgetWindow {
		cfg.Window = policy.DefaultBudgetWindow
	}
	c = clock.Or(c)
	return &Budget{
		clock: c,
		start: c.Now(),
		width: cfg.Window / buckets,
		ratio: cfg.Ratio,
		floor: cfg.MinPerSecond * cfg.Window.Seconds(),
		off:   cfg.Disabled,
	}
}

// Request counts a first attempt. Its room goes to waiting retries first.
func (b *Budget) Request() {
	if b.off {
		return
	}
	b.mu.Lock()
	bk := b.advanceLocked()
	bk.reqs++
	b.reqs++
	if b.head != nil {
		b.grantLocked()
	}
	b.mu.Unlock()
}

// TryRetry takes one retry from the budget. It refuses, and counts
// nothing, when the retries of the window already reached
// Ratio·requests + floor, or when retries are waiting in Hold (they get
// the room first).
func (b *Budget) TryRetry() (Token, bool) {
	if b.off {
		return 0, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.advanceLocked()
	if b.head != nil || !b.roomLocked() {
		return 0, false
	}
	return b.takeLocked(bk), true
}

// Refund gives back the token of a retry that succeeded, if the slice of
// the window it was counted in is still live; the room goes to waiting
// retries first.
func (b *Budget) Refund(t Token) {
	if t == 0 || b.off {
		return
	}
	b.mu.Lock()
	b.advanceLocked()
	e := int64(t) - 1
	if bk := &b.slots[e%buckets]; bk.epoch == e && bk.retries > 0 {
		bk.retries--
		b.retries--
		if b.head != nil {
			b.grantLocked()
		}
	}
	b.mu.Unlock()
}

// Counts returns the first attempts and retries counted in the current
// window, and how many retries are waiting.
func (b *Budget) Counts() (requests, retries int64, waiting int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked()
	return b.reqs, b.retries, b.waiting
}

func (b *Budget) roomLocked() bool {
	return float64(b.retries+1) <= b.ratio*float64(b.reqs)+b.floor
}

func (b *Budget) takeLocked(bk *bucket) Token {
	bk.retries++
	b.retries++
	return Token(bk.epoch + 1)
}

// advanceLocked expires the slices that left the window and returns the
// current one.
func (b *Budget) advanceLocked() *bucket {
	epoch := int64(b.clock.Now().Sub(b.start) / b.width)
	if epoch < b.last { // a clock that stepped back: keep counting in the newest slice
		epoch = b.last
	}
	if epoch > b.last {
		// Clear every slice from last+1 to epoch (at most all of them).
		n := min(epoch-b.last, buckets)
		for e := epoch - n + 1; e <= epoch; e++ {
			bk := &b.slots[e%buckets]
			b.reqs -= bk.reqs
			b.retries -= bk.retries
			*bk = bucket{epoch: e}
		}
		b.last = epoch
	}
	bk := &b.slots[epoch%buckets]
	if bk.epoch != epoch { // only at start: epoch 0 slices
		b.reqs -= bk.reqs
		b.retries -= bk.retries
		*bk = bucket{epoch: epoch}
	}
	return bk
}
