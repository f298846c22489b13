package reliability

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
)

// TestRedirectToAnotherHostKeepsTheKey: a server that redirects a send to
// another host must not get the key sent there. The client refuses the
// redirect with a typed error (ErrRedirect), does not retry, and the
// second server sees no request at all, let alone an Authorization header.
func TestRedirectToAnotherHostKeepsTheKey(t *testing.T) {
	var (
		mu        sync.Mutex
		otherAuth []string
	)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","destination":"1","encoding":"GSM7","status":{"code":"QUEUED"}}`))
	}))
	t.Cleanup(other.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(other.URL, "http://"))

	for _, tc := range []struct {
		name   string
		status int
		target string
	}{
		{"307-other-port", http.StatusTemporaryRedirect, other.URL},
		{"308-other-port", http.StatusPermanentRedirect, other.URL},
		{"302-other-port", http.StatusFound, other.URL},
		{"307-localhost-name", http.StatusTemporaryRedirect, "http://localhost:" + port},
		{"301-https-other", http.StatusMovedPermanently, "https://127.0.0.1:" + port},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := newObserver(t)
			first, n := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", tc.target+r.URL.Path)
				w.WriteHeader(tc.status)
			})
			c := obs.newClient(client.Config{BaseURL: first.URL, Clock: newJumpClock()})
			_, err := obs.sendSMS(c, context.Background(), "acme_hq", sms(7, ""))
			if !errors.Is(err, client.ErrRedirect) {
				t.Errorf("err = %v, want one matching client.ErrRedirect", err)
			}
			if !typedErr(err) {
				t.Errorf("err %T is not a typed client error", err)
			}
			if got := n.Load(); got != 1 {
				t.Errorf("redirecting server saw %d requests, want 1 (a refused redirect is not retried)", got)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, a := range otherAuth {
				if a != "" {
					t.Errorf("the redirect target received Authorization %q", a)
				}
			}
			if len(otherAuth) != 0 {
				t.Errorf("the redirect target received %d requests, want 0", len(otherAuth))
			}
		})
	}
}

// TestTLSBelow12Refused: a server that speaks at most TLS 1.1 fails the
// handshake. The send ends with a typed error of transport class TLS that
// says the message was surely not sent, after at most the policy's
// attempts (no retry storm), without sending the key in the clear.
func TestTLSBelow12Refused(t *testing.T) {
	var handshakes, requests atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(200)
	}))
	ts.TLS = &tls.Config{
		MinVersion: tls.VersionTLS10,
		MaxVersion: tls.VersionTLS11,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			handshakes.Add(1)
			return nil, nil
		},
	}
	ts.Config.ErrorLog = discardLog()
	ts.StartTLS()
	t.Cleanup(ts.Close)

	const maxAttempts = 3
	obs := newObserver(t)
	clk := newJumpClock()
	// The test server's client trusts its certificate; the client under
	// test keeps its own TLS floor (1.2) on top of that transport.
	tr := ts.Client().Transport.(*http.Transport).Clone()
	c := obs.newClient(client.Config{
		BaseURL: ts.URL, Clock: clk, HTTPClient: &http.Client{Transport: tr}, Rand: half,
		Policy: mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: maxAttempts}}),
	})
	start := time.Now()
	_, err := obs.sendSMS(c, context.Background(), "acme_hq", sms(8, ""))
	wall := time.Since(start)
	t.Logf("err: %v (%d handshakes, waits %v)", err, handshakes.Load(), clk.Waits())
	se, ok := errors.AsType[*client.SendError](err)
	if !ok {
		t.Fatalf("err is %T, want *client.SendError: %v", err, err)
	}
	if se.Transport != policy.TransportTLS {
		t.Errorf("SendError.Transport = %v, want %v (a failed handshake is a TLS failure)", se.Transport, policy.TransportTLS)
	}
	if se.Ambiguous {
		t.Error("SendError.Ambiguous = true: a failed handshake surely sent nothing")
	}
	if got := handshakes.Load(); got < 1 || got > maxAttempts {
		t.Errorf("server saw %d handshakes, want 1..%d", got, maxAttempts)
	}
	if se.Attempts > maxAttempts || int64(se.Attempts) != handshakes.Load() {
		t.Errorf("SendError.Attempts = %d, handshakes %d; want equal and <= %d", se.Attempts, handshakes.Load(), maxAttempts)
	}
	if requests.Load() != 0 {
		t.Errorf("server handled %d requests over TLS < 1.2", requests.Load())
	}
	if wall > hostileWall {
		t.Errorf("send took %v", wall)
	}
	// Waits between handshakes are backoff on the client's clock, never a
	// tight loop: one wait per retry.
	if w := clk.Waits(); len(w) < se.Attempts-1 {
		t.Errorf("client waited %d times between %d attempts: %v", len(w), se.Attempts, w)
	}
}
