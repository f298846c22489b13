package retrybudget

import (
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// Waiting retries get the room oldest first, and a retry that did not
// wait cannot take it from them: with a floor of one retry per second,
// spent at once, three held retries are served in the order they queued,
// one per second as the floor refills, while TryRetry keeps refusing.
func TestHoldServesOldestFirst(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 1, Window: 10 * time.Second}, c) // floor 10
	for range 10 {
		if !try(b) {
			t.Fatal("retry refused within the floor")
		}
	}
	holds := []*Hold{b.Hold(), b.Hold(), b.Hold()}
	if _, _, w := b.Counts(); w != 3 {
		t.Fatalf("waiting = %d, want 3", w)
	}
	var order []int
	var at []time.Duration
	for step := 0; len(order) < 3 && step < 100; step++ {
		c.Advance(100 * time.Millisecond)
		if try(b) {
			t.Fatal("TryRetry took room while retries were waiting")
		}
		for i := len(holds) - 1; i >= 0; i-- { // the newest polls first: order must not depend on it
			if _, ok := holds[i].Poll(); ok && !contains(order, i) {
				order = append(order, i)
				at = append(at, c.Now().Sub(epoch))
			}
		}
	}
	if len(order) != 3 || order[0] != 0 || order[1] != 1 || order[2] != 2 {
		t.Errorf("served %v, want [0 1 2]", order)
	}
	for i, d := range at {
		if want := time.Duration(i+1) * time.Second; d < want || d > want+100*time.Millisecond {
			t.Errorf("hold %d served at +%v, want +%v: the floor refills one retry a second", order[i], d, want)
		}
	}
	for i, h := range holds {
		select {
		case <-h.Ready():
		default:
			t.Errorf("hold %d granted but Ready not closed", i)
		}
	}
	if _, _, w := b.Counts(); w != 0 {
		t.Errorf("waiting = %d after all were served", w)
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A retry that succeeds gives its token back: after an outage spent the
// budget, each delivered retry makes room for the next waiter at once,
// without waiting for the window to slide.
func TestRefundFreesRoomForWaiters(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.1, Window: 10 * time.Second}, c) // floor 1
	tok, ok := b.TryRetry()
	if !ok || tok == 0 {
		t.Fatalf("first retry refused (tok %d)", tok)
	}
	h1, h2 := b.Hold(), b.Hold()
	if _, ok := h1.Poll(); ok {
		t.Fatal("granted with no room")
	}
	b.Refund(tok) // the retry was accepted
	t1, ok := h1.Poll()
	if !ok {
		t.Fatal("refund did not go to the oldest waiter")
	}
	if _, ok := h2.Poll(); ok {
		t.Fatal("one refund granted two waiters")
	}
	b.Refund(t1)
	select {
	case <-h2.Ready(): // granted by Refund itself, without a Poll
	default:
		t.Fatal("second refund did not wake the next waiter")
	}
	if _, ret, w := b.Counts(); ret != 1 || w != 0 {
		t.Errorf("retries %d waiting %d, want 1 (h2's) and 0", ret, w)
	}
}

// A token from a slice that left the window refunds nothing: it was
// already forgotten, and refunding it again would let retries exceed the
// budget.
func TestRefundOfExpiredToken(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.1, Window: 10 * time.Second}, c)
	tok, _ := b.TryRetry()
	c.Advance(11 * time.Second)
	if !try(b) {
		t.Fatal("window slid but retry refused")
	}
	b.Refund(tok)
	if try(b) {
		t.Error("the expired token's refund made room past the floor")
	}
}

// A waiter that gives up leaves the queue, and one cancelled after its
// grant gives the token to the next.
func TestHoldCancel(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.1, Window: 10 * time.Second}, c)
	tok, _ := b.TryRetry()
	h1, h2, h3 := b.Hold(), b.Hold(), b.Hold()
	h1.Cancel()
	b.Refund(tok)
	if _, ok := h2.Poll(); !ok {
		t.Fatal("the cancelled head kept its place")
	}
	h2.Cancel() // granted, then the send gave up: its token goes to h3
	if _, ok := h3.Poll(); !ok {
		t.Fatal("a granted-then-cancelled token was not passed on")
	}
	if _, ret, w := b.Counts(); ret != 1 || w != 0 {
		t.Errorf("retries %d waiting %d, want 1 and 0", ret, w)
	}
}

// A disabled budget never holds.
func TestHoldDisabled(t *testing.T) {
	b := New(policy.BudgetConfig{Disabled: true}, clock.NewFake(epoch))
	h := b.Hold()
	if _, ok := h.Poll(); !ok {
		t.Fatal("a disabled budget held a retry")
	}
	<-h.Ready()
	h.Cancel()
}

// Under contention the queue neither loses nor duplicates a grant: every
// hold ends granted or cancelled, and the retries counted never exceed
// the budget.
func TestHoldConcurrent(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.1, MinPerSecond: 1, Window: 10 * time.Second}, c) // floor 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				b.Request()
				if try(b) {
					continue
				}
				h := b.Hold()
				if (g+i)%3 == 0 {
					h.Cancel()
					continue
				}
				if _, ok := h.Poll(); ok {
					mu.Lock()
					granted++
					mu.Unlock()
				} else {
					h.Cancel()
				}
			}
		})
	}
	wg.Wait()
	req, ret, w := b.Counts()
	if w != 0 {
		t.Errorf("%d holds left in the queue", w)
	}
	if limit := int64(0.1*float64(req)) + 10; ret > limit {
		t.Errorf("%d retries counted for %d requests, over the budget %d", ret, req, limit)
	}
}

// The floor is a rate: spent in a burst (an outage's first retries), it
// still lets MinPerSecond retries a second through, instead of none until
// the burst leaves the window, so held retries notice a recovery.
func TestFloorRefillsWithinWindow(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 10, Window: 10 * time.Second}, c) // 100 at once, then 10/s
	n := 0
	for try(b) {
		n++
	}
	if n != 100 {
		t.Fatalf("burst allowed %d retries, want the floor's 100", n)
	}
	granted := 0
	for range 30 { // 3s in 100ms steps, all inside the window
		c.Advance(100 * time.Millisecond)
		for try(b) {
			granted++
		}
	}
	if granted < 29 || granted > 31 {
		t.Errorf("%d retries in the 3s after the burst, want about 30 (10/s)", granted)
	}
}
