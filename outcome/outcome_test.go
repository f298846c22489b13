package outcome

import "testing"

func TestMaxCopies(t *testing.T) {
	for _, tc := range []struct {
		s    Send
		want int
	}{
		{Send{State: Accepted, Attempts: 3}, 1},
		{Send{State: Accepted, Attempts: 3, Ambiguous: true}, 3},
		{Send{State: Failed, Attempts: 2}, 0},
		{Send{State: Failed, Attempts: 2, Ambiguous: true}, 2},
		{Send{State: Failed, Ambiguous: true}, 1},
		{Send{State: Rejected, Attempts: 1}, 0},
	} {
		if got := tc.s.MaxCopies(); got != tc.want {
			t.Errorf("%+v: MaxCopies %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Accepted: "accepted", Rejected: "rejected", Failed: "failed", 0: "State(0)"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", s, got, want)
		}
	}
}
