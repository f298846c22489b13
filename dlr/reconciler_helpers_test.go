package dlr

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

// rcHarness is a Reconciler on a MemoryStore and a fake clock, collecting
// resolutions.
type rcHarness struct {
	t     *testing.T
	clk   *clock.Fake
	store *MemoryStore
	rec   *Reconciler
	mu    sync.Mutex
	res   []Resolution
}

func newRC(t *testing.T, mc MemoryConfig, rc ReconcilerConfig) *rcHarness {
	t.Helper()
	h := &rcHarness{t: t, clk: clock.NewFake(t0)}
	if mc.TTL == 0 {
		mc.TTL = time.Hour
	}
	h.store = newMem(t, mc)
	rc.Store, rc.Clock = h.store, h.clk
	if rc.OnResolve == nil {
		rc.OnResolve = func(r Resolution) {
			h.mu.Lock()
			h.res = append(h.res, r)
			h.mu.Unlock()
		}
	}
	rec, err := NewReconciler(rc)
	if err != nil {
		t.Fatal(err)
	}
	h.rec = rec
	return h
}

// send records a send at the fake clock's now.
func (h *rcHarness) send(cmid, umid string, st outcome.State, ambiguous bool, attempts int) {
	h.store.RecordSend(outcome.Send{SubAccountID: "acme_hq", ClientMessageID: cmid, UMID: umid, State: st,
		Ambiguous: ambiguous, Attempts: attempts, At: h.clk.Now()})
}

// receipt hands an SMS receipt to the Reconciler; ts is its status time
// relative to t0.
func (h *rcHarness) receipt(cmid, umid string, s envelope.State, d envelope.Detail, ts time.Duration, code envelope.DLRCode) {
	h.rec.OnReceipt(Receipt{Receipt: envelope.Receipt{Format: envelope.FormatSMS, UMID: umid, ClientMessageID: cmid,
		SubAccountID: "acme_hq", Channel: "sms", State: s, Detail: d, Timestamp: t0.Add(ts), ErrorCode: code}})
}

func (h *rcHarness) delivered(cmid, umid string, ts time.Duration) {
	h.receipt(cmid, umid, envelope.StateDelivered, envelope.DetailDeliveredToRecipient, ts, 0)
}

func (h *rcHarness) sweep() int {
	h.t.Helper()
	n, err := h.rec.Sweep(context.Background())
	if err != nil {
		h.t.Fatalf("Sweep: %v", err)
	}
	return n
}

func (h *rcHarness) resolutions() []Resolution {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Resolution(nil), h.res...)
}

// only returns the one resolution so far, failing otherwise.
func (h *rcHarness) only() Resolution {
	h.t.Helper()
	rs := h.resolutions()
	if len(rs) != 1 {
		h.t.Fatalf("%d resolutions, want 1: %+v", len(rs), rs)
	}
	return rs[0]
}

func (h *rcHarness) none() {
	h.t.Helper()
	if rs := h.resolutions(); len(rs) != 0 {
		h.t.Fatalf("%d resolutions, want none yet: %+v", len(rs), rs)
	}
}
