package client

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/envelope"
)

func emulatorClient(t *testing.T, cfg emulator.Config) (*emulator.Server, *Client) {
	t.Helper()
	cfg.APIKey = testKey
	srv := emulatortest.Start(t, cfg)
	return srv, newClient(t, testConfig(srv.URL(), clock.NewFake(t0), 0))
}

// REJECTED items inside a 200 are a partial success: no error, per-message
// outcomes, nothing resent.
func TestBatchPartialSuccess(t *testing.T) {
	srv, c := emulatorClient(t, emulator.Config{})
	b := Batch{
		ClientBatchID: "promo-1",
		Template:      SMSTemplate{Text: "Flash sale today only!", Source: "AcmeShop"},
		Messages: []SMS{
			{Destination: "+447700900123", ClientMessageID: "promo-0001"},
			{Destination: "12345"}, // not E.164: REJECTED by the API
			{Destination: "+447700900456", Text: "Hi Priya, your VIP code works today."},
		},
	}
	res, err := c.SendBatch(context.Background(), "acme_hq", b)
	if err != nil {
		t.Fatalf("SendBatch: %v", err)
	}
	if res.Accepted != 2 || res.Rejected != 1 || res.Failed != 0 || res.Requests != 1 || res.Attempts != 1 || len(res.BatchIDs) != 1 {
		t.Fatalf("result %+v, want 2 accepted, 1 rejected, 1 request, 1 attempt, 1 batch id", res)
	}
	wantStates := []MessageState{StateAccepted, StateRejected, StateAccepted}
	for i, m := range res.Messages {
		if m.State != wantStates[i] {
			t.Errorf("message %d state %v, want %v", i, m.State, wantStates[i])
		}
		if m.ClientMessageID == "" || m.UMID == "" {
			t.Errorf("message %d: clientMessageId %q umid %q, want both set", i, m.ClientMessageID, m.UMID)
		}
	}
	if res.Messages[0].ClientMessageID != "promo-0001" {
		t.Errorf("caller's clientMessageId replaced: %q", res.Messages[0].ClientMessageID)
	}
	rej := res.Messages[1]
	if !errors.Is(rej.Err, ErrRejected) || rej.Status != "REJECTED" || rej.Description == "" {
		t.Errorf("rejected message %+v, want Err ErrRejected, status REJECTED and a description", rej)
	}
	if res.Messages[0].Err != nil || res.Messages[0].Status != "QUEUED" {
		t.Errorf("accepted message %+v", res.Messages[0])
	}
	if u := srv.Ledger().Unique(); u != 2 {
		t.Errorf("ledger holds %d messages, want 2", u)
	}
}

// A batch of 25,000 goes out as 10,000 + 10,000 + 5,000, every message
// accepted exactly once.
func TestBatchSplits25000Into3Requests(t *testing.T) {
	srv, c := emulatorClient(t, emulator.Config{})
	dests := make([]string, 25_000)
	for i := range dests {
		dests[i] = "+6581" + strconv.Itoa(100000+i)
	}
	res, err := c.SendBatch(context.Background(), "acme_hq", Batch{
		Template: SMSTemplate{Text: "Service restored."}, Destinations: dests,
	})
	if err != nil {
		t.Fatalf("SendBatch: %v", err)
	}
	if res.Requests != 3 || res.Accepted != 25_000 || len(res.Messages) != 25_000 || len(res.BatchIDs) != 3 {
		t.Fatalf("requests %d accepted %d messages %d batch ids %d; want 3, 25000, 25000, 3",
			res.Requests, res.Accepted, len(res.Messages), len(res.BatchIDs))
	}
	if st := srv.Stats(); st.Requests != 3 {
		t.Errorf("emulator saw %d requests, want 3", st.Requests)
	}
	l := srv.Ledger()
	if l.Unique() != 25_000 || l.Duplicates() != 0 {
		t.Errorf("ledger unique %d duplicates %d, want 25000, 0", l.Unique(), l.Duplicates())
	}
	for _, i := range []int{0, 9_999, 10_000, 24_999} {
		if n := l.Count("acme_hq", res.Messages[i].ClientMessageID); n != 1 {
			t.Errorf("message %d accepted %d times, want 1", i, n)
		}
	}
}

