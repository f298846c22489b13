package breaker

import (
	"errors"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const key = "https://sms.8x8.com"

// newFake returns a Set on a fake clock.
func newFake(t *testing.T, cfg Config) (*Set, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(t0)
	cfg.Clock = fc
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, fc
}

// feed reports outcomes for key one request at a time, written as a string
// of S (success), F (failure) and N (neutral). Every request must be let
// through.
func feed(t *testing.T, s *Set, key, outcomes string) {
	t.Helper()
	for i, ch := range outcomes {
		done, err := s.Allow(key)
		if err != nil {
			t.Fatalf("request %d (%c) rejected: %v", i, ch, err)
		}
		done(outcome(t, ch))
	}
}

func outcome(t *testing.T, ch rune) Outcome {
	switch ch {
	case 'S':
		return Success
	case 'F':
		return Failure
	case 'N':
		return Neutral
	}
	t.Fatalf("bad outcome %q", ch)
	return 0
}

// openErr asserts that Allow(key) is rejected and returns the error.
func openErr(t *testing.T, s *Set, key string) *OpenError {
	t.Helper()
	done, err := s.Allow(key)
	if err == nil {
		done(Neutral)
		t.Fatalf("Allow(%q) let a request through in state %v, want a rejection", key, s.State(key))
	}
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("Allow error %v does not match ErrOpen", err)
	}
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("Allow error %T is not *OpenError", err)
	}
	if oe.Key != key {
		t.Fatalf("OpenError.Key = %q, want %q", oe.Key, key)
	}
	return oe
}

func wantState(t *testing.T, s *Set, key string, want State) {
	t.Helper()
	if got := s.State(key); got != want {
		t.Fatalf("State(%q) = %v, want %v", key, got, want)
	}
}

func TestClosedTrips(t *testing.T) {
	ratio := Config{MinRequests: 10, FailureRatio: 0.5}
	consec := Config{MinRequests: 100, Consecutive: 3}
	tests := []struct {
		name     string
		cfg      Config
		outcomes string
		want     State
	}{
		{"below min requests", ratio, "FFFFFFFFF", Closed},
		{"min requests reached, all failures", ratio, "FFFFFFFFFF", Open},
		{"ratio just under", ratio, "SSSSSSFFFF", Closed},
		{"ratio reached on a failure", ratio, "SSSSSFFFFF", Open},
		{"ratio reached, then no trip on success", ratio, "FFFFSSSSSS", Closed},
		{"neutral not counted toward min", ratio, "NNNNNNNNNNNNFFFF", Closed},
		{"neutral not diluting the ratio", Config{MinRequests: 4, FailureRatio: 0.5}, "SNNNNNNF", Closed},
		{"neutral between failures", Config{MinRequests: 4, FailureRatio: 0.5}, "FNFNFNF", Open},
		{"default config needs 20", Config{}, "FFFFFFFFFFFFFFFFFFF", Closed},
		{"default config trips at 20", Config{}, "FFFFFFFFFFFFFFFFFFFF", Open},
		{"ratio 1 needs all failures", Config{MinRequests: 3, FailureRatio: 1}, "SFFFFFFF", Closed},
		{"consecutive below", consec, "FF", Closed},
		{"consecutive reached", consec, "FFF", Open},
		{"consecutive broken by success", consec, "FFSFF", Closed},
		{"consecutive not broken by neutral", consec, "FFNF", Open},
		{"consecutive off by default", Config{MinRequests: 100}, "FFFFFFFFFFFFFFFFFFFFFFFFFF", Closed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newFake(t, tt.cfg)
			feed(t, s, key, tt.outcomes)
			if got := s.State(key); got != tt.want {
				t.Fatalf("after %s: State = %v, want %v (counts %+v)", tt.outcomes, got, tt.want, s.Counts(key))
			}
		})
	}
}

func TestConsecutiveRunBrokenByQuietGap(t *testing.T) {
	s, fc := newFake(t, Config{Window: 10 * time.Second, MinRequests: 100, Consecutive: 3})
	feed(t, s, key, "FF")
	fc.Advance(10*time.Second + 1) // a gap longer than the window
	feed(t, s, key, "F")
	wantState(t, s, key, Closed)
	if got := s.Counts(key).ConsecutiveFailures; got != 1 {
		t.Fatalf("ConsecutiveFailures = %d, want 1", got)
	}
	fc.Advance(10 * time.Second) // a gap of exactly the window keeps the run
	feed(t, s, key, "F")
	fc.Advance(time.Second)
	feed(t, s, key, "F")
	wantState(t, s, key, Open)
}

