package dlr

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

const (
	stSent = envelope.StateSent
	stUnd  = envelope.StateUndelivered
)

// An unambiguous accepted send resolves at its final receipt; a
// redelivery or a late "sent" changes nothing.
func TestReconcilePlainDelivered(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.receipt("m1", "u1", stSent, "", time.Second, 0)
	h.none()
	h.delivered("m1", "u1", 2*time.Second)
	r := h.only()
	if r.Verdict != VerdictDelivered || r.Ambiguous || !r.Accepted || r.Delivered != 1 || r.Deadline || r.Revised || len(r.Copies) != 1 || r.SubAccountID != "acme_hq" {
		t.Fatalf("resolution %+v", r)
	}
	h.delivered("m1", "u1", 2*time.Second)
	h.receipt("m1", "u1", stSent, "", time.Second, 0)
	h.only()
	st := h.rec.Stats()
	if st.Receipts != 4 || st.Matched != 4 || st.Plain.Delivered != 1 || st.Ambiguous.Total() != 0 || st.Late != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Out of order: "delivered" first, then the "sent" it superseded.
func TestReconcileOutOfOrder(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	h.send("m1", "u1", outcome.Accepted, true, 1) // ambiguous, one attempt: one copy at most
	h.delivered("m1", "u1", 5*time.Second)
	h.receipt("m1", "u1", stSent, "", time.Second, 0)
	r := h.only()
	if r.Verdict != VerdictDelivered || !r.Ambiguous || r.Copies[0].State != envelope.StateDelivered {
		t.Fatalf("resolution %+v", r)
	}
	if st := h.rec.Stats(); st.Ambiguous.Delivered != 1 || st.Late != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Accepted after an accepted-then-500: two attempts, two umids for one
// clientMessageId, both delivered: a confirmed duplicate, resolved at the
// second final receipt (as many copies as attempts).
func TestReconcileDuplicate(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	h.send("m1", "u2", outcome.Accepted, true, 2)
	h.receipt("m1", "u1", stSent, "", time.Second, 0) // the first attempt's copy
	h.delivered("m1", "u2", 3*time.Second)
	h.none() // one copy may still come: u1 is not final
	h.delivered("m1", "u1", 4*time.Second)
	r := h.only()
	if r.Verdict != VerdictDuplicate || r.Delivered != 2 || len(r.Copies) != 2 || !r.Ambiguous {
		t.Fatalf("resolution %+v", r)
	}
	if st := h.rec.Stats(); st.Ambiguous.Duplicate != 1 {
		t.Errorf("stats %+v", st)
	}
}

// With fewer copies than attempts, a send waits Settle after its last
// final receipt, then resolves; a copy that shows up after that revises
// the verdict (reported again, Revised).
func TestReconcileSettleAndLateCopy(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{Settle: time.Minute})
	h.send("m1", "u2", outcome.Accepted, true, 2)
	h.delivered("m1", "u2", time.Second)
	h.clk.Advance(59 * time.Second)
	h.sweep()
	h.none()
	h.clk.Advance(time.Second)
	if n := h.sweep(); n != 1 {
		t.Fatalf("swept %d, want 1 due", n)
	}
	r := h.only()
	if r.Verdict != VerdictDelivered || r.Delivered != 1 || r.Deadline {
		t.Fatalf("resolution %+v", r)
	}
	h.delivered("m1", "u1", 2*time.Minute)
	rs := h.resolutions()
	if len(rs) != 2 || rs[1].Verdict != VerdictDuplicate || !rs[1].Revised || rs[1].Previous != VerdictDelivered || rs[1].Delivered != 2 {
		t.Fatalf("resolutions %+v, want a revision to duplicate", rs)
	}
	st := h.rec.Stats()
	if st.Ambiguous.Delivered != 0 || st.Ambiguous.Duplicate != 1 || st.Revised != 1 {
		t.Errorf("stats %+v", st)
	}
	// A read receipt after that changes a copy, not the verdict.
	h.receipt("m1", "u1", envelope.StateRead, "", 3*time.Minute, 0)
	if len(h.resolutions()) != 2 || h.rec.Stats().Late != 1 {
		t.Errorf("a late receipt that keeps the verdict: %d resolutions, stats %+v", len(h.resolutions()), h.rec.Stats())
	}
}

// An ambiguous failure (no umid) whose only copy's receipt says
// undelivered: failed, with the receipt's error and its meaning.
func TestReconcileFailedWithDLRError(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	h.send("m1", "", outcome.Failed, true, 1)
	h.receipt("m1", "u1", stUnd, envelope.DetailUndeliveredToRecipient, time.Second, 46)
	r := h.only()
	if r.Verdict != VerdictFailed || r.ErrorCode != 46 || r.Reason != "Subscriber not reachable" || r.Hint != envelope.HintTransient || r.Accepted {
		t.Fatalf("resolution %+v", r)
	}
	if st := h.rec.Stats(); st.Ambiguous.Failed != 1 {
		t.Errorf("stats %+v", st)
	}
}

// Chat: with channel fallback one umid fails on WhatsApp and is delivered
// by SMS: delivered. A chat failure's reason is the chat-apps reading.
func TestReconcileChat(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	chat := func(cmid, umid, channel string, s envelope.State, d envelope.Detail, ts time.Duration, code envelope.DLRCode) {
		h.rec.OnReceipt(Receipt{Receipt: envelope.Receipt{Format: envelope.FormatChatV9, UMID: umid, ClientMessageID: cmid,
			SubAccountID: "acme_wa", Channel: channel, State: s, Detail: d, Timestamp: t0.Add(ts), ErrorCode: code}})
	}
	h.store.RecordSend(outcome.Send{SubAccountID: "acme_wa", ClientMessageID: "c1", UMID: "u1", Chat: true, State: outcome.Accepted, Attempts: 2, Ambiguous: true, At: t0})
	chat("c1", "u1", "whatsapp", stUnd, envelope.DetailRejectedByOperator, time.Second, 1022)
	chat("c1", "u1", "sms", envelope.StateDelivered, envelope.DetailDeliveredToRecipient, 2*time.Second, 0)
	h.clk.Advance(DefaultSettle)
	h.sweep()
	if r := h.only(); r.Verdict != VerdictDelivered || !r.Chat {
		t.Fatalf("resolution %+v", r)
	}
	h.store.RecordSend(outcome.Send{SubAccountID: "acme_wa", ClientMessageID: "c2", Chat: true, State: outcome.Failed, Attempts: 1, Ambiguous: true, At: h.clk.Now()})
	chat("c2", "u2", "whatsapp", stUnd, envelope.DetailRejectedByOperator, time.Second, 1022)
	rs := h.resolutions()
	if len(rs) != 2 || rs[1].Verdict != VerdictFailed || rs[1].ErrorCode != 1022 || rs[1].Reason != envelope.DLRCode(1022).ChatDescription() || rs[1].Reason == "" {
		t.Fatalf("resolutions %+v", rs)
	}
}

// No receipt by the deadline (the store's TTL after the send): resolved
// as such, with and without a known umid.
func TestReconcileDeadline(t *testing.T) {
	h := newRC(t, MemoryConfig{TTL: time.Hour}, ReconcilerConfig{})
	h.send("m1", "", outcome.Failed, true, 2)
	h.send("m2", "u2", outcome.Accepted, false, 1)
	h.receipt("m2", "u2", stSent, "", time.Second, 0)
	h.clk.Advance(time.Hour - time.Second)
	if n := h.sweep(); n != 0 {
		t.Fatalf("swept %d before the deadline", n)
	}
	h.none()
	h.clk.Advance(time.Second)
	h.sweep()
	rs := h.resolutions()
	if len(rs) != 2 {
		t.Fatalf("resolutions %+v", rs)
	}
	for _, r := range rs {
		if r.Verdict != VerdictNoReceipt || !r.Deadline {
			t.Errorf("resolution %+v, want no-receipt at the deadline", r)
		}
	}
	if rs[0].ClientMessageID != "m1" || len(rs[0].Copies) != 0 || rs[1].Copies[0].State != stSent {
		t.Errorf("resolutions %+v", rs)
	}
	st := h.rec.Stats()
	if st.Ambiguous.NoReceipt != 1 || st.Plain.NoReceipt != 1 {
		t.Errorf("stats %+v", st)
	}
	// A final receipt after a no-receipt verdict revises it.
	h.delivered("m2", "u2", time.Hour)
	if rs := h.resolutions(); len(rs) != 3 || rs[2].Verdict != VerdictDelivered || rs[2].Previous != VerdictNoReceipt {
		t.Fatalf("resolutions %+v", rs)
	}
}

// A receipt can beat the client's record of its send: it waits OrphanWait
// for it. One whose send never comes is counted unknown, as is a receipt
// without clientMessageId.
func TestReconcileOrphans(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{OrphanWait: time.Minute})
	h.delivered("m1", "u1", time.Second) // before the send's record
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.delivered("m2", "u9", time.Second) // never sent through this client
	h.receipt("", "u8", stSent, "", time.Second, 0)
	h.none()
	h.clk.Advance(time.Minute)
	h.sweep()
	if r := h.only(); r.ClientMessageID != "m1" || r.Verdict != VerdictDelivered {
		t.Fatalf("resolution %+v", r)
	}
	st := h.rec.Stats()
	if st.Receipts != 3 || st.Orphans != 2 || st.Unknown != 2 || st.Matched != 0 {
		t.Errorf("stats %+v, want 3 receipts, 2 orphans, 2 unknown", st)
	}
	if ms := h.store.Stats(); ms.Entries != 1 || ms.Resolved != 1 {
		t.Errorf("store %+v: the orphan never sent should be gone", ms)
	}
}

