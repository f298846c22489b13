package dlr

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

// fakeLookup answers lookups from a table and records when each was made
// (on the harness's fake clock).
type fakeLookup struct {
	h      *rcHarness
	mu     sync.Mutex
	calls  []lookupCall
	answer func(sub, umid string) (envelope.Receipt, bool, error)
}

type lookupCall struct {
	sub, umid string
	chat      bool
	at        time.Time
}

func (f *fakeLookup) lookup(_ context.Context, sub, umid string, chat bool) (envelope.Receipt, bool, error) {
	f.mu.Lock()
	f.calls = append(f.calls, lookupCall{sub, umid, chat, f.h.clk.Now()})
	f.mu.Unlock()
	return f.answer(sub, umid)
}

func (f *fakeLookup) made() []lookupCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]lookupCall(nil), f.calls...)
}

func newLookupRC(t *testing.T, answer func(sub, umid string) (envelope.Receipt, bool, error)) (*rcHarness, *fakeLookup) {
	f := &fakeLookup{answer: answer}
	h := newRC(t, MemoryConfig{TTL: time.Hour}, ReconcilerConfig{Lookup: f.lookup})
	f.h = h
	return h, f
}

func deliveredReceipt(sub, umid string) (envelope.Receipt, bool, error) {
	return envelope.Receipt{UMID: umid, State: envelope.StateDelivered, Detail: envelope.DetailDeliveredToRecipient, Timestamp: t0.Add(time.Minute)}, true, nil
}

// Past the deadline, a copy with a umid and no final receipt is looked
// up; what 8x8 says resolves it. A copy that is final, or a send without
// any umid, is not looked up.
func TestLookupAtDeadline(t *testing.T) {
	h, f := newLookupRC(t, deliveredReceipt)
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.receipt("m1", "u1", stSent, "", time.Second, 0)
	h.send("m2", "", outcome.Failed, true, 1) // no umid: nothing to look up
	h.clk.Advance(time.Hour - time.Second)
	h.sweep()
	if len(f.made()) != 0 {
		t.Fatal("looked up before the deadline")
	}
	h.clk.Advance(time.Second)
	h.sweep()
	calls := f.made()
	if len(calls) != 1 || calls[0].umid != "u1" || calls[0].sub != "acme_hq" || calls[0].chat {
		t.Fatalf("lookups %+v, want one for u1", calls)
	}
	rs := h.resolutions()
	if len(rs) != 2 {
		t.Fatalf("resolutions %+v", rs)
	}
	for _, r := range rs {
		switch r.ClientMessageID {
		case "m1":
			if r.Verdict != VerdictDelivered || !r.Deadline || !r.Copies[0].LookedUp {
				t.Errorf("m1: %+v, want delivered by lookup at the deadline", r)
			}
		case "m2":
			if r.Verdict != VerdictNoReceipt {
				t.Errorf("m2: %+v", r)
			}
		}
	}
	if st := h.rec.Stats(); st.Lookups != 1 || st.Plain.Delivered != 1 || st.Ambiguous.NoReceipt != 1 {
		t.Errorf("stats %+v", st)
	}
}

// Lookups for one sub-account go at most one per LookupEvery (8x8 allows 1
// request/s per sub-account); another sub-account is not held up.
func TestLookupRatePerSubAccount(t *testing.T) {
	h, f := newLookupRC(t, deliveredReceipt)
	for _, c := range []string{"a", "b", "c"} {
		h.send(c, "u"+c, outcome.Accepted, false, 1)
	}
	h.store.RecordSend(outcome.Send{SubAccountID: "acme_mkt", ClientMessageID: "d", UMID: "ud", State: outcome.Accepted, Attempts: 1, At: t0})
	h.clk.Advance(time.Hour)
	h.sweep()
	if n := len(f.made()); n != 2 {
		t.Fatalf("%d lookups in the first second, want 2 (one per sub-account)", n)
	}
	for range 5 {
		h.clk.Advance(500 * time.Millisecond)
		h.sweep()
	}
	calls := f.made()
	if len(calls) != 4 || len(h.resolutions()) != 4 {
		t.Fatalf("lookups %+v, resolutions %d, want 4 each", calls, len(h.resolutions()))
	}
	var last time.Time
	for _, c := range calls {
		if c.sub != "acme_hq" {
			continue
		}
		if !last.IsZero() && c.at.Sub(last) < time.Second {
			t.Errorf("two lookups for acme_hq %v apart", c.at.Sub(last))
		}
		last = c.at
	}
	if st := h.rec.Stats(); st.LookupDeferred == 0 {
		t.Errorf("stats %+v: no lookup was deferred", st)
	}
}

// A failed lookup (a 429, a reset) is tried again later, LookupTries times
// in all; a copy 8x8 does not know is not tried again. Either way the send
// resolves with what is known.
func TestLookupErrorsAndNotFound(t *testing.T) {
	errDown := errors.New("503")
	h, f := newLookupRC(t, func(sub, umid string) (envelope.Receipt, bool, error) {
		if umid == "gone" {
			return envelope.Receipt{}, false, nil
		}
		return envelope.Receipt{}, false, errDown
	})
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.send("m2", "gone", outcome.Accepted, false, 1)
	h.clk.Advance(time.Hour)
	for range 20 {
		h.sweep()
		h.clk.Advance(time.Second)
	}
	calls := f.made()
	n1 := 0
	for _, c := range calls {
		if c.umid == "u1" {
			n1++
		}
	}
	if n1 != DefaultLookupTries || len(calls) != DefaultLookupTries+1 {
		t.Errorf("lookups %+v, want %d for u1 and 1 for gone", calls, DefaultLookupTries)
	}
	rs := h.resolutions()
	if len(rs) != 2 || rs[0].Verdict != VerdictNoReceipt || rs[1].Verdict != VerdictNoReceipt {
		t.Fatalf("resolutions %+v", rs)
	}
	if st := h.rec.Stats(); st.LookupErrors != DefaultLookupTries || st.LookupNotFound != 1 {
		t.Errorf("stats %+v", st)
	}
}
