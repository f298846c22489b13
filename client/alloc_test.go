//go:build !race

// The race detector changes allocation counts (sync.Pool drops items at
// random under it), so the budgets are checked in normal builds only.

package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// Allocation budgets of a successful SendSMS over a bare net/http POST of
// the same body to the same server, reading the same answer. They are
// negative: a send reuses its request machinery (see sendKit), so it
// allocates fewer times than the bare POST builds its request.
//
// Against a bare POST with the same per-attempt timeout
// (http.Client.Timeout = policy.DefaultAttemptTimeout, which costs net/http
// a timer context per request, where the client keeps one lazy timer):
// measured 16 fewer.
const allocBudgetSameTimeout = -13

// Against a bare POST with no timeout at all: measured 6 fewer. What the
// client still allocates per send is its answer (the UMID) and what
// net/http.Client.Do allocates on every request (its header copy is of an
// empty header: see sendKit.header).
const allocBudgetNoTimeout = -4

// TestSendAllocsOverBareHTTP measures SendSMS against bare http.Client
// POSTs to the same loopback server in the same run. Every number includes
// the server's allocations for the request, which are the same work; the
// difference is the client's overhead.
func TestSendAllocsOverBareHTTP(t *testing.T) {
	ts := newTestServer(t)
	c := newClient(t, testConfig(ts.URL, clock.Real, 0))
	ctx := context.Background()
	msg := sms1
	msg.ClientMessageID = "otp-7f3c2a9e-0001"

	body := envelope.AppendSMSRequest(nil, &envelope.SMSRequest{Destination: msg.Destination, Text: msg.Text, ClientMessageID: msg.ClientMessageID})
	url := ts.URL + "/api/v1/subaccounts/acme_hq/messages"
	header := http.Header{"Authorization": {"Bearer " + testKey}, "Content-Type": {"application/json"}}
	var sink bytes.Buffer
	post := func(hc *http.Client) func() {
		return func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			req.Header = header
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			sink.Reset()
			io.Copy(&sink, resp.Body)
			resp.Body.Close()
		}
	}
	plain := &http.Client{Transport: newDefaultTransport()}
	timed := &http.Client{Transport: newDefaultTransport(), Timeout: policy.DefaultAttemptTimeout}
	defer plain.CloseIdleConnections()
	defer timed.CloseIdleConnections()
	bare, bareTimed := post(plain), post(timed)
	send := func() {
		if _, err := c.SendSMS(ctx, "acme_hq", msg); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 { // warm pools and connections
		bare()
		bareTimed()
		send()
	}
	b0 := testing.AllocsPerRun(300, bare)
	b1 := testing.AllocsPerRun(300, bareTimed)
	got := testing.AllocsPerRun(300, send)
	t.Logf("allocs per send: bare %.1f, bare with timeout %.1f, client %.1f: overhead %.1f (budget %d) / %.1f (budget %d)",
		b0, b1, got, got-b1, allocBudgetSameTimeout, got-b0, allocBudgetNoTimeout)
	if got-b1 > allocBudgetSameTimeout {
		t.Errorf("SendSMS allocates %.1f per send, %.1f over a bare POST with the same timeout; budget %d", got, got-b1, allocBudgetSameTimeout)
	}
	if got-b0 > allocBudgetNoTimeout {
		t.Errorf("SendSMS allocates %.1f per send, %.1f over a bare POST; budget %d", got, got-b0, allocBudgetNoTimeout)
	}
}
