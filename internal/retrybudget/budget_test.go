package retrybudget

import (
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

var epoch = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

func TestBudgetFloor(t *testing.T) {
	c := clock.NewFake(epoch)
	// 10% of requests, plus 1/s over a 10s window = 10 retries with no traffic.
	b := New(policy.BudgetConfig{Ratio: 0.1, MinPerSecond: 1, Window: 10 * time.Second}, c)
	for i := range 10 {
		if !try(b) {
			t.Fatalf("retry %d refused within the floor of 10", i+1)
		}
	}
	if try(b) {
		t.Fatalf("retry 11 allowed past the floor")
	}
	if req, ret, _ := b.Counts(); req != 0 || ret != 10 {
		t.Errorf("Counts = %d, %d; want 0, 10 (a refused retry is not counted)", req, ret)
	}
}

func TestBudgetRatio(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.2, MinPerSecond: 0.1, Window: 10 * time.Second}, c) // floor: 1 retry
	for range 100 {
		b.Request()
	}
	allowed := 0
	for range 100 {
		if try(b) {
			allowed++
		}
	}
	if want := 21; allowed != want { // 0.2*100 + 1
		t.Errorf("allowed %d retries after 100 requests, want %d", allowed, want)
	}
}

func TestBudgetWindowSlides(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 1, MinPerSecond: 0.1, Window: 10 * time.Second}, c) // floor 1
	for range 5 {
		b.Request()
	}
	for range 6 {
		if !try(b) {
			t.Fatal("retry refused within ratio+floor")
		}
	}
	if try(b) {
		t.Fatal("retry allowed over ratio+floor")
	}
	c.Advance(5 * time.Second) // still inside the window
	if try(b) {
		t.Fatal("retry allowed 5s later: the old counts should still hold")
	}
	c.Advance(5*time.Second + time.Millisecond) // the first bucket left the window
	if req, ret, _ := b.Counts(); req != 0 || ret != 0 {
		t.Errorf("Counts after the window = %d, %d; want 0, 0", req, ret)
	}
	if !try(b) {
		t.Fatal("retry refused after the window slid")
	}
	c.Advance(24 * time.Hour) // a long idle gap clears everything at once
	if req, ret, _ := b.Counts(); req != 0 || ret != 0 {
		t.Errorf("Counts after a day = %d, %d", req, ret)
	}
}

func TestBudgetPartialExpiry(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 1, MinPerSecond: 0.1, Window: 10 * time.Second}, c)
	for s := range 10 { // one request per second
		b.Request()
		c.Advance(time.Second)
		_ = s
	}
	// Now at t=10s: the request made at t=0 has expired, 9 remain.
	if req, _, _ := b.Counts(); req != 9 {
		t.Errorf("requests in window = %d, want 9", req)
	}
}

func TestBudgetDisabledAndDefaults(t *testing.T) {
	b := New(policy.BudgetConfig{Disabled: true}, clock.NewFake(epoch))
	for range 1000 {
		if !try(b) {
			t.Fatal("a disabled budget refused a retry")
		}
	}
	// Out-of-range fields fall back to the defaults: 10/s * 10s = 100 floor.
	b = New(policy.BudgetConfig{Ratio: 7, MinPerSecond: -1, Window: time.Nanosecond}, clock.NewFake(epoch))
	n := 0
	for try(b) {
		n++
		if n > 1000 {
			break
		}
	}
	if n != 100 {
		t.Errorf("default floor allowed %d retries, want 100", n)
	}
}

func TestBudgetConcurrent(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 0.5, MinPerSecond: 1, Window: 10 * time.Second}, c)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				b.Request()
				if try(b) {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// Never more than ratio*requests + floor, whatever the interleaving.
	if max := int(0.5*8000) + 10; allowed > max || allowed < 4000 {
		t.Errorf("allowed %d retries of 8000 requests, want between 4000 and %d", allowed, max)
	}
}

func try(b *Budget) bool {
	_, ok := b.TryRetry()
	return ok
}

// RequestAt counts a request at the caller's reading of the clock; one
// read before the budget last advanced counts in the newest slice, so it
// neither resurrects an expired slice nor adds floor tokens twice.
func TestBudgetRequestAt(t *testing.T) {
	c := clock.NewFake(epoch)
	b := New(policy.BudgetConfig{Ratio: 1, MinPerSecond: 0.1, Window: 10 * time.Second}, c) // floor 1
	stale := c.Now()
	c.Advance(20 * time.Second) // past the whole window
	b.Request()                 // advances the budget to now
	b.RequestAt(stale)          // read before that
	if req, _, _ := b.Counts(); req != 2 {
		t.Fatalf("Counts: %d requests, want 2", req)
	}
	allowed := 0
	for range 10 {
		if try(b) {
			allowed++
		}
	}
	if allowed != 3 { // ratio 1 × 2 requests + the floor's 1
		t.Errorf("allowed %d retries after two requests, want 3", allowed)
	}
	c.Advance(11 * time.Second)
	if req, _, _ := b.Counts(); req != 0 {
		t.Errorf("Counts after the window passed: %d requests, want 0 (the stale one counted in the newest slice)", req)
	}
}
