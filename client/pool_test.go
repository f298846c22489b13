package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// go-retryablehttp closes every idle connection of the pool when a request
// finally fails. Under a 429 storm or an outage, where every send fails,
// that would open a new connection per send; the client keeps reusing one.
func TestConnectionsReusedWhenSendsFail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply reply
	}{
		{"429-storm", reply{status: 429, body: errBody(429, "Quota exceeded. Please try again in 1 second(s)."), header: map[string]string{"Retry-After": "1"}}},
		{"outage-503", reply{status: 503, body: errBody(2000, "Service unavailable")}},
		{"permanent-400", reply{status: 400, body: errBody(1002, "Invalid MSISDN")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.def = tc.reply
			f := clock.NewFake(t0)
			cfg := testConfig(ts.URL, f, 0)
			cfg.Breaker = breaker.Config{MinRequests: 1_000_000} // keep the breaker out of it
			cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 3}})
			c := newClient(t, cfg)
			stop := autoAdvance(f, time.Second)
			defer stop()
			const sends = 10
			for i := range sends {
				_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
				if _, ok := errors.AsType[*APIError](err); !ok {
					t.Fatalf("send %d: err = %v, want *APIError", i, err)
				}
			}
			if n := ts.count(); n < sends {
				t.Fatalf("server saw %d requests, want at least %d", n, sends)
			}
			if got := ts.newConns.Load(); got != 1 {
				t.Errorf("%d requests opened %d connections, want 1", ts.count(), got)
			}
		})
	}
}

// The same storm through go-retryablehttp used plainly churns the pool:
// the baseline that proves the test above can fail.
func TestPlainRetryablehttpChurnsConnections(t *testing.T) {
	ts := newTestServer(t)
	ts.def = reply{status: 400, body: errBody(1002, "Invalid MSISDN")}
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.RetryMax = 0
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		return false, errors.New("fail") // a final failure, as after exhausted retries
	}
	rc.ErrorHandler = func(resp *http.Response, err error, _ int) (*http.Response, error) {
		io.Copy(io.Discard, resp.Body) // drained: only CloseIdleConnections can lose the connection
		resp.Body.Close()
		return nil, err
	}
	defer rc.HTTPClient.CloseIdleConnections()
	for range 5 {
		req, _ := retryablehttp.NewRequest(http.MethodPost, ts.URL+"/api/v1/subaccounts/acme_hq/messages", []byte(`{}`))
		rc.Do(req)
	}
	if got := ts.newConns.Load(); got < 5 {
		t.Errorf("plain go-retryablehttp opened %d connections for 5 failed requests; expected churn", got)
	}
}

// countingConn counts the writes a client makes on its connections.
type countingConn struct {
	net.Conn
	writes *atomic.Int32
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// Each request leaves in one write: net/http sees an in-memory body and
// does not flush the headers on their own (one TCP segment, one syscall).
func TestRequestIsOneWrite(t *testing.T) {
	ts := newTestServer(t)
	var writes atomic.Int32
	d := &net.Dialer{}
	tr := newDefaultTransport()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	}
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.HTTPClient = &http.Client{Transport: tr}
	c := newClient(t, cfg)
	const n = 20
	for range n {
		if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
			t.Fatal(err)
		}
	}
	if got := writes.Load(); got != n {
		t.Errorf("%d requests took %d writes, want %d", n, got, n)
	}
}
