package breaker

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"full", Config{Window: time.Minute, Buckets: 60, MinRequests: 5, FailureRatio: 1, Consecutive: 3, OpenFor: time.Second, HalfOpenProbes: 2}, true},
		{"negative window", Config{Window: -1}, false},
		{"negative buckets", Config{Buckets: -1}, false},
		{"negative min requests", Config{MinRequests: -1}, false},
		{"ratio above 1", Config{FailureRatio: 1.01}, false},
		{"negative ratio", Config{FailureRatio: -0.1}, false},
		{"NaN ratio", Config{FailureRatio: math.NaN()}, false},
		{"negative consecutive", Config{Consecutive: -1}, false},
		{"negative open for", Config{OpenFor: -time.Second}, false},
		{"negative probes", Config{HalfOpenProbes: -1}, false},
		{"buckets finer than 1ns", Config{Window: 5, Buckets: 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if tt.ok {
				if err != nil || s == nil {
					t.Fatalf("New = %p, %v; want a Set", s, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || s != nil {
				t.Fatalf("New = %p, %v; want nil and ErrInvalidConfig", s, err)
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 10, OpenFor: 30 * time.Second})
	s.Configure("tenant-a", Config{MinRequests: 2, OpenFor: 5 * time.Second})
	s.Configure("tenant-b", Config{FailureRatio: 5}) // invalid field: the Set's value stays

	feed(t, s, "tenant-a", "FF")
	wantState(t, s, "tenant-a", Open)
	if oe := openErr(t, s, "tenant-a"); oe.RetryIn != 5*time.Second {
		t.Fatalf("tenant-a RetryIn = %v, want its own 5s", oe.RetryIn)
	}
	feed(t, s, "tenant-b", "FFFFFFFFF")
	wantState(t, s, "tenant-b", Closed) // the Set's MinRequests 10
	feed(t, s, "tenant-b", "F")
	wantState(t, s, "tenant-b", Open)
	if oe := openErr(t, s, "tenant-b"); oe.RetryIn != 30*time.Second {
		t.Fatalf("tenant-b RetryIn = %v, want the Set's 30s", oe.RetryIn)
	}

	// Reconfiguring a live key keeps its state and open period.
	s.Configure("tenant-a", Config{MinRequests: 2, OpenFor: time.Hour})
	fc.Advance(5 * time.Second)
	wantState(t, s, "tenant-a", HalfOpen)
	probe, err := s.Allow("tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	probe(Failure)
	if oe := openErr(t, s, "tenant-a"); oe.RetryIn != time.Hour {
		t.Fatalf("after reconfigure: RetryIn = %v, want the new 1h", oe.RetryIn)
	}
	// Configure on a key already used applies to later counting.
	feed(t, s, "tenant-c", "F")
	s.Configure("tenant-c", Config{MinRequests: 2})
	feed(t, s, "tenant-c", "F")
	wantState(t, s, "tenant-c", Open)
}

func TestHookReentersSet(t *testing.T) {
	var (
		s     *Set
		calls atomic.Int32
		mu    sync.Mutex
		seen  []string
	)
	fc := clock.NewFake(t0)
	s, err := New(Config{MinRequests: 1, OpenFor: time.Second, Clock: fc,
		OnStateChange: func(k string, from, to State) {
			calls.Add(1)
			mu.Lock()
			seen = append(seen, fmt.Sprintf("%s:%v>%v", k, from, to))
			mu.Unlock()
			// Every entry point of the Set, from inside the hook, on the same key.
			_ = s.State(k)
			_ = s.Counts(k)
			if d, err := s.Allow(k); err == nil {
				d(Neutral)
			}
			if to == Closed {
				s.OpenFor(k, time.Minute) // a change queued from inside the hook
			}
			s.Configure(k, Config{MinRequests: 1, OpenFor: time.Second})
		}})
	if err != nil {
		t.Fatal(err)
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		feed(t, s, key, "F")
		fc.Advance(time.Second)
		feed(t, s, key, "S")
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: the hook could not call back into the Set")
	}
	want := []string{key + ":closed>open", key + ":open>half-open", key + ":half-open>closed", key + ":closed>open"}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("hook saw %v, want %v (in order)", seen, want)
	}
}

func TestHookPanicDoesNotWedge(t *testing.T) {
	n := 0
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: time.Second, OnStateChange: func(string, State, State) {
		n++
		if n == 1 {
			panic("hook failed")
		}
	}})
	func() {
		defer func() {
			if r := recover(); r != "hook failed" {
				t.Fatalf("recovered %v, want the hook's panic", r)
			}
		}()
		feed(t, s, key, "F")
	}()
	fc.Advance(time.Second)
	wantState(t, s, key, HalfOpen)
	if n != 2 {
		t.Fatalf("hook calls = %d, want 2: the circuit stopped notifying after a panic", n)
	}
}

// TestConcurrent hammers one Set from many goroutines while time moves, and
// checks that the hook sees a consistent chain of transitions per key.
// Run with -race.
func TestConcurrent(t *testing.T) {
	fc := clock.NewFake(t0)
	var mu sync.Mutex
	last := map[string]State{}
	var bad []string
	s, err := New(Config{MinRequests: 5, OpenFor: 50 * time.Millisecond, Window: 10 * time.Millisecond, HalfOpenProbes: 2, Clock: fc,
		IdleTTL: 20 * time.Millisecond, // sweeps race with everything else
		OnStateChange: func(k string, from, to State) {
			mu.Lock()
			defer mu.Unlock()
			if last[k] != from || from == to {
				bad = append(bad, fmt.Sprintf("%s: %v>%v after %v", k, from, to, last[k]))
			}
			last[k] = to
		}})
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"a", "b", "c", "d"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				fc.Advance(time.Millisecond)
				time.Sleep(10 * time.Microsecond)
			}
		}
	}()
	var allowed, rejected atomic.Int64
	var workers sync.WaitGroup
	for w := 0; w < 8; w++ {
		workers.Add(1)
		go func(seed uint64) {
			defer workers.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < 5000; i++ {
				k := keys[r.IntN(len(keys))]
				switch r.IntN(50) {
				case 0:
					s.OpenFor(k, time.Duration(r.IntN(100))*time.Millisecond)
				case 1:
					s.Configure(k, Config{MinRequests: 1 + r.IntN(10)})
				case 2:
					_ = s.State(k)
				case 3, 4, 5:
					k = "tmp-" + strconv.Itoa(r.IntN(500)) // keys that come and go
				}
				done, err := s.Allow(k)
				if err != nil {
					rejected.Add(1)
					continue
				}
				allowed.Add(1)
				done(Outcome(r.IntN(3)))
			}
		}(uint64(w))
	}
	workers.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("inconsistent transitions: %v", bad[:min(len(bad), 5)])
	}
	for _, k := range keys {
		if got := s.State(k); got != last[k] && !(last[k] == Open && got == HalfOpen) {
			t.Errorf("%s: State %v, hook last saw %v", k, got, last[k])
		}
	}
	t.Logf("keys at the end: %d (up to 504 used)", s.Len())
	if allowed.Load() == 0 || rejected.Load() == 0 {
		t.Fatalf("allowed %d rejected %d: the test did not exercise both paths", allowed.Load(), rejected.Load())
	}
}

func TestAllocs(t *testing.T) {
	s, _ := newFake(t, Config{Shared: &memShared{}}) // a Shared store costs nothing per request
	feed(t, s, key, "S")                             // the key exists
	if n := testing.AllocsPerRun(1000, func() {
		done, err := s.Allow(key)
		if err != nil {
			t.Fatal(err)
		}
		done(Success)
	}); n != 0 {
		t.Errorf("Allow+done on a closed breaker: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _ = s.State(key) }); n != 0 {
		t.Errorf("State: %v allocs, want 0", n)
	}
}
