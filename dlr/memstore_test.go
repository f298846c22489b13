package dlr

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

func newMem(t testing.TB, c MemoryConfig) *MemoryStore {
	t.Helper()
	s, err := NewMemoryStore(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func accepted(cmid, umid string, at time.Time) outcome.Send {
	return outcome.Send{SubAccountID: "acme_hq", ClientMessageID: cmid, UMID: umid, State: outcome.Accepted, Attempts: 1, At: at}
}

func rcCopy(umid string, s envelope.State, d envelope.Detail, ts time.Time) Copy {
	return Copy{UMID: umid, State: s, Detail: d, Timestamp: ts}
}

func TestCopyMerge(t *testing.T) {
	ts := t0
	sent := rcCopy("u", envelope.StateSent, "", ts)
	op := rcCopy("u", envelope.StateDelivered, envelope.DetailDeliveredToOperator, ts.Add(time.Second))
	rcpt := rcCopy("u", envelope.StateDelivered, envelope.DetailDeliveredToRecipient, ts.Add(2*time.Second))
	undel := rcCopy("u", envelope.StateUndelivered, envelope.DetailRejectedByOperator, ts.Add(3*time.Second))
	read := rcCopy("u", envelope.StateRead, "", ts.Add(4*time.Second))
	for _, tc := range []struct {
		name   string
		c, n   Copy
		want   envelope.State
		change bool
	}{
		{"first receipt", Copy{UMID: "u"}, sent, envelope.StateSent, true},
		{"no state changes nothing", sent, Copy{UMID: "u"}, envelope.StateSent, false},
		{"higher rank", sent, rcpt, envelope.StateDelivered, true},
		{"lower rank never", rcpt, sent, envelope.StateDelivered, false},
		{"redelivery", rcpt, rcpt, envelope.StateDelivered, false},
		{"operator then undelivered", op, undel, envelope.StateUndelivered, true},
		{"delivered to recipient is not undone by a later failure", rcpt, undel, envelope.StateDelivered, false},
		{"failure replaced by a later delivery (fallback channel)", undel, rcCopy("u", envelope.StateDelivered, envelope.DetailDeliveredToRecipient, ts.Add(5*time.Second)), envelope.StateDelivered, true},
		{"read after delivered", rcpt, read, envelope.StateRead, true},
	} {
		got, ch := tc.c.Merge(tc.n)
		if got.State != tc.want || ch != tc.change {
			t.Errorf("%s: %s changed %v, want %s %v", tc.name, got.State, ch, tc.want, tc.change)
		}
	}
}

func TestMemoryStoreRecordAndReceipts(t *testing.T) {
	ctx := context.Background()
	s := newMem(t, MemoryConfig{TTL: time.Hour, Linger: time.Minute})
	s.RecordSend(accepted("m1", "u1", t0))
	// A second send under the same clientMessageId merges.
	amb := accepted("m1", "u2", t0.Add(time.Second))
	amb.Ambiguous, amb.Attempts = true, 2
	s.RecordSend(amb)
	// Not recorded: nothing can arrive.
	s.RecordSend(outcome.Send{ClientMessageID: "m2", State: outcome.Failed, Attempts: 1, At: t0})
	s.RecordSend(outcome.Send{ClientMessageID: "m3", UMID: "u3", State: outcome.Rejected, Attempts: 1, At: t0})

	e, ch, err := s.AddReceipt(ctx, Update{ClientMessageID: "m1", Copy: rcCopy("u1", envelope.StateSent, "", t0), At: t0.Add(2 * time.Second)})
	if err != nil || !ch {
		t.Fatalf("AddReceipt: changed %v, %v", ch, err)
	}
	if e.Sends != 2 || e.MaxCopies != 3 || !e.Accepted || !e.Ambiguous || len(e.Copies) != 2 || e.Receipts != 1 {
		t.Fatalf("entry %+v, want 2 sends, 3 max copies, accepted, ambiguous, 2 copies, 1 receipt", e)
	}
	if !e.SentAt.Equal(t0) || !e.Due.Equal(t0.Add(time.Hour)) || !e.Changed.Equal(t0.Add(2*time.Second)) {
		t.Errorf("sent %v due %v changed %v", e.SentAt, e.Due, e.Changed)
	}
	if e.Copies[0].State != envelope.StateSent || e.Copies[1].State != "" {
		t.Errorf("copies %+v", e.Copies)
	}
	// The same receipt again changes nothing.
	if _, ch, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m1", Copy: rcCopy("u1", envelope.StateSent, "", t0), At: t0.Add(3 * time.Second)}); ch {
		t.Error("a redelivered receipt changed the copy")
	}
	st := s.Stats()
	if st.Entries != 1 || st.Recorded != 2 || st.Skipped != 2 {
		t.Errorf("stats %+v, want 1 entry, 2 recorded, 2 skipped", st)
	}

	// A receipt for an unknown clientMessageId makes an orphan, due at
	// OrphanDue; the send's record then joins it and makes it due at once
	// (its receipts may all be in).
	e, _, _ = s.AddReceipt(ctx, Update{ClientMessageID: "m4", SubAccountID: "acme_wa", Chat: true,
		Copy: rcCopy("u4", envelope.StateQueued, "", t0), At: t0, OrphanDue: t0.Add(time.Minute)})
	if e.Sends != 0 || !e.Due.Equal(t0.Add(time.Minute)) || !e.Chat || e.SubAccountID != "acme_wa" {
		t.Fatalf("orphan %+v", e)
	}
	s.RecordSend(accepted("m4", "u4", t0.Add(time.Second)))
	e, _, _ = s.AddReceipt(ctx, Update{ClientMessageID: "m4", Copy: rcCopy("u4", envelope.StateSent, "", t0.Add(2*time.Second)), At: t0.Add(2 * time.Second)})
	if e.Sends != 1 || len(e.Copies) != 1 || e.Copies[0].State != envelope.StateSent || !e.Due.Equal(t0.Add(time.Second)) || !e.SentAt.Equal(t0.Add(time.Second)) {
		t.Errorf("orphan after its send: %+v", e)
	}
}

func TestMemoryStoreDueLeaseResolve(t *testing.T) {
	ctx := context.Background()
	s := newMem(t, MemoryConfig{TTL: time.Hour, Linger: time.Minute})
	for i := range 5 {
		s.RecordSend(accepted("m"+strconv.Itoa(i), "u"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Second)))
	}
	if d, _ := s.Due(ctx, t0.Add(time.Hour-time.Second), time.Minute, 10); len(d) != 0 {
		t.Fatalf("due before the TTL: %d", len(d))
	}
	d, _ := s.Due(ctx, t0.Add(time.Hour+2*time.Second), time.Minute, 2)
	if len(d) != 2 || d[0].ClientMessageID != "m0" || d[1].ClientMessageID != "m1" {
		t.Fatalf("due %+v, want m0 and m1 (max 2, oldest first)", d)
	}
	// Leased: the next call gets the third, not the first two again.
	d, _ = s.Due(ctx, t0.Add(time.Hour+2*time.Second), time.Minute, 10)
	if len(d) != 1 || d[0].ClientMessageID != "m2" {
		t.Fatalf("due %+v, want m2 only", d)
	}
	// Schedule brings m3 earlier.
	_ = s.Schedule(ctx, "m4", t0)
	if d, _ = s.Due(ctx, t0.Add(time.Second), time.Minute, 10); len(d) != 1 || d[0].ClientMessageID != "m4" {
		t.Fatalf("after Schedule: %+v", d)
	}
	// Resolve is a compare-and-set: one of two callers wins.
	now := t0.Add(time.Hour + 3*time.Second)
	if ok, _ := s.Resolve(ctx, "m0", VerdictNone, VerdictDelivered, now); !ok {
		t.Fatal("first Resolve failed")
	}
	if ok, _ := s.Resolve(ctx, "m0", VerdictNone, VerdictDelivered, now); ok {
		t.Fatal("second Resolve of the same verdict succeeded")
	}
	if ok, _ := s.Resolve(ctx, "m0", VerdictDelivered, VerdictDuplicate, now); !ok {
		t.Fatal("revising the verdict failed")
	}
	if st := s.Stats(); st.Open != 4 || st.Resolved != 1 {
		t.Errorf("stats %+v, want 4 open, 1 resolved", st)
	}
	// Sending the same clientMessageId again reopens a resolved entry.
	_, _ = s.Resolve(ctx, "m1", VerdictNone, VerdictDelivered, now)
	s.RecordSend(accepted("m1", "u1b", now))
	e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m1", Copy: rcCopy("u1b", envelope.StateSent, "", now), At: now})
	if e.Reported != VerdictNone || e.Sends != 2 || len(e.Copies) != 2 || !e.Due.Equal(now.Add(time.Hour)) {
		t.Errorf("reopened entry %+v", e)
	}
	// A resolved entry is never due, and lingers Linger after its
	// resolution; receipts still find it until then.
	d, _ = s.Due(ctx, now.Add(30*time.Second), time.Minute, 10)
	for _, e := range d {
		if e.ClientMessageID == "m0" {
			t.Fatal("a resolved entry is due")
		}
	}
	if e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m0", Copy: rcCopy("u0", envelope.StateSent, "", now), At: now.Add(59 * time.Second)}); e.Reported != VerdictDuplicate || e.Sends != 1 {
		t.Errorf("receipt within Linger: %+v", e)
	}
	if e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m0", Copy: rcCopy("u0", envelope.StateSent, "", now), At: now.Add(61 * time.Second), OrphanDue: now}); e.Sends != 0 {
		t.Errorf("receipt after Linger found the resolved entry: %+v", e)
	}
	_ = s.Forget(ctx, "m1")
	if e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m1", Copy: rcCopy("u1b", envelope.StateSent, "", now), At: now}); e.Sends != 0 {
		t.Errorf("forgotten entry still held: %+v", e)
	}
}

