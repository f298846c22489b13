package client

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/ratelimit"
)

type hookKey struct{}

// roundTripFunc is a RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// OnSend runs once before the first attempt and its context reaches every
// attempt's request (through WrapTransport) and every later event; OnDone
// runs once with the final outcome and the send's latency.
func TestOnSendContextReachesAttemptsAndOnDone(t *testing.T) {
	ts := newTestServer(t, reply{status: 500, body: errBody(2000, "Internal server error")})
	var mu sync.Mutex
	var sends, dones []Event
	var attempts []Event
	var seen []any
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Hooks = Hooks{
		OnSend: func(ctx context.Context, ev Event) context.Context {
			mu.Lock()
			sends = append(sends, ev)
			mu.Unlock()
			return context.WithValue(ctx, hookKey{}, "send-"+ev.ClientMessageID)
		},
		OnAttempt: func(ev Event) { mu.Lock(); attempts = append(attempts, ev); mu.Unlock() },
		OnDone:    func(ev Event) { mu.Lock(); dones = append(dones, ev); mu.Unlock() },
	}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			seen = append(seen, r.Context().Value(hookKey{}))
			mu.Unlock()
			return rt.RoundTrip(r)
		})
	}
	c := newClient(t, cfg)
	m := sms1
	m.ClientMessageID = "ctx-1"
	res, err := c.SendSMS(context.Background(), "acme_hq", m)
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sends) != 1 || sends[0].Attempt != 0 || sends[0].ClientMessageID != "ctx-1" || sends[0].Tenant != "acme_hq" || sends[0].Destination != "+65******67" {
		t.Fatalf("OnSend events %+v, want one before attempt 1", sends)
	}
	if len(seen) != 2 || seen[0] != "send-ctx-1" || seen[1] != "send-ctx-1" {
		t.Errorf("the transport saw the values %v, want OnSend's on both attempts", seen)
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempt events, want 2", len(attempts))
	}
	for _, a := range attempts {
		if a.Destination != "" {
			t.Errorf("attempt %d event carries the destination %q", a.Attempt, a.Destination)
		}
		if a.Context == nil || a.Context.Value(hookKey{}) != "send-ctx-1" {
			t.Errorf("attempt %d event has no OnSend context", a.Attempt)
		}
		if a.Latency <= 0 || a.Latency > 10*time.Second {
			t.Errorf("attempt %d latency %v, want the attempt's duration", a.Attempt, a.Latency)
		}
	}
	if len(dones) != 1 {
		t.Fatalf("%d OnDone events, want 1", len(dones))
	}
	d := dones[0]
	if d.Err != nil || d.Attempt != res.Attempts || d.Status != 200 || d.Ambiguous != res.Ambiguous || d.Context.Value(hookKey{}) != "send-ctx-1" {
		t.Errorf("OnDone event %+v, want the accepted outcome after %d attempts", d, res.Attempts)
	}
}

// OnDone reports failures with the send's own error: a refused message, a
// 200 whose message is REJECTED, and a batch's chunks one by one.
func TestOnDoneOutcomes(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 400, body: errBody(1002, "Invalid MSISDN")},
		reply{status: 200, body: `{"umid":"","clientMessageId":"rej-1","status":{"code":"REJECTED","description":"Invalid destination"}}`})
	var mu sync.Mutex
	var dones []Event
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Hooks.OnDone = func(ev Event) { mu.Lock(); dones = append(dones, ev); mu.Unlock() }
	c := newClient(t, cfg)
	_, err1 := c.SendSMS(context.Background(), "acme_hq", sms1)
	m := sms1
	m.ClientMessageID = "rej-1"
	_, err2 := c.SendSMS(context.Background(), "acme_hq", m)
	if err1 == nil || !errors.Is(err2, ErrRejected) {
		t.Fatalf("errors %v, %v; want a 1002 and a rejection", err1, err2)
	}
	// Validation failures make no request: no OnDone.
	if _, err := c.SendSMS(context.Background(), "acme_hq", SMS{}); err == nil {
		t.Fatal("an empty SMS was sent")
	}
	mu.Lock()
	got := append([]Event(nil), dones...)
	mu.Unlock()
	if len(got) != 2 || got[0].Err != err1 || got[1].Err != err2 || got[1].Status != 200 {
		t.Fatalf("OnDone events %+v, want the two sends' errors", got)
	}

}

// A batch's chunks reach OnDone one by one.
func TestOnDoneBatchChunks(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey})
	var mu sync.Mutex
	var dones []Event
	cfg := testConfig(srv.URL(), clock.NewFake(t0), 0)
	cfg.Hooks.OnDone = func(ev Event) { mu.Lock(); dones = append(dones, ev); mu.Unlock() }
	c := newClient(t, cfg)
	dests := make([]string, MaxSMSBatch+1)
	for i := range dests {
		dests[i] = "+6581" + strconv.Itoa(100000+i)
	}
	res, err := c.SendBatch(context.Background(), "acme_hq", Batch{Template: SMSTemplate{Text: "hi"}, Destinations: dests})
	if err != nil || res.Requests != 2 {
		t.Fatalf("SendBatch: %v, %d requests", err, res.Requests)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dones) != 2 || dones[0].Messages+dones[1].Messages != len(dests) || dones[0].Err != nil || dones[1].Err != nil {
		t.Errorf("batch OnDone events %+v, want one per chunk, accepted", dones)
	}
}

// LimiterWait is the attempt's wait for the tenant's limiter, on the clock.
func TestEventLimiterWait(t *testing.T) {
	ts := newTestServer(t)
	f := clock.NewFake(t0)
	var mu sync.Mutex
	var waits []time.Duration
	cfg := testConfig(ts.URL, f, 0)
	cfg.RateLimit = ratelimit.Config{Rate: 1, Burst: 1}
	cfg.Hooks.OnAttempt = func(ev Event) { mu.Lock(); waits = append(waits, ev.LimiterWait); mu.Unlock() }
	c := newClient(t, cfg)
	for i := range 2 {
		done := make(chan error, 1)
		go func() { _, err := c.SendSMS(context.Background(), "acme_hq", sms1); done <- err }()
		if i == 1 {
			f.AdvanceWhenWaiting(1, time.Second)
		}
		if err := <-done; err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 2 || waits[0] != 0 || waits[1] != time.Second {
		t.Errorf("limiter waits %v, want [0 1s]", waits)
	}
}

// WrapTransport wraps the transport after its TLS check: a wrapper cannot
// smuggle in TLS below 1.2.
func TestWrapTransportKeepsTLSCheck(t *testing.T) {
	old := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10}}
	_, err := New(Config{
		APIKey: testKey, HTTPClient: &http.Client{Transport: old},
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { return roundTripFunc(rt.RoundTrip) },
	})
	if err == nil {
		t.Fatal("New accepted a TLS 1.0 transport behind a wrapper")
	}
}