// A send whose final receipt came before its record is resolved at the
// next sweep after the record, not at the end of the receipt's OrphanWait.
func TestReconcileOrphanResolvedOnRecord(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{OrphanWait: time.Hour})
	h.delivered("m1", "u1", time.Second) // the whole story, before the record
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.sweep()
	if r := h.only(); r.ClientMessageID != "m1" || r.Verdict != VerdictDelivered {
		t.Fatalf("resolution %+v, want m1 delivered at the first sweep", r)
	}
}

// Receipts for many sends, each copy's receipts from several goroutines
// and sweeps running meanwhile: every send is resolved exactly once.
func TestReconcileConcurrentExactlyOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{OnResolve: func(r Resolution) {
		mu.Lock()
		seen[r.ClientMessageID]++
		mu.Unlock()
	}})
	const n = 200
	for i := range n {
		h.send("m"+strconv.Itoa(i), "a"+strconv.Itoa(i), outcome.Accepted, true, 2)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range n {
				s := strconv.Itoa(i)
				umid := "a" + s
				if g%2 == 1 {
					umid = "b" + s
				}
				h.delivered("m"+s, umid, time.Duration(g)*time.Second)
				h.receipt("m"+s, umid, stSent, "", 0, 0)
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_, _ = h.rec.Sweep(context.Background())
		}
	})
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Fatalf("%d sends resolved, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s resolved %d times", k, c)
		}
	}
	if st := h.rec.Stats(); st.Ambiguous.Duplicate != n || st.Receipts != 4*2*n {
		t.Errorf("stats %+v", st)
	}
}

