package client

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/policy"
)

// After Close no goroutine of the client is left: no pooled connection's
// read or write loop (the limiter has none). The server is still up, so
// only the client's Close can have ended them.
func TestNoGoroutineLeakAfterClose(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: testKey, Script: []emulator.Fault{
		{Kind: emulator.Fault500}, {Kind: emulator.FaultResetAfterBody}, {Kind: emulator.Fault429, RetryAfter: time.Second},
	}})
	if err != nil {
		t.Fatal(err)
	}
	f := clock.NewFake(t0)
	c, err := New(testConfig(srv.URL(), f, 0))
	if err != nil {
		t.Fatal(err)
	}
	stop := autoAdvance(f, time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
				t.Errorf("SendSMS: %v", err)
			}
		})
	}
	wg.Wait()
	stop()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	goleak.VerifyNone(t, ignore, goleak.IgnoreAnyFunction("net/http.(*Server).Serve"))
	srv.Close()
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); !errors.Is(err, ErrClosed) {
		t.Errorf("send after Close: %v, want ErrClosed", err)
	}
}

// spyLimiter records what the client tells a Backend.
type spyLimiter struct {
	mu       sync.Mutex
	waits    int
	pauses   []time.Time
	throttle int
	success  int
	tenants  map[string][2]float64
}

func (s *spyLimiter) Wait(ctx context.Context, tenant string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits++
	return ctx.Err()
}

func (s *spyLimiter) Pause(tenant string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pauses = append(s.pauses, until)
}

func (s *spyLimiter) Throttled(string) { s.mu.Lock(); s.throttle++; s.mu.Unlock() }
func (s *spyLimiter) Succeeded(string) { s.mu.Lock(); s.success++; s.mu.Unlock() }

func (s *spyLimiter) SetTenant(tenant string, rate float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tenants == nil {
		s.tenants = map[string][2]float64{}
	}
	s.tenants[tenant] = [2]float64{rate, float64(burst)}
}

