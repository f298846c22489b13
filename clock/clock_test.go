package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestFakeTimerFiresOnAdvance(t *testing.T) {
	f := NewFake(t0)
	tm := f.NewTimer(time.Second)
	f.Advance(999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("timer fired early")
	default:
	}
	f.Advance(time.Millisecond)
	select {
	case got := <-tm.C():
		if !got.Equal(t0.Add(time.Second)) {
			t.Fatalf("fired at %v, want %v", got, t0.Add(time.Second))
		}
	default:
		t.Fatal("timer did not fire")
	}
	if f.Pending() != 0 {
		t.Fatalf("Pending = %d, want 0", f.Pending())
	}
}

func TestFakeStop(t *testing.T) {
	f := NewFake(t0)
	tm := f.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop on a live timer = false")
	}
	if tm.Stop() {
		t.Fatal("second Stop = true")
	}
	f.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
}

func TestSleepFakeAndCancel(t *testing.T) {
	f := NewFake(t0)
	done := make(chan error, 1)
	go func() { done <- Sleep(context.Background(), f, 30*time.Second) }()
	f.AdvanceWhenWaiting(1, 30*time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep = %v, want nil", err)
	}
	if got := f.Now().Sub(t0); got != 30*time.Second {
		t.Fatalf("time moved %v, want 30s", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- Sleep(ctx, f, time.Hour) }()
	<-f.WaitForTimers(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), nil, 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}

type fatalRecorder struct{ msg string }

func (r *fatalRecorder) Helper()                           {}
func (r *fatalRecorder) Fatalf(format string, args ...any) { r.msg = format }

func TestAwaitTimers(t *testing.T) {
	f := NewFake(t0)
	f.NewTimer(time.Second)
	var r fatalRecorder
	f.AwaitTimers(&r, 1)
	if r.msg != "" {
		t.Fatalf("AwaitTimers(1) with one pending timer failed: %s", r.msg)
	}
}

func TestFakeNext(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	if _, ok := f.Next(); ok {
		t.Fatal("Next reports a timer on a new clock")
	}
	a := f.NewTimer(3 * time.Second)
	f.NewTimer(time.Second)
	f.NewTimer(2 * time.Second)
	if next, ok := f.Next(); !ok || !next.Equal(time.Unix(1, 0)) {
		t.Fatalf("Next = %v %v, want 1s", next, ok)
	}
	f.Set(time.Unix(2, 0))
	if next, ok := f.Next(); !ok || !next.Equal(time.Unix(3, 0)) {
		t.Fatalf("after Set(2s) Next = %v %v, want 3s", next, ok)
	}
	a.Stop()
	if _, ok := f.Next(); ok {
		t.Fatal("Next reports a stopped timer")
	}
}