// The store bounds memory whatever the traffic: ten times MaxEntries
// sends, each with receipts, leave MaxEntries entries, and every receipt
// is accounted for.
func TestReconcileMemoryBound(t *testing.T) {
	h := newRC(t, MemoryConfig{MaxEntries: 100}, ReconcilerConfig{})
	for i := range 1000 {
		s := strconv.Itoa(i)
		h.send("m"+s, "u"+s, outcome.Accepted, false, 1)
		h.receipt("m"+s, "u"+s, stSent, "", 0, 0)
		if i%3 == 0 {
			h.delivered("m"+s, "u"+s, time.Second)
		}
	}
	ms := h.store.Stats()
	if ms.Entries > 100 || ms.Evicted == 0 {
		t.Fatalf("store %+v, want at most 100 entries", ms)
	}
	st := h.rec.Stats()
	if st.Receipts != st.Matched+st.Orphans+st.Unknown+st.StoreErrors || st.Plain.Delivered != 334 {
		t.Errorf("stats %+v", st)
	}
}

type failingStore struct{ *MemoryStore }

var errStoreDown = errors.New("store down")

func (failingStore) AddReceipt(context.Context, Update) (Entry, bool, error) {
	return Entry{}, false, errStoreDown
}

func (failingStore) Due(context.Context, time.Time, time.Duration, int) ([]Entry, error) {
	return nil, errStoreDown
}

func TestReconcileStoreErrors(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{})
	rec, err := NewReconciler(ReconcilerConfig{Store: failingStore{h.store}, Clock: h.clk})
	if err != nil {
		t.Fatal(err)
	}
	rec.OnReceipt(Receipt{Receipt: envelope.Receipt{UMID: "u", ClientMessageID: "m", State: stSent}})
	if _, err := rec.Sweep(context.Background()); !errors.Is(err, errStoreDown) {
		t.Errorf("Sweep: %v, want the store's error", err)
	}
	if st := rec.Stats(); st.StoreErrors != 2 || st.Receipts != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestReconcileCallbackPanic(t *testing.T) {
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{OnResolve: func(Resolution) { panic("boom") }})
	h.send("m1", "u1", outcome.Accepted, false, 1)
	h.delivered("m1", "u1", time.Second)
	if st := h.rec.Stats(); st.Panics != 1 || st.Plain.Delivered != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestNewReconcilerRefuses(t *testing.T) {
	s := newMem(t, MemoryConfig{})
	for _, c := range []ReconcilerConfig{{}, {Store: s, Settle: -1}, {Store: s, LookupEvery: -1}, {Store: s, Batch: -1}} {
		if _, err := NewReconciler(c); !errors.As(err, new(*ConfigError)) {
			t.Errorf("NewReconciler(%+v): %v, want a *ConfigError", c, err)
		}
	}
}

// Run sweeps on the clock until its context ends.
func TestReconcileRun(t *testing.T) {
	h := newRC(t, MemoryConfig{TTL: time.Minute}, ReconcilerConfig{Interval: time.Second})
	h.send("m1", "", outcome.Failed, true, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.rec.Run(ctx) }()
	for range 61 {
		h.clk.AwaitTimers(t, 1)
		h.clk.Advance(time.Second)
	}
	h.clk.AwaitTimers(t, 1) // the sweep after the deadline has run
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if r := h.only(); r.Verdict != VerdictNoReceipt {
		t.Errorf("resolution %+v", r)
	}
}