// FromFile loads the policy file and hands its per-tenant limits to the
// limiter; the limiter is waited on before every attempt and told about
// 429s and successes.
func TestFromFileTenantLimits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	const file = `
retry:
  max_attempts: 3
tenants:
  acme_hq:
    limits:
      rate: 50
      burst: 5
      throttle_429s: 1
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, reply{status: 429, body: errBody(429, "Quota exceeded."), header: map[string]string{"Retry-After": "1"}})
	f := clock.NewFake(t0)
	spy := &spyLimiter{}
	cfg := testConfig(ts.URL, f, 0)
	cfg.Limiter = spy
	c, err := FromFile(path, cfg)
	if err != nil {
		t.Fatalf("FromFile: %v", err)
	}
	defer c.Close()
	if got := spy.tenants["acme_hq"]; got != [2]float64{50, 5} {
		t.Errorf("SetTenant(acme_hq) = %v, want rate 50 burst 5", got)
	}
	stop := autoAdvance(f, time.Second)
	_, err = c.SendSMS(context.Background(), "acme_hq", sms1)
	stop()
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if spy.waits != 2 || spy.throttle != 1 || spy.success != 1 || len(spy.pauses) != 1 || !spy.pauses[0].Equal(t0.Add(time.Second)) {
		t.Errorf("limiter saw waits %d throttles %d successes %d pauses %v; want 2, 1, 1, [t0+1s]", spy.waits, spy.throttle, spy.success, spy.pauses)
	}

	if _, err := FromFile(filepath.Join(dir, "missing.yaml"), cfg); err == nil {
		t.Error("FromFile of a missing file succeeded")
	}
}

// An attempt that outlives the policy's attempt timeout is a timeout after
// the request was written: retried under at-least-once, ambiguous.
func TestAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	srv := newTestServer(t)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			select { // hang past the attempt timeout
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, smsOK("x"))
	})
	defer close(release)
	for _, tc := range []struct {
		sem     policy.Semantics
		wantErr bool
	}{{policy.AtLeastOnce, false}, {policy.AtMostOnce, true}} {
		mu.Lock()
		calls = 0
		mu.Unlock()
		cfg := testConfig(srv.URL, clock.NewFake(t0), 0)
		cfg.Policy = mustPolicy(t, policy.Config{Semantics: tc.sem, Retry: policy.Retry{AttemptTimeout: 50 * time.Millisecond}})
		c := newClient(t, cfg)
		res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
		if !tc.wantErr {
			if err != nil || res.Attempts != 2 || !res.Ambiguous {
				t.Errorf("%v: res %+v err %v, want success after 2 attempts, ambiguous", tc.sem, res, err)
			}
			continue
		}
		se, ok := errors.AsType[*SendError](err)
		if !ok || se.Transport != policy.TransportTimeout || !se.Ambiguous || se.Attempts != 1 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v: err = %v, want *SendError timeout, ambiguous, 1 attempt, matching DeadlineExceeded", tc.sem, err)
		}
	}
}

func TestClassify(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		err   error
		wrote bool
		want  policy.Transport
	}{
		{"caller-canceled", canceled, context.Canceled, true, policy.TransportCanceled},
		{"dns", bg, &net.DNSError{Err: "no such host", Name: "sms.invalid"}, false, policy.TransportDNS},
		{"tls-alert", bg, tls.AlertError(42), false, policy.TransportTLS},
		{"tls-record", bg, tls.RecordHeaderError{Msg: "not tls"}, false, policy.TransportTLS},
		{"tls-remote-alert", bg, &net.OpError{Op: "remote error", Err: errors.New("tls: protocol version not supported")}, false, policy.TransportTLS},
		{"tls-text", bg, errors.New("tls: server selected unsupported protocol version 302"), false, policy.TransportTLS},
		{"tls-alert-after-write", bg, &net.OpError{Op: "remote error", Err: errors.New("tls: internal error")}, true, policy.TransportReset},
		{"tls-closed-after-write", bg, errors.New("tls: use of closed connection"), true, policy.TransportReset},
		{"dial", bg, dial, false, policy.TransportConnect},
		{"reset-before-write", bg, read, false, policy.TransportConnect},
		{"reset-after-write", bg, read, true, policy.TransportReset},
		{"eof-after-write", bg, io.EOF, true, policy.TransportReset},
		{"timeout-after-write", bg, context.DeadlineExceeded, true, policy.TransportTimeout},
		{"net-timeout-after-write", bg, timeoutErr{}, true, policy.TransportTimeout},
		{"timeout-before-write", bg, context.DeadlineExceeded, false, policy.TransportConnect},
	} {
		if got := classify(tc.ctx, tc.err, tc.wrote); got != tc.want {
			t.Errorf("%s: classify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// A reload through PolicyLive hands the new tenant limits to the limiter
// and puts tenants dropped from the config back on the global limits.
func TestReloadAppliesTenantLimits(t *testing.T) {
	ts := newTestServer(t)
	spy := &spyLimiter{}
	live := policy.NewLive(mustPolicy(t, policy.Config{
		Limits:  policy.Limits{Rate: 100, Burst: 10},
		Tenants: map[string]policy.Tenant{"acme_hq": {Limits: policy.Limits{Rate: 50, Burst: 5}}},
	}))
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Limiter, cfg.PolicyLive = spy, live
	c := newClient(t, cfg)
	if got := spy.tenants["acme_hq"]; got != [2]float64{50, 5} {
		t.Fatalf("initial SetTenant(acme_hq) = %v", got)
	}
	live.Store(mustPolicy(t, policy.Config{
		Limits:  policy.Limits{Rate: 100, Burst: 10},
		Tenants: map[string]policy.Tenant{"beta": {Limits: policy.Limits{Rate: 7, Burst: 1}}},
	}))
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if got := spy.tenants["beta"]; got != [2]float64{7, 1} {
		t.Errorf("after reload SetTenant(beta) = %v, want 7/1", got)
	}
	if got := spy.tenants["acme_hq"]; got != [2]float64{100, 10} {
		t.Errorf("after reload acme_hq = %v, want the global 100/10", got)
	}
}

// Hooks see each step with its numbers, and never the text.
func TestHooks(t *testing.T) {
	ts := newTestServer(t, reply{status: 500, body: errBody(2000, "Internal server error")},
		reply{status: 400, body: errBody(1002, "Invalid MSISDN")})
	var mu sync.Mutex
	got := map[string][]Event{}
	rec := func(name string) func(Event) {
		return func(e Event) { mu.Lock(); got[name] = append(got[name], e); mu.Unlock() }
	}
	cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
	cfg.Hooks = Hooks{OnAttempt: rec("attempt"), OnRetry: rec("retry"), OnGiveUp: rec("giveup"), OnThrottled: rec("throttled")}
	c := newClient(t, cfg)
	m := sms1
	m.ClientMessageID = "hook-1"
	_, err := c.SendSMS(context.Background(), "acme_hq", m)
	if err == nil {
		t.Fatal("send succeeded, want the 1002")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got["attempt"]) != 2 || len(got["retry"]) != 1 || len(got["giveup"]) != 1 || len(got["throttled"]) != 0 {
		t.Fatalf("events %v, want 2 attempts, 1 retry, 1 give-up, no throttle", got)
	}
	a1, r, g := got["attempt"][0], got["retry"][0], got["giveup"][0]
	if a1.Attempt != 1 || a1.Status != 500 || a1.Code != 2000 || a1.Action != policy.ActionTrip || a1.Tenant != "acme_hq" || a1.ClientMessageID != "hook-1" {
		t.Errorf("first attempt event %+v", a1)
	}
	if r.Attempt != 1 || r.Action != policy.ActionTrip {
		t.Errorf("retry event %+v", r)
	}
	if g.Attempt != 2 || g.Status != 400 || g.Code != 1002 || g.Action != policy.ActionFail || !errors.Is(g.Err, err) && g.Err != err {
		t.Errorf("give-up event %+v", g)
	}
}