func TestOpenToHalfOpenToClosed(t *testing.T) {
	var changes []transition
	s, fc := newFake(t, Config{MinRequests: 2, OpenFor: 30 * time.Second,
		OnStateChange: func(k string, from, to State) {
			if k != key {
				t.Errorf("hook key = %q, want %q", k, key)
			}
			changes = append(changes, transition{from, to})
		}})
	feed(t, s, key, "FF")
	wantState(t, s, key, Open)
	if oe := openErr(t, s, key); oe.RetryIn != 30*time.Second || oe.State != Open {
		t.Fatalf("just tripped: RetryIn %v state %v, want 30s open", oe.RetryIn, oe.State)
	}

	fc.Advance(30*time.Second - time.Nanosecond)
	if oe := openErr(t, s, key); oe.RetryIn != time.Nanosecond {
		t.Fatalf("1ns before the probe: RetryIn = %v, want 1ns", oe.RetryIn)
	}
	fc.Advance(time.Nanosecond)
	wantState(t, s, key, HalfOpen)

	probe, err := s.Allow(key)
	if err != nil {
		t.Fatalf("probe rejected: %v", err)
	}
	// Other requests are rejected while the probe is out.
	if oe := openErr(t, s, key); oe.State != HalfOpen || oe.RetryIn != 30*time.Second {
		t.Fatalf("probe out: rejection %+v, want half-open, RetryIn 30s", oe)
	}
	fc.Advance(time.Second)
	probe(Success)
	wantState(t, s, key, Closed)
	feed(t, s, key, "SSF") // closed again, with fresh counts
	if c := s.Counts(key); c.Successes != 2 || c.Failures != 1 {
		t.Fatalf("counts after closing = %+v, want 2 successes 1 failure", c)
	}

	want := []transition{{Closed, Open}, {Open, HalfOpen}, {HalfOpen, Closed}}
	if len(changes) != len(want) {
		t.Fatalf("hook saw %v, want %v", changes, want)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Fatalf("hook saw %v, want %v", changes, want)
		}
	}
}

func TestHalfOpenProbeFailureReopens(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: 10 * time.Second})
	feed(t, s, key, "F")
	fc.Advance(10 * time.Second)
	fc.Advance(3 * time.Second) // the probe comes late: the new period counts from its failure
	probe, err := s.Allow(key)
	if err != nil {
		t.Fatalf("probe rejected: %v", err)
	}
	fc.Advance(2 * time.Second)
	probe(Failure)
	wantState(t, s, key, Open)
	if oe := openErr(t, s, key); oe.RetryIn != 10*time.Second {
		t.Fatalf("reopened: RetryIn = %v, want 10s", oe.RetryIn)
	}
}

func TestHalfOpenProbes(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: time.Second, HalfOpenProbes: 3})
	feed(t, s, key, "F")
	fc.Advance(time.Second)
	var probes []func(Outcome)
	for i := 0; i < 3; i++ {
		d, err := s.Allow(key)
		if err != nil {
			t.Fatalf("probe %d rejected: %v", i, err)
		}
		probes = append(probes, d)
	}
	openErr(t, s, key) // a fourth is rejected

	probes[0](Neutral) // told nothing: frees its slot
	extra, err := s.Allow(key)
	if err != nil {
		t.Fatalf("slot freed by a neutral probe, yet rejected: %v", err)
	}
	openErr(t, s, key)
	probes[1](Success)
	probes[2](Success)
	wantState(t, s, key, HalfOpen) // two of three successes
	extra(Success)
	wantState(t, s, key, Closed)
}

func TestLostProbe(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: 5 * time.Second})
	feed(t, s, key, "F")
	fc.Advance(5 * time.Second)
	lost, err := s.Allow(key)
	if err != nil {
		t.Fatal(err)
	}
	fc.Advance(5*time.Second - 1)
	if oe := openErr(t, s, key); oe.RetryIn != 1 {
		t.Fatalf("probe out: RetryIn = %v, want 1ns", oe.RetryIn)
	}
	fc.Advance(1) // the probe is presumed lost: a new one may go
	probe, err := s.Allow(key)
	if err != nil {
		t.Fatalf("after a lost probe: %v", err)
	}
	lost(Failure) // stale: from the previous probe phase
	wantState(t, s, key, HalfOpen)
	probe(Success)
	wantState(t, s, key, Closed)
}

