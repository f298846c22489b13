package redisbreaker

import (
	"errors"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const key = "https://sms.8x8.com"

// transition is one state change a Set's hook saw.
type transition struct{ from, to breaker.State }

// feed reports outcomes for key one request at a time, written as a string
// of S (success), F (failure) and N (neutral). Every request must be let
// through.
func feed(t *testing.T, s *breaker.Set, key, outcomes string) {
	t.Helper()
	for i, ch := range outcomes {
		done, err := s.Allow(key)
		if err != nil {
			t.Fatalf("request %d (%c) rejected: %v", i, ch, err)
		}
		switch ch {
		case 'S':
			done(breaker.Success)
		case 'F':
			done(breaker.Failure)
		case 'N':
			done(breaker.Neutral)
		default:
			t.Fatalf("bad outcome %q", ch)
		}
	}
}

// openErr asserts that Allow(key) is rejected and returns the error.
func openErr(t *testing.T, s *breaker.Set, key string) *breaker.OpenError {
	t.Helper()
	done, err := s.Allow(key)
	if err == nil {
		done(breaker.Neutral)
		t.Fatalf("Allow(%q) let a request through in state %v, want a rejection", key, s.State(key))
	}
	oe, ok := errors.AsType[*breaker.OpenError](err)
	if !ok || !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("Allow error %v is not an *OpenError matching ErrOpen", err)
	}
	return oe
}

func wantState(t *testing.T, s *breaker.Set, key string, want breaker.State) {
	t.Helper()
	if got := s.State(key); got != want {
		t.Fatalf("State(%q) = %v, want %v", key, got, want)
	}
}