// A whole-request retryable failure retries that chunk with the same
// clientMessageIds; a chunk that fails for good fails only its messages.
func TestChatBatchChunkRetryAndFailure(t *testing.T) {
	f5 := emulator.Fault{Kind: emulator.Fault500}
	srv := emulatortest.Start(t, emulator.Config{
		APIKey:    testKey,
		Templates: []string{"order_shipped"},
		// chunk 1: 500 then fine; chunk 2: 500 on every attempt.
		Script: []emulator.Fault{f5, {}, f5, f5, f5, f5, f5},
	})
	// The script is consumed in arrival order: send the chunks one after
	// another so that each gets its share (TestBatchChunksConcurrent covers
	// concurrent chunks).
	cfg := testConfig(srv.URL(), clock.NewFake(t0), 0)
	cfg.BatchConcurrency = 1
	c := newClient(t, cfg)
	msgs := make([]Chat, 1_001)
	for i := range msgs {
		msgs[i] = Chat{User: ChatUser{MSISDN: "+6598" + strconv.Itoa(700000+i)}, Content: ChatContent{Text: "Your order shipped."}}
	}
	msgs[5] = Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "template",
		Content: ChatContent{Template: &ChatTemplate{Name: "no_such_template", Language: "en"}}}

	res, err := c.SendChatBatch(context.Background(), "acme_chat", ChatBatch{ClientBatchID: "ship-0801", Messages: msgs})
	batchErr, ok := errors.AsType[*BatchError](err)
	if !ok {
		t.Fatalf("err = %v (%T), want *BatchError", err, err)
	}
	if batchErr.Failed != 1 || batchErr.Requests != 1 {
		t.Errorf("BatchError = %+v, want 1 failed message in 1 request", batchErr)
	}
	if apiErr, ok := errors.AsType[*APIError](err); !ok || apiErr.Status != 500 || apiErr.Attempts != 5 {
		t.Errorf("err %v: want the chunk's *APIError 500 after 5 attempts", err)
	}
	if res.Requests != 2 || res.Attempts != 7 || res.Accepted != 999 || res.Rejected != 1 || res.Failed != 1 {
		t.Errorf("result requests %d attempts %d accepted %d rejected %d failed %d; want 2, 7, 999, 1, 1",
			res.Requests, res.Attempts, res.Accepted, res.Rejected, res.Failed)
	}
	if m := res.Messages[5]; m.State != StateRejected || m.Code != envelope.CodeTemplateNotFound || !errors.Is(m.Err, ErrRejected) {
		t.Errorf("template message %+v, want rejected with 3038", m)
	}
	if m := res.Messages[1_000]; m.State != StateFailed || m.Err == nil {
		t.Errorf("last message %+v, want failed with its chunk's error", m)
	}
	if l := srv.Ledger(); l.Unique() != 999 || l.Duplicates() != 0 {
		t.Errorf("ledger unique %d duplicates %d, want 999, 0", l.Unique(), l.Duplicates())
	}
	for _, m := range res.Messages[:1_000] {
		if m.State == StateAccepted && srv.Ledger().Count("acme_chat", m.ClientMessageID) != 1 {
			t.Fatalf("accepted message %s not in the ledger exactly once", m.ClientMessageID)
		}
	}
}

// An ambiguous chunk failure (accepted, then 500) retried under
// at-least-once duplicates, and its messages say so.
func TestBatchAmbiguousRetryFlagsMessages(t *testing.T) {
	srv, c := emulatorClient(t, emulator.Config{Script: []emulator.Fault{{Kind: emulator.FaultAcceptedThen500}}})
	res, err := c.SendBatch(context.Background(), "acme_hq", Batch{
		Template: SMSTemplate{Text: "hello"}, Destinations: []string{"+6581110001", "+6581110002"},
	})
	if err != nil {
		t.Fatalf("SendBatch: %v", err)
	}
	for i, m := range res.Messages {
		if m.State != StateAccepted || !m.Ambiguous {
			t.Errorf("message %d: %+v, want accepted and ambiguous", i, m)
		}
	}
	if d := srv.Ledger().Duplicates(); d != 2 {
		t.Errorf("ledger duplicates %d, want 2 (the retry after accepted-then-500)", d)
	}
}

func TestSendChat(t *testing.T) {
	_, c := emulatorClient(t, emulator.Config{})
	res, err := c.SendChat(context.Background(), "acme_chat", Chat{
		User: ChatUser{MSISDN: "+6598765432"}, ClientMessageID: "order-88121-shipped",
		Content: ChatContent{Text: "Your order has shipped."},
	})
	if err != nil {
		t.Fatalf("SendChat: %v", err)
	}
	if res.UMID == "" || res.ClientMessageID != "order-88121-shipped" || res.Status == "" || res.Attempts != 1 {
		t.Errorf("Result = %+v", res)
	}
}
