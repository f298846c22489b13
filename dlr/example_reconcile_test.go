package dlr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

// A send that got a 500 after 8x8 had accepted it, then was accepted again
// on its retry: two umids for one clientMessageId. Their receipts confirm
// the duplicate. In a program the client records the send itself
// (client.Config{Outcomes: store}) and a Receiver hands over the receipts
// (dlr.Config{OnReceipt: rec.OnReceipt}).
func ExampleReconciler() {
	store, _ := dlr.NewMemoryStore(dlr.MemoryConfig{})
	rec, _ := dlr.NewReconciler(dlr.ReconcilerConfig{
		Store: store,
		OnResolve: func(r dlr.Resolution) {
			fmt.Printf("%s: %s, %d of %d copies delivered, ambiguous=%v\n", r.ClientMessageID, r.Verdict, r.Delivered, len(r.Copies), r.Ambiguous)
		},
	})
	store.RecordSend(outcome.Send{SubAccountID: "acme_otp", ClientMessageID: "otp-000417", UMID: "7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f",
		State: outcome.Accepted, Ambiguous: true, Attempts: 2, At: time.Now()})

	receipt := func(umid string, s envelope.State, d envelope.Detail) dlr.Receipt {
		return dlr.Receipt{Receipt: envelope.Receipt{Format: envelope.FormatSMS, UMID: umid, ClientMessageID: "otp-000417",
			SubAccountID: "acme_otp", State: s, Detail: d, Timestamp: time.Now()}}
	}
	rec.OnReceipt(receipt("7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f", envelope.StateDelivered, envelope.DetailDeliveredToRecipient))
	rec.OnReceipt(receipt("6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f", envelope.StateDelivered, envelope.DetailDeliveredToRecipient))
	st := rec.Stats()
	fmt.Println("duplicates confirmed:", st.Ambiguous.Duplicate)
	// Output:
	// otp-000417: duplicate, 2 of 2 copies delivered, ambiguous=true
	// duplicates confirmed: 1
}

// A send whose answer never came (a timeout after the request went out):
// no receipt carries its clientMessageId by the deadline, the store's TTL,
// so 8x8 most likely never took it. Sweep (or Run) resolves it then.
func ExampleReconciler_Sweep() {
	f := clock.NewFake(time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC))
	store, _ := dlr.NewMemoryStore(dlr.MemoryConfig{TTL: time.Hour})
	rec, _ := dlr.NewReconciler(dlr.ReconcilerConfig{
		Store: store,
		Clock: f,
		OnResolve: func(r dlr.Resolution) {
			fmt.Printf("%s: %s (deadline=%v, copies=%d)\n", r.ClientMessageID, r.Verdict, r.Deadline, len(r.Copies))
		},
	})
	store.RecordSend(outcome.Send{SubAccountID: "acme_otp", ClientMessageID: "otp-000418", State: outcome.Failed,
		Ambiguous: true, Attempts: 1, At: f.Now()})
	f.Advance(30 * time.Minute)
	n, _ := rec.Sweep(context.Background())
	fmt.Println("due after 30 minutes:", n)
	f.Advance(30 * time.Minute)
	n, _ = rec.Sweep(context.Background())
	fmt.Println("due after an hour:", n)
	// Output:
	// due after 30 minutes: 0
	// otp-000418: no-receipt (deadline=true, copies=0)
	// due after an hour: 1
}
