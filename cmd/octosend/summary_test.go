package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBulkAmbiguousCountsEveryMessage: "ambiguous" in the stats and the
// summary counts every record flagged ambiguous, accepted ones included
// (accepted after a retry of an attempt that may have gone through: maybe
// delivered twice), not only the failures.
func TestBulkAmbiguousCountsEveryMessage(t *testing.T) {
	send := func(ctx context.Context, m *message) record {
		r := accept(ctx, m)
		switch {
		case m.Line%10 == 0: // failed, may have been delivered
			r.Status, r.Error, r.Ambiguous, r.Attempts = statusFailed, "500", true, 5
		case m.Line%3 == 0: // accepted, maybe twice
			r.Ambiguous, r.Attempts = true, 2
		}
		return r
	}
	run, _ := newRun(t, jsonlInput(100), send, 4)
	if err := run.Run(make(chan struct{}), context.Background()); err != nil {
		t.Fatal(err)
	}
	// Lines 1..100: 10 failed ambiguous; multiples of 3 not of 10: 33 - 3 = 30.
	s := run.Stats
	if got := s.Ambiguous.Load(); got != 40 {
		t.Errorf("ambiguous = %d, want 40 (30 accepted + 10 failed)", got)
	}
	if got := s.AmbiguousAccepted.Load(); got != 30 {
		t.Errorf("ambiguous accepted = %d, want 30", got)
	}
	c, _, errb := testCLI(nil)
	c.printBulkSummary(&bulkOptions{out: "r.jsonl"}, s, time.Second, 0)
	got := errb.String()
	for _, want := range []string{"90 accepted, 10 failed (0 canceled)", "40 ambiguous (30 accepted, 10 failed)"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
}
