package dlr

import (
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

// BenchmarkReconcile records a send and hands the Reconciler its "sent"
// and "delivered" receipts, on a MemoryStore: the cost per send of
// reconciling it (ns/op and allocations per send, two receipts each).
func BenchmarkReconcile(b *testing.B) {
	f := clock.NewFake(t0)
	s, _ := NewMemoryStore(MemoryConfig{MaxEntries: 1 << 16})
	rec, _ := NewReconciler(ReconcilerConfig{Store: s, Clock: f, OnResolve: func(Resolution) {}})
	cmids, umids := make([]string, 1<<16), make([]string, 1<<16)
	for i := range cmids {
		cmids[i], umids[i] = "cm-"+strconv.Itoa(i), "6f1c2a0e-9b3d-ef11-8300-"+strconv.Itoa(100000000000+i)
	}
	r := Receipt{Receipt: envelope.Receipt{Format: envelope.FormatSMS, SubAccountID: "acme_hq", Channel: "sms"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i & (1<<16 - 1)
		s.RecordSend(outcome.Send{SubAccountID: "acme_hq", ClientMessageID: cmids[k], UMID: umids[k], State: outcome.Accepted, Attempts: 1, At: f.Now()})
		r.ClientMessageID, r.UMID = cmids[k], umids[k]
		r.State, r.Detail, r.Timestamp = envelope.StateSent, "", t0
		rec.OnReceipt(r)
		r.State, r.Detail, r.Timestamp = envelope.StateDelivered, envelope.DetailDeliveredToRecipient, t0.Add(time.Second)
		rec.OnReceipt(r)
	}
	if st := rec.Stats(); st.Plain.Delivered == 0 {
		b.Fatalf("stats %+v", st)
	}
}