func TestOpenForRetryAfter(t *testing.T) {
	var changes []transition
	s, fc := newFake(t, Config{OpenFor: 30 * time.Second, OnStateChange: func(_ string, from, to State) {
		changes = append(changes, transition{from, to})
	}})
	s.OpenFor(key, 120*time.Second) // a 503 with Retry-After: 120
	wantState(t, s, key, Open)
	if oe := openErr(t, s, key); oe.RetryIn != 120*time.Second {
		t.Fatalf("RetryIn = %v, want 120s", oe.RetryIn)
	}
	fc.Advance(20 * time.Second)
	s.OpenFor(key, 10*time.Second) // never shortens
	if oe := openErr(t, s, key); oe.RetryIn != 100*time.Second {
		t.Fatalf("after a shorter OpenFor: RetryIn = %v, want 100s", oe.RetryIn)
	}
	s.OpenFor(key, 200*time.Second) // extends
	if oe := openErr(t, s, key); oe.RetryIn != 200*time.Second {
		t.Fatalf("after a longer OpenFor: RetryIn = %v, want 200s", oe.RetryIn)
	}
	if len(changes) != 1 {
		t.Fatalf("extending an open breaker reported %v, want one change", changes)
	}
	fc.Advance(200 * time.Second)
	wantState(t, s, key, HalfOpen)

	s.OpenFor("other", 0) // d <= 0: the configured OpenFor
	if oe := openErr(t, s, "other"); oe.RetryIn != 30*time.Second {
		t.Fatalf("OpenFor(0): RetryIn = %v, want 30s", oe.RetryIn)
	}
}

func TestOpenForDuringHalfOpenDropsProbe(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 1, OpenFor: time.Second})
	feed(t, s, key, "F")
	fc.Advance(time.Second)
	probe, err := s.Allow(key)
	if err != nil {
		t.Fatal(err)
	}
	s.OpenFor(key, time.Minute) // 503 with Retry-After seen elsewhere
	probe(Success)              // stale
	wantState(t, s, key, Open)
}

func TestStaleGenerationDropped(t *testing.T) {
	s, fc := newFake(t, Config{MinRequests: 2, OpenFor: time.Second})
	slow, err := s.Allow(key) // let through while closed
	if err != nil {
		t.Fatal(err)
	}
	feed(t, s, key, "FF")
	wantState(t, s, key, Open)
	fc.Advance(time.Second)
	wantState(t, s, key, HalfOpen)
	slow(Success) // from before the trip: must not count as the probe's success
	wantState(t, s, key, HalfOpen)
	probe, err := s.Allow(key)
	if err != nil {
		t.Fatalf("stale done took the probe slot: %v", err)
	}
	probe(Success)
	wantState(t, s, key, Closed)

	// A stale failure must not trip the closed breaker of the next generation.
	old, _ := s.Allow(key)
	feed(t, s, key, "FF")
	fc.Advance(time.Second)
	probe, _ = s.Allow(key)
	probe(Success)
	old(Failure)
	old(Failure)
	if c := s.Counts(key); c.Failures != 0 || c.State != Closed {
		t.Fatalf("stale failures counted: %+v", c)
	}
}

func TestRollingWindowForgets(t *testing.T) {
	// Window 10s in 10 buckets of 1s; trip at 4 outcomes, 50%.
	s, fc := newFake(t, Config{Window: 10 * time.Second, Buckets: 10, MinRequests: 4, FailureRatio: 0.5})
	feed(t, s, key, "FFF") // bucket 0
	fc.Advance(9 * time.Second)
	feed(t, s, key, "SSS") // bucket 9: 3F 3S in the window
	if c := s.Counts(key); c.Failures != 3 || c.Successes != 3 {
		t.Fatalf("counts at 9s = %+v, want 3F 3S", c)
	}
	fc.Advance(time.Second) // bucket 0 leaves the window
	if c := s.Counts(key); c.Failures != 0 || c.Successes != 3 {
		t.Fatalf("counts at 10s = %+v, want 0F 3S", c)
	}
	feed(t, s, key, "FF") // 2F 3S: 40%, no trip; without forgetting it would be 5F 3S
	wantState(t, s, key, Closed)
	fc.Advance(9 * time.Second) // the successes at 9s leave at 19s
	feed(t, s, key, "F")        // 3F of 3: under MinRequests
	wantState(t, s, key, Closed)
	feed(t, s, key, "F") // 4F of 4: trips
	wantState(t, s, key, Open)
}

