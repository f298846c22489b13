package emulator

import (
	"testing"
	"time"
)

// The per-request bookkeeping must not allocate once warm: the token
// bucket, the fault decision (with and without a mix), the ledger update
// of a message already seen, and the outage check.
func TestHotPathAllocations(t *testing.T) {
	s, err := New(Config{Rate: 1e9, Faults: Faults{P500: 0.1, PLatency: 0.1, LatencyMax: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tn := s.tenants.get("acme_hq")
	s.ledger.record("acme_hq", "m-1", "u", "6591234567", t0)
	now := t0
	tests := []struct {
		name string
		f    func()
	}{
		{"bucket take", func() { now = now.Add(time.Microsecond); tn.take(now) }},
		{"tenant lookup", func() { s.tenants.get("acme_hq") }},
		{"fault decision, mix", func() { s.inj.decide("acme_hq") }},
		{"fault decision, none", func() { quiet.inj.decide("acme_hq") }},
		{"outage check", func() { s.inj.inOutage(t0) }},
		{"ledger duplicate", func() { s.ledger.record("acme_hq", "m-1", "u", "6591234567", t0) }},
		{"ledger count", func() { s.ledger.Count("acme_hq", "m-1") }},
		{"stats", func() { s.stats.response(200); s.stats.requests.Add(1) }},
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(200, tc.f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", tc.name, n)
		}
	}
}
