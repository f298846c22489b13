package dlr_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/envelope"
)

// fakeAPI is 8x8 on loopback, as far as this test needs it: a single SMS
// send that answers with a umid, and the SMS message-details GET (which
// the emulator does not serve).
func fakeAPI(t *testing.T, lookups *atomic.Int64) *httptest.Server {
	const umid = "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/subaccounts/acme_hq/messages":
			_, _ = w.Write([]byte(`{"umid":"` + umid + `","clientMessageId":"otp-1","destination":"6591234567","encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`))
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/subaccounts/acme_hq/messages/"+umid:
			lookups.Add(1)
			_, _ = w.Write([]byte(`{"umid":"` + umid + `","subAccountId":"acme_hq","direction":"outbound","status":{"state":"delivered","detail":"delivered_to_recipient","timestamp":"2026-08-01T02:14:09.88Z"},"clientMessageId":"otp-1","smsCount":1}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":1300,"message":"Message not found."}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A client records its send in the store; no receipt ever comes (the
// webhook was down for longer than 8x8's retries); at the deadline the
// Reconciler looks the umid up through client.LookupReceipt, over
// loopback, and resolves the send as delivered.
func TestLookupThroughClient(t *testing.T) {
	var lookups atomic.Int64
	srv := fakeAPI(t, &lookups)
	f := clock.NewFake(time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC))
	store, err := dlr.NewMemoryStore(dlr.MemoryConfig{TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{APIKey: "sk-test-9f8e7d6c5b4a", BaseURL: srv.URL, Clock: f, Outcomes: store})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make(chan dlr.Resolution, 1)
	rec, err := dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, Clock: f, Lookup: c.LookupReceipt, OnResolve: func(r dlr.Resolution) { got <- r }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendSMS(context.Background(), "acme_hq", client.SMS{ClientMessageID: "otp-1", Destination: "+6591234567", Text: "Your code is 482913"}); err != nil {
		t.Fatal(err)
	}
	f.Advance(time.Hour)
	if _, err := rec.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.Verdict != dlr.VerdictDelivered || !r.Deadline || len(r.Copies) != 1 || !r.Copies[0].LookedUp ||
			r.Copies[0].Detail != envelope.DetailDeliveredToRecipient || !strings.HasPrefix(r.Copies[0].UMID, "6f1c2a0e") {
			t.Errorf("resolution %+v", r)
		}
	default:
		t.Fatal("no resolution")
	}
	if lookups.Load() != 1 {
		t.Errorf("%d lookups, want 1", lookups.Load())
	}
}
