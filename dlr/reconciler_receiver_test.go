package dlr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/outcome"
)

// rcBody is an SMS receipt body for clientMessageId cmid and umid.
func rcBody(cmid, umid, state, detail, ts string, code int) string {
	ec := ""
	if code != 0 {
		ec = `,"errorCode":` + strconv.Itoa(code) + `,"errorMessage":"x"`
	}
	return `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":"` + umid +
		`","clientMessageId":"` + cmid + `","subAccountId":"acme_hq","destination":"+6591234567","status":{"state":"` + state +
		`","detail":"` + detail + `","timestamp":"` + ts + `"` + ec + `},"smsCount":1}}`
}

// The Reconciler behind a real Receiver over loopback: receipts posted
// out of order and redelivered resolve an accepted-then-500 send to a
// confirmed duplicate, and an ambiguous failure to failed with its error.
func TestReconcilerBehindReceiver(t *testing.T) {
	got := make(chan Resolution, 8)
	h := newRC(t, MemoryConfig{}, ReconcilerConfig{OnResolve: func(r Resolution) { got <- r }})
	rv, err := New(Config{Authorization: []string{testAuth}, OnReceipt: h.rec.OnReceipt, Clock: h.clk, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	t.Cleanup(func() {
		srv.Close()
		_ = rv.Shutdown(context.Background())
	})
	postRC := func(body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("Authorization", testAuth)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	const u1, u2, u3 = "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e51", "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e52", "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e53"
	h.send("otp-1", u2, outcome.Accepted, true, 2)
	h.send("otp-2", "", outcome.Failed, true, 1)
	postRC(rcBody("otp-1", u2, "delivered", "delivered_to_recipient", "2026-08-01T02:00:09Z", 0))
	postRC(rcBody("otp-1", u2, "sent", "", "2026-08-01T02:00:01Z", 0)) // late
	postRC(rcBody("otp-1", u1, "delivered", "delivered_to_recipient", "2026-08-01T02:00:08Z", 0))
	postRC(rcBody("otp-1", u1, "delivered", "delivered_to_recipient", "2026-08-01T02:00:08Z", 0)) // redelivered
	postRC(rcBody("otp-2", u3, "undelivered", "rejected_by_operator", "2026-08-01T02:00:05Z", 15))
	want := map[string]Verdict{"otp-1": VerdictDuplicate, "otp-2": VerdictFailed}
	for range 2 {
		select {
		case r := <-got:
			if r.Verdict != want[r.ClientMessageID] {
				t.Errorf("%s: %v, want %v", r.ClientMessageID, r.Verdict, want[r.ClientMessageID])
			}
			if r.Verdict == VerdictFailed && (r.ErrorCode != 15 || r.Reason != "Invalid destination") {
				t.Errorf("failure %+v", r)
			}
			delete(want, r.ClientMessageID)
		case <-time.After(10 * time.Second):
			t.Fatal("timed out waiting for a resolution")
		}
	}
	_ = rv.Shutdown(context.Background())
	select {
	case r := <-got:
		t.Errorf("a second resolution: %+v", r)
	default:
	}
	if st := rv.Stats(); st.Receipts != 3 || st.Stale != 1 || st.Duplicates != 1 {
		t.Errorf("receiver %+v", st)
	}
}
