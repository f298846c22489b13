// Package retrybudget is the client-wide retry budget: over a sliding
// window, retries may not exceed a ratio of first attempts, plus a floor
// of retries per second that is always allowed (the scheme of gRPC retry
// throttling, Envoy retry budgets and the SRE book's per-client budget),
// with three additions for a sender that holds messages instead of
// failing them:
//
//   - The floor is a rate, not a count per window: a token bucket that
//     refills at MinPerSecond and holds MinPerSecond·Window. Spent in a
//     burst at the start of an outage, it still lets a few retries reach
//     the API every second, so a recovery is noticed within a fraction of
//     a second; counted per window, it let none through until the burst
//     left the window (10 s by default), and every sender held in the
//     queue sat out the recovery.
//
//   - Retries refused by a full budget wait in a queue (Hold) and get the
//     room as it frees, oldest first; a retry that has not waited never
//     takes room ahead of one that has.
//
//   - A retry that succeeded gives its token back (Refund), as the AWS
//     SDK's retry quota does: the budget bounds retries that fail, the
//     amplification of an outage, not the retries that deliver once the
//     API has recovered.
package retrybudget

import (
	"sync"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/internal/ilist"
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
	rate    float64   // the floor: retries per second always allowed
	cap     float64   // the floor's bucket size, rate·Window
	tokens  float64   // the floor's tokens at filled
	filled  time.Time // when tokens was last brought up to date
	off     bool
	last    int64 // newest bucket epoch seen
	slots   [buckets]bucket
	reqs    int64 // sums over the live buckets
	retries int64
	ratioed int64
	queue   ilist.List[Hold, *Hold] // waiting retries, oldest first
}

type bucket struct {
	epoch         int64
	reqs, retries int64 // first attempts, all retries
	ratioed       int64 // retries taken from the ratio's room
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
	now := c.Now()
	floor := cfg.MinPerSecond * cfg.Window.Seconds()
	return &Budget{
		clock:  c,
		start:  now,
		width:  cfg.Window / buckets,
		ratio:  cfg.Ratio,
		rate:   cfg.MinPerSecond,
		cap:    floor,
		tokens: floor,
		filled: now,
		off:    cfg.Disabled,
	}
}

// Request counts a first attempt. Its room goes to waiting retries first.
func (b *Budget) Request() {
	if b.off {
		return
	}
	b.RequestAt(b.clock.Now())
}

// RequestAt is Request for a caller that has just read the budget's
// clock: now is that reading.
func (b *Budget) RequestAt(now time.Time) {
	if b.off {
		return
	}
	b.mu.Lock()
	bk := b.advanceLockedAt(now)
	bk.reqs++
	b.reqs++
	if b.queue.Len() > 0 {
		b.grantLocked()
	}
	b.mu.Unlock()
}

// TryRetry takes one retry from the budget: from the ratio's room (the
// window's retries below Ratio·requests), else from the floor's bucket.
// It refuses, and counts nothing, when neither has room, or when retries
// are waiting in Hold (they get the room first).
func (b *Budget) TryRetry() (Token, bool) {
	if b.off {
		return 0, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.advanceLocked()
	if b.queue.Len() > 0 || !b.roomLocked() {
		return 0, false
	}
	return b.takeLocked(bk), true
}

// Refund gives back the token of a retry that succeeded, to the room it
// came from, if the slice of the window it was counted in is still live;
// the room goes to waiting retries first.
func (b *Budget) Refund(t Token) {
	if t == 0 || b.off {
		return
	}
	b.mu.Lock()
	b.advanceLocked()
	fromFloor := t < 0
	e := int64(t) - 1
	if fromFloor {
		e = -int64(t) - 1
	}
	if bk := &b.slots[e%buckets]; bk.epoch == e && bk.retries > 0 {
		bk.retries--
		b.retries--
		if fromFloor {
			b.tokens = min(b.cap, b.tokens+1)
		} else if bk.ratioed > 0 {
			bk.ratioed--
			b.ratioed--
		}
		if b.queue.Len() > 0 {
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
	return b.reqs, b.retries, b.queue.Len()
}

// ratioRoomLocked reports whether the ratio's room holds one more retry.
func (b *Budget) ratioRoomLocked() bool {
	return float64(b.ratioed+1) <= b.ratio*float64(b.reqs)
}

func (b *Budget) roomLocked() bool {
	return b.ratioRoomLocked() || b.tokens >= 1
}

// takeLocked counts a retry in bk, from the ratio's room if it has some,
// else from the floor's bucket (the caller checked roomLocked). A floor
// token is negative.
func (b *Budget) takeLocked(bk *bucket) Token {
	bk.retries++
	b.retries++
	if b.ratioRoomLocked() {
		bk.ratioed++
		b.ratioed++
		return Token(bk.epoch + 1)
	}
	b.tokens--
	return Token(-(bk.epoch + 1))
}

// advanceLocked expires the slices that left the window and returns the
// current one.
func (b *Budget) advanceLocked() *bucket { return b.advanceLockedAt(b.clock.Now()) }

// advanceLockedAt is advanceLocked at now. A now older than the last one
// counts in the newest slice (see the epoch check) and adds no tokens.
func (b *Budget) advanceLockedAt(now time.Time) *bucket {
	if d := now.Sub(b.filled); d > 0 {
		b.tokens = min(b.cap, b.tokens+d.Seconds()*b.rate)
		b.filled = now
	}
	epoch := int64(now.Sub(b.start) / b.width)
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
			b.ratioed -= bk.ratioed
			*bk = bucket{epoch: e}
		}
		b.last = epoch
	}
	bk := &b.slots[epoch%buckets]
	if bk.epoch != epoch { // only at start: epoch 0 slices
		b.reqs -= bk.reqs
		b.retries -= bk.retries
		b.ratioed -= bk.ratioed
		*bk = bucket{epoch: epoch}
	}
	return bk
}
