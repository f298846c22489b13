package redisdlr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/outcome"
)

const webhookAuth = "Bearer 9QQhlsEb8VY"

// instance is one process of the fleet: its own Redis connection and
// store, Reconciler and webhook Receiver on loopback.
type instance struct {
	store *Store
	rec   *dlr.Reconciler
	srv   *httptest.Server
	mu    sync.Mutex
	res   []dlr.Resolution
	got   chan struct{}
}

func newInstance(t *testing.T, addr, prefix string, f *clock.Fake) *instance {
	in := &instance{got: make(chan struct{}, 64)}
	in.store = newStore(t, addr, Config{Prefix: prefix, TTL: time.Hour})
	var err error
	in.rec, err = dlr.NewReconciler(dlr.ReconcilerConfig{Store: in.store, Clock: f, Settle: time.Minute, OnResolve: func(r dlr.Resolution) {
		in.mu.Lock()
		in.res = append(in.res, r)
		in.mu.Unlock()
		in.got <- struct{}{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := dlr.New(dlr.Config{Authorization: []string{webhookAuth}, OnReceipt: in.rec.OnReceipt, Clock: f})
	if err != nil {
		t.Fatal(err)
	}
	in.srv = httptest.NewServer(rv)
	t.Cleanup(func() {
		in.srv.Close()
		_ = rv.Shutdown(context.Background())
	})
	return in
}

func (in *instance) post(t *testing.T, cmid, umid, state, detail string) {
	t.Helper()
	body := `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":"` + umid +
		`","clientMessageId":"` + cmid + `","subAccountId":"acme_hq","destination":"+6591234567","status":{"state":"` + state +
		`","detail":"` + detail + `","timestamp":"2026-08-01T02:00:09Z"},"smsCount":1}}`
	req, _ := http.NewRequest(http.MethodPost, in.srv.URL, strings.NewReader(body))
	req.Header.Set("Authorization", webhookAuth)
	resp, err := in.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

func (in *instance) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-in.got:
		case <-time.After(10 * time.Second):
			t.Fatal("timed out waiting for a resolution")
		}
	}
}

func (in *instance) resolutions() []dlr.Resolution {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]dlr.Resolution(nil), in.res...)
}

// Instance A sends (through the emulator, with an accepted-then-500 that
// makes two copies of one message); 8x8's webhook calls land on instance
// B, and a redelivery on A: B resolves the duplicate and the plain send,
// A reports nothing. A send with no receipt, swept by both at its
// deadline, is reported by exactly one.
func TestFleetReconcile(t *testing.T) {
	srv, f := start(t)
	prefix := "test:fleet:"
	a, b := newInstance(t, srv.Addr, prefix, f), newInstance(t, srv.Addr, prefix, f)

	emu := emulatortest.Start(t, emulator.Config{APIKey: "sk-test-9f8e7d6c5b4a", Script: []emulator.Fault{{Kind: emulator.FaultAcceptedThen500}}})
	c, err := client.New(client.Config{APIKey: "sk-test-9f8e7d6c5b4a", BaseURL: emu.URL(), Clock: f, Rand: func() float64 { return 0 }, Outcomes: a.store})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // the client's backoff waits on the fake clock
		for {
			select {
			case <-stop:
				return
			case <-f.WaitForTimers(1):
				f.Advance(100 * time.Millisecond)
			}
		}
	}()
	ctx := context.Background()
	r1, err := c.SendSMS(ctx, "acme_hq", client.SMS{ClientMessageID: "otp-1", Destination: "+6591234567", Text: "Your code is 482913"})
	if err != nil || !r1.Ambiguous {
		t.Fatalf("send: %+v %v, want accepted and ambiguous", r1, err)
	}
	r2, err := c.SendSMS(ctx, "acme_hq", client.SMS{ClientMessageID: "otp-2", Destination: "+6591234568", Text: "Your code is 190233"})
	if err != nil || r2.Ambiguous {
		t.Fatalf("send: %+v %v", r2, err)
	}
	first := ""
	for _, e := range emu.Ledger().Entries() {
		if e.ClientMessageID == "otp-1" {
			first = e.UMID
			if e.Count != 2 {
				t.Fatalf("the emulator accepted otp-1 %d times, want 2", e.Count)
			}
		}
	}
	if first == "" || first == r1.UMID {
		t.Fatalf("copies %q and %q, want two umids", first, r1.UMID)
	}
	flush(t, a.store)

	b.post(t, "otp-1", r1.UMID, "delivered", "delivered_to_recipient")
	b.post(t, "otp-1", first, "delivered", "delivered_to_recipient")
	b.post(t, "otp-2", r2.UMID, "delivered", "delivered_to_recipient")
	b.wait(t, 2)
	a.post(t, "otp-1", first, "delivered", "delivered_to_recipient") // redelivered to another instance
	for deadline := time.Now().Add(10 * time.Second); a.rec.Stats().Matched+a.rec.Stats().Orphans+a.rec.Stats().StoreErrors == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("instance A never took the redelivered receipt")
		}
	}
	if st := a.rec.Stats(); st.Matched != 1 || st.Ambiguous.Total()+st.Plain.Total() != 0 {
		t.Errorf("A's stats %+v: the redelivery must match and change nothing", st)
	}
	want := map[string]dlr.Verdict{"otp-1": dlr.VerdictDuplicate, "otp-2": dlr.VerdictDelivered}
	for _, r := range b.resolutions() {
		if r.Verdict != want[r.ClientMessageID] {
			t.Errorf("%s: %v (%d delivered), want %v", r.ClientMessageID, r.Verdict, r.Delivered, want[r.ClientMessageID])
		}
		delete(want, r.ClientMessageID)
	}
	if len(want) != 0 {
		t.Errorf("not resolved: %v", want)
	}
	if st := b.rec.Stats(); st.Ambiguous.Duplicate != 1 || st.Plain.Delivered != 1 || st.Matched != 3 {
		t.Errorf("B's stats %+v", st)
	}

	// No receipt: both instances sweep at the deadline, one reports.
	a.store.RecordSend(outcome.Send{SubAccountID: "acme_hq", ClientMessageID: "otp-3", State: outcome.Failed, Ambiguous: true, Attempts: 1, At: f.Now()})
	flush(t, a.store)
	f.Advance(time.Hour)
	var wg sync.WaitGroup
	for _, in := range []*instance{a, b, a, b} {
		wg.Go(func() {
			if _, err := in.rec.Sweep(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var got []dlr.Resolution
	for _, in := range []*instance{a, b} {
		for _, r := range in.resolutions() {
			if r.ClientMessageID == "otp-3" {
				got = append(got, r)
			}
		}
	}
	if len(got) != 1 || got[0].Verdict != dlr.VerdictNoReceipt || !got[0].Deadline {
		t.Errorf("otp-3 resolutions %+v, want one no-receipt", got)
	}
	for _, r := range a.resolutions() {
		if r.ClientMessageID != "otp-3" {
			t.Errorf("instance A reported %+v", r)
		}
	}
}
