package clock

import (
	"sort"
	"sync"
	"time"
)

// Fake is a manual clock for tests. Time moves only through Advance and
// Set; timers whose deadline is reached fire during that call. The zero
// value is not ready: use NewFake. A *Fake is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	waiters []waiter
	created int // timers made so far
}

type waiter struct {
	n  int
	ch chan struct{}
}

// NewFake returns a Fake clock that reads start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that fires when the fake time reaches
// Now()+d. A d <= 0 fires at once.
func (f *Fake) NewTimer(d time.Duration) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: f, when: f.now.Add(d), ch: make(chan time.Time, 1)}
	f.created++
	if d <= 0 {
		t.fired = true
		t.ch <- f.now
	} else {
		f.timers = append(f.timers, t)
	}
	f.notifyLocked()
	return t
}

// Advance moves the fake time forward by d and fires every timer that is
// due, in deadline order.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setLocked(f.now.Add(d))
}

// Set moves the fake time to t (never backwards) and fires due timers.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.setLocked(t)
	}
}

func (f *Fake) setLocked(t time.Time) {
	f.now = t
	sort.SliceStable(f.timers, func(i, j int) bool { return f.timers[i].when.Before(f.timers[j].when) })
	kept := f.timers[:0]
	for _, tm := range f.timers {
		if !tm.when.After(t) {
			tm.fired = true
			tm.ch <- tm.when
			continue
		}
		kept = append(kept, tm)
	}
	for i := len(kept); i < len(f.timers); i++ {
		f.timers[i] = nil
	}
	f.timers = kept
}

// Next returns when the earliest pending timer fires, and false when none
// is pending: a test that runs a simulation can Set the clock there
// instead of stepping through idle time.
func (f *Fake) Next() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.timers) == 0 {
		return time.Time{}, false
	}
	next := f.timers[0].when
	for _, t := range f.timers[1:] {
		if t.when.Before(next) {
			next = t.when
		}
	}
	return next, true
}

// Pending returns how many timers are waiting to fire.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// Created returns how many timers have been made so far.
func (f *Fake) Created() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.created
}

// WaitForTimers returns a channel that is closed once at least n timers
// are pending, so a test can Advance only after the code under test has
// started to wait.
func (f *Fake) WaitForTimers(n int) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	if len(f.timers) >= n {
		close(ch)
		return ch
	}
	f.waiters = append(f.waiters, waiter{n: n, ch: ch})
	return ch
}

// TB is the part of testing.TB that AwaitTimers uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// AwaitTimers waits, in real time and at most 10 s, until n timers are
// pending on f — the code under test is blocked in a wait — and fails tb
// instead of hanging when they never come.
func (f *Fake) AwaitTimers(tb TB, n int) {
	tb.Helper()
	select {
	case <-f.WaitForTimers(n):
	case <-time.After(10 * time.Second):
		tb.Fatalf("clock: timed out waiting for %d pending timers (have %d)", n, f.Pending())
	}
}

// AdvanceWhenWaiting waits until n timers are pending, then advances by d.
func (f *Fake) AdvanceWhenWaiting(n int, d time.Duration) {
	<-f.WaitForTimers(n)
	f.Advance(d)
}

func (f *Fake) notifyLocked() {
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if len(f.timers) >= w.n {
			close(w.ch)
			continue
		}
		kept = append(kept, w)
	}
	f.waiters = kept
}

type fakeTimer struct {
	f     *Fake
	when  time.Time
	ch    chan time.Time
	fired bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	if t.fired {
		return false
	}
	for i, tm := range t.f.timers {
		if tm == t {
			t.f.timers = append(t.f.timers[:i], t.f.timers[i+1:]...)
			break
		}
	}
	t.fired = true
	return true
}
