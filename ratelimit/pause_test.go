package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPauseHoldsEveryWaiter(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1000, Burst: 100, ProcessRate: -1})
	start := f.Now()
	l.Pause("a", start.Add(5*time.Second))

	if l.Allow("a") {
		t.Fatal("Allow true during a pause")
	}
	if !l.Allow("b") {
		t.Fatal("a pause of tenant a held tenant b")
	}
	st, _ := l.State("a")
	if !st.PausedUntil.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("PausedUntil = %v, want %v", st.PausedUntil, start.Add(5*time.Second))
	}

	// A deadline inside the pause fails at once, saying so.
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(time.Second))
	defer cancel()
	err := l.Wait(ctx, "a")
	var de *DelayError
	if !errors.As(err, &de) || !de.Paused || de.Delay != 5*time.Second || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait inside a pause = %v, want a paused *DelayError of 5s", err)
	}

	// Three senders all wait for the end of the pause.
	const senders = 3
	done := make(chan time.Time, senders)
	for range senders {
		go func() {
			if err := l.Wait(context.Background(), "a"); err != nil {
				t.Error(err)
			}
			done <- f.Now()
		}()
	}
	f.AwaitTimers(t, senders)
	f.Advance(5*time.Second - time.Millisecond)
	select {
	case <-done:
		t.Fatal("a sender left before the pause ended")
	default:
	}
	f.Advance(time.Millisecond)
	// The bucket is empty at the pause's end: the first sender leaves at
	// once, the others one by one at 1000/s.
	for i := range senders {
		if i > 0 {
			f.AwaitTimers(t, senders-i)
			f.Advance(time.Millisecond)
		}
		at := recv(t, done)
		if at.Before(start.Add(5 * time.Second)) {
			t.Fatalf("sender %d left at %v, before the pause ended", i, at.Sub(start))
		}
	}
	if got := f.Now().Sub(start); got != 5*time.Second+2*time.Millisecond {
		t.Errorf("last sender left at %v, want 5.002s (no burst after a pause)", got)
	}
}

func TestPauseCatchesWaitInProgress(t *testing.T) {
	l, f := newFake(t, Config{Rate: 1, Burst: 1, ProcessRate: -1})
	start := f.Now()
	if !l.Allow("a") {
		t.Fatal("first Allow false")
	}
	done := make(chan time.Time, 1)
	go func() {
		if err := l.Wait(context.Background(), "a"); err != nil {
			t.Error(err)
		}
		done <- f.Now()
	}()
	f.AwaitTimers(t, 1) // waiting 1s for its token
	l.Pause("a", start.Add(10*time.Second))
	f.Advance(time.Second)
	f.AwaitTimers(t, 1) // its token came, the pause holds it
	select {
	case <-done:
		t.Fatal("a wait in progress ignored the pause")
	default:
	}
	f.Advance(9 * time.Second)
	if at := recv(t, done); at.Sub(start) != 10*time.Second {
		t.Fatalf("wait ended at %v, want at the pause end (10s)", at.Sub(start))
	}
}

func TestPauseOnlyExtends(t *testing.T) {
	l, f := newFake(t, Config{ProcessRate: -1})
	start := f.Now()
	tests := []struct {
		until time.Duration
		want  time.Duration // pause end after the call; 0 = none
	}{
		{until: -time.Second, want: 0},
		{until: 0, want: 0},
		{until: 10 * time.Second, want: 10 * time.Second},
		{until: 5 * time.Second, want: 10 * time.Second},
		{until: 20 * time.Second, want: 20 * time.Second},
	}
	for _, tt := range tests {
		l.Pause("a", start.Add(tt.until))
		st, _ := l.State("a")
		var got time.Duration
		if !st.PausedUntil.IsZero() {
			got = st.PausedUntil.Sub(start)
		}
		if got != tt.want {
			t.Errorf("after Pause(+%v) pause ends at +%v, want +%v", tt.until, got, tt.want)
		}
	}
	f.Advance(20 * time.Second)
	if !l.Allow("a") {
		t.Error("Allow false after the pause ended")
	}
	if st, _ := l.State("a"); !st.PausedUntil.IsZero() {
		t.Errorf("PausedUntil = %v after the pause", st.PausedUntil)
	}
}

func TestPausedTenantIsNotEvicted(t *testing.T) {
	l, f := newFake(t, Config{ProcessRate: -1, IdleTTL: time.Minute})
	l.Pause("a", f.Now().Add(10*time.Minute))
	f.Advance(5 * time.Minute)
	if n := l.Sweep(); n != 0 {
		t.Fatalf("Sweep evicted %d tenants, want 0: a is paused", n)
	}
	f.Advance(5 * time.Minute)
	if n := l.Sweep(); n != 1 {
		t.Fatalf("Sweep evicted %d tenants after the pause, want 1", n)
	}
}