// Past MaxEntries resolved entries go first, then the oldest unresolved;
// entries expire TTL+Linger after their send, Linger after resolution.
func TestMemoryStoreBounded(t *testing.T) {
	ctx := context.Background()
	s := newMem(t, MemoryConfig{TTL: time.Hour, Linger: time.Minute, MaxEntries: 100})
	for i := range 100 {
		s.RecordSend(accepted("m"+strconv.Itoa(i), "u", t0))
	}
	for i := range 10 {
		_, _ = s.Resolve(ctx, "m"+strconv.Itoa(50+i), VerdictNone, VerdictDelivered, t0)
	}
	for i := range 30 {
		s.RecordSend(accepted("n"+strconv.Itoa(i), "u", t0.Add(time.Second)))
	}
	st := s.Stats()
	if st.Entries != 100 || st.Evicted != 30 || st.EvictedOpen != 20 || st.Resolved != 0 {
		t.Fatalf("stats %+v, want 100 entries, 30 evicted (the 10 resolved first, then 20 open)", st)
	}
	// m0..m19 went (oldest sends), m20 stays.
	if e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m20", Copy: rcCopy("u", envelope.StateSent, "", t0), At: t0.Add(time.Second)}); e.Sends != 1 {
		t.Errorf("m20 evicted")
	}
	if e, _, _ := s.AddReceipt(ctx, Update{ClientMessageID: "m19", Copy: rcCopy("u", envelope.StateSent, "", t0), At: t0.Add(time.Second)}); e.Sends != 0 {
		t.Errorf("m19 kept")
	}
	// Expiry: an hour and a minute after their sends, all are gone.
	if d, _ := s.Due(ctx, t0.Add(time.Hour+time.Minute+time.Second), time.Minute, 1000); len(d) != 0 {
		t.Errorf("%d expired entries due", len(d))
	}
	if st := s.Stats(); st.Entries != 0 || st.Expired != 100 {
		t.Errorf("after expiry: %+v", st)
	}
}

// TestMemoryStoreBytesPerEntry measures the heap a tracked send costs: an
// accepted send with a UUID clientMessageId and umid (fresh strings, as a
// client's results are), in a store at its default bound.
func TestMemoryStoreBytesPerEntry(t *testing.T) {
	const n = 100_000
	cmids, umids := make([]string, n), make([]string, n)
	mk := func(prefix string, i int) string {
		return prefix + "-9b3d-ef11-8300-" + strconv.Itoa(100000000000+i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := newMem(t, MemoryConfig{MaxEntries: n})
	for i := range n {
		cmids[i], umids[i] = mk("6f1c2a0e", i), mk("7a2d3b1f", i)
		s.RecordSend(accepted(cmids[i], umids[i], t0))
	}
	cmids, umids = nil, nil // the store's references are all that hold them
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	runtime.KeepAlive(s)
	t.Logf("%.0f B per tracked send (one copy, strings included)", per)
	if per > 400 {
		t.Errorf("%.0f B per tracked send, budget 400", per)
	}
	_, _ = cmids, umids
}