func TestRollingWindowLongIdle(t *testing.T) {
	s, fc := newFake(t, Config{Window: time.Second, Buckets: 4, MinRequests: 3})
	feed(t, s, key, "FF")
	fc.Advance(time.Hour)
	feed(t, s, key, "F")
	wantState(t, s, key, Closed)
	if c := s.Counts(key); c.Failures != 1 {
		t.Fatalf("after an hour idle: %+v, want 1 failure", c)
	}
}

func TestRetryInAccuracy(t *testing.T) {
	tests := []struct {
		name    string
		openFor time.Duration
		elapsed time.Duration
		want    time.Duration
	}{
		{"at trip", 30 * time.Second, 0, 30 * time.Second},
		{"midway", 30 * time.Second, 12*time.Second + 345*time.Millisecond, 17*time.Second + 655*time.Millisecond},
		{"last nanosecond", 30 * time.Second, 30*time.Second - 1, 1},
		{"sub-second", 250 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, fc := newFake(t, Config{})
			s.OpenFor(key, tt.openFor)
			fc.Advance(tt.elapsed)
			if got := openErr(t, s, key).RetryIn; got != tt.want {
				t.Fatalf("RetryIn = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnknownOutcomeIsNeutral(t *testing.T) {
	s, _ := newFake(t, Config{MinRequests: 1, Consecutive: 1})
	done, err := s.Allow(key)
	if err != nil {
		t.Fatal(err)
	}
	done(Outcome(200))
	if c := s.Counts(key); c.Failures != 0 || c.Successes != 0 || c.State != Closed {
		t.Fatalf("unknown outcome counted: %+v", c)
	}
}

func TestKeysIndependent(t *testing.T) {
	s, _ := newFake(t, Config{MinRequests: 1})
	feed(t, s, "a", "F")
	wantState(t, s, "a", Open)
	wantState(t, s, "b", Closed)
	feed(t, s, "b", "S")
	if got := s.State("never-used"); got != Closed {
		t.Fatalf("State of an unused key = %v, want closed", got)
	}
	if got := s.Counts("never-used"); got != (Counts{}) {
		t.Fatalf("Counts of an unused key = %+v, want zero", got)
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Success.String(), "success"},
		{Failure.String(), "failure"},
		{Neutral.String(), "neutral"},
		{Outcome(9).String(), "Outcome(9)"},
		{Closed.String(), "closed"},
		{HalfOpen.String(), "half-open"},
		{Open.String(), "open"},
		{State(7).String(), "State(7)"},
		{(&OpenError{Key: "https://sms.8x8.com", RetryIn: 1500 * time.Millisecond, State: Open}).Error(),
			`breaker: "https://sms.8x8.com" open, next probe in 1.5s`},
		{(&OpenError{Key: "t\n1", RetryIn: 0, State: HalfOpen}).Error(),
			`breaker: "t\n1" half-open, next probe in 0s`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestOpenPeriodGrows: with MinOpenFor, the first open period is short and
// each failed probe in a row doubles it, up to OpenFor; a closing resets it.
func TestOpenPeriodGrows(t *testing.T) {
	s, fc := newFake(t, Config{Consecutive: 1, MinOpenFor: time.Second, OpenFor: 5 * time.Second})
	feed(t, s, key, "F")
	// Probes at 1, 2, 3, 4, 5 (a quarter of the age is under 1s), then a
	// quarter of the age: 6.25, 7.8125, then capped at OpenFor.
	ms := func(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }
	for _, want := range []time.Duration{time.Second, time.Second, time.Second, time.Second, time.Second,
		ms(1250), ms(1562.5), ms(1953.125), ms(2441.40625), ms(3051.7578125), ms(3814.697265625), 4768371581, 5 * time.Second, 5 * time.Second} {
		oe := openErr(t, s, key)
		if oe.RetryIn != want {
			t.Fatalf("open period %v, want %v", oe.RetryIn, want)
		}
		fc.Advance(want)
		probe, err := s.Allow(key)
		if err != nil {
			t.Fatalf("no probe after the open period: %v", err)
		}
		probe(Failure)
	}
	fc.Advance(5 * time.Second)
	probe, err := s.Allow(key)
	if err != nil {
		t.Fatal(err)
	}
	probe(Success) // closes: the next trip starts short again
	wantState(t, s, key, Closed)
	feed(t, s, key, "F")
	if oe := openErr(t, s, key); oe.RetryIn != time.Second {
		t.Fatalf("after a closing, open period %v, want 1s again", oe.RetryIn)
	}
}
