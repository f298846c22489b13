package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// outageServer answers 503/2000 without a Retry-After while the fake clock
// is before end, and accepts every message from then on.
type outageServer struct {
	*httptest.Server
	f          *clock.Fake
	end        time.Time
	down, up   atomic.Int32
	mu         sync.Mutex
	firstUpAt  time.Time
	lastDownAt time.Time
}

func newOutageServer(t *testing.T, f *clock.Fake, end time.Time) *outageServer {
	s := &outageServer{f: f, end: end}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var probe struct {
			ClientMessageID string `json:"clientMessageId"`
		}
		_ = json.Unmarshal(body, &probe)
		w.Header().Set("Content-Type", "application/json")
		now := f.Now()
		if now.Before(s.end) {
			s.down.Add(1)
			s.mu.Lock()
			s.lastDownAt = now
			s.mu.Unlock()
			w.WriteHeader(503)
			io.WriteString(w, errBody(2000, "Service unavailable"))
			return
		}
		if s.up.Add(1) == 1 {
			s.mu.Lock()
			s.firstUpAt = now
			s.mu.Unlock()
		}
		io.WriteString(w, smsOK(probe.ClientMessageID))
	}))
	t.Cleanup(s.Close)
	return s
}

// runSenders runs send(g) for g in [0, n) in goroutines of their own and,
// until all return, moves f on whenever every unfinished one waits on it:
// by step, or to the next timer when step is 0. No send sees fake time
// pass while its request is on the wire.
func runSenders(f *clock.Fake, n int, step time.Duration, send func(g int)) {
	var running atomic.Int32
	running.Store(int32(n))
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			defer running.Add(-1)
			send(g)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case <-f.WaitForTimers(int(running.Load())):
			if f.Pending() < int(running.Load()) {
				continue
			}
			if step > 0 {
				f.Advance(step)
			} else if next, ok := f.Next(); ok {
				f.Set(next)
			}
		case <-time.After(time.Millisecond): // a send ended: count again
		}
	}
}

// sendAll sends n messages at once, fake time advancing by step (see
// runSenders), and returns their errors and the fake time each ended at.
func sendAll(c *Client, f *clock.Fake, n int, step time.Duration) ([]error, []time.Time) {
	errs, ends := make([]error, n), make([]time.Time, n)
	runSenders(f, n, step, func(i int) {
		_, errs[i] = c.SendSMS(context.Background(), "acme_hq", sms1)
		ends[i] = f.Now()
	})
	return errs, ends
}

// Delivery first: through a 10 s outage (503 without Retry-After) every
// send holds at the open breaker and goes out after the recovery, within
// its deadline, while the API sees only the first attempts, the budgeted
// retries and one probe per open period. With FailFast the same run fails
// most of its sends.
func TestOutageHoldsSends(t *testing.T) {
	const n = 40
	outage := 10 * time.Second
	run := func(failFast bool) (delivered int, s *outageServer, ends []time.Time) {
		f := clock.NewFake(t0)
		s = newOutageServer(t, f, t0.Add(outage))
		cfg := testConfig(s.URL, f, 0.5)
		cfg.FailFast = failFast
		c := newClient(t, cfg)
		errs, ends := sendAll(c, f, n, 10*time.Millisecond)
		for _, err := range errs {
			if err == nil {
				delivered++
			} else if !failFast {
				t.Errorf("held send failed: %v", err)
			}
		}
		return delivered, s, ends
	}

	got, s, ends := run(false)
	if got != n {
		t.Fatalf("delivered %d of %d through the outage", got, n)
	}
	down := int(s.down.Load())
	// A retrying peer without a breaker would send up to n*MaxAttempts
	// (200) into the outage; the budget and the breaker keep it to the
	// first attempts, a few retries and a probe per open period.
	if down >= n+20 {
		t.Errorf("%d requests reached the API during the outage, want < %d", down, n+20)
	}
	// The next probe comes max(1s, a quarter of the outage's age) after a
	// failed one: every held send goes out within about 2.5s (a quarter
	// of 10s) of the recovery, plus the backoff of its own retry.
	for i, e := range ends {
		if late := e.Sub(s.end); late > outage/4+time.Second {
			t.Errorf("send %d ended %v after the recovery, want within %v", i, late, outage/4+time.Second)
		}
	}
	s.mu.Lock()
	t.Logf("hold: %d/%d delivered, %d requests during the outage (last at +%v), first success at +%v",
		got, n, down, s.lastDownAt.Sub(t0), s.firstUpAt.Sub(t0))
	s.mu.Unlock()

	fast, fs, _ := run(true)
	t.Logf("fail fast: %d/%d delivered, %d requests during the outage", fast, n, fs.down.Load())
	if fast >= got {
		t.Errorf("FailFast delivered %d, holding %d: the option changed nothing", fast, got)
	}
}

// A held send fails when the wait cannot end before its deadline: with an
// outage that never ends and a 5s policy deadline it fails with
// ErrBreakerOpen at most 5s (of fake time) after it started, and costs the
// API a bounded number of requests.
func TestHeldSendFailsByDeadline(t *testing.T) {
	f := clock.NewFake(t0)
	s := newOutageServer(t, f, t0.Add(24*time.Hour))
	cfg := testConfig(s.URL, f, 0.5)
	cfg.Breaker = breaker.Config{Consecutive: 2}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{Deadline: 5 * time.Second, MaxAttempts: 20}})
	c := newClient(t, cfg)
	stop := autoAdvance(f, 10*time.Millisecond)
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	stop()
	if !errors.Is(err, ErrBreakerOpen) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrBreakerOpen or a deadline", err)
	}
	if el := f.Now().Sub(t0); el > 5*time.Second || el < 3*time.Second {
		t.Errorf("the held send failed after %v, want after holding for its probes (3s) and within its 5s deadline", el)
	}
	// 2 failures trip it, then a probe about every second (a quarter of
	// the outage's age is less than MinOpenFor): at most 2+5 requests in
	// the 5s, not the 20 the attempts cap allows.
	if d := s.down.Load(); d > 7 {
		t.Errorf("%d requests for one held send, want at most 7", d)
	}
}

// An exhausted retry budget holds a retry until the budget has room,
// within the deadline, instead of failing it: the same run that fails
// with ErrBudgetExhausted under FailFast (TestRetryBudgetExhausted)
// delivers every message once the API recovers, and the retries come no
// faster than the budget's floor allows.
func TestBudgetHoldsRetries(t *testing.T) {
	f := clock.NewFake(t0)
	s := newOutageServer(t, f, t0.Add(20*time.Second))
	cfg := testConfig(s.URL, f, 0.5)
	cfg.Breaker = breaker.Config{MinRequests: 1000} // keep the breaker out of it
	cfg.Policy = mustPolicy(t, policy.Config{
		Retry:  policy.Retry{MaxAttempts: 10, MaxDelay: time.Second},
		Budget: policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.5, Window: 2 * time.Second},
	})
	c := newClient(t, cfg)
	errs, _ := sendAll(c, f, 3, 10*time.Millisecond)
	for i, err := range errs {
		if err != nil {
			t.Errorf("send %d: %v, want delivered after the recovery", i, err)
		}
	}
	// 3 first attempts, then retries at the budget's floor of 0.5/s over
	// 20s: about 10, never the 27 the attempts cap would allow.
	t.Logf("%d requests during the outage", s.down.Load())
	if d := s.down.Load(); d > 3+14 {
		t.Errorf("%d requests during the 20s outage, want at most %d (the budget's floor)", d, 3+14)
	}
}

// A retry that delivers gives its budget token back, so messages held by
// an exhausted budget through an outage drain right after the recovery
// instead of at the budget's floor: with one retry allowed per 2s window,
// 30 held sends would need a minute; they all go out within 2s of the
// recovery, and the held ones are served oldest first.
func TestBudgetDrainsAfterRecovery(t *testing.T) {
	const n = 30
	f := clock.NewFake(t0)
	up := t0.Add(3 * time.Second)
	s := newOutageServer(t, f, up)
	cfg := testConfig(s.URL, f, 0.5)
	cfg.Breaker = breaker.Config{MinRequests: 1000} // keep the breaker out of it
	cfg.Policy = mustPolicy(t, policy.Config{
		Retry:  policy.Retry{MaxAttempts: 10, MaxDelay: time.Second, Deadline: time.Minute},
		Budget: policy.BudgetConfig{Ratio: 0.01, MinPerSecond: 0.5, Window: 2 * time.Second},
	})
	c := newClient(t, cfg)
	errs, ends := sendAll(c, f, n, 10*time.Millisecond)
	var last time.Time
	for i, err := range errs {
		if err != nil {
			t.Errorf("send %d: %v, want delivered after the recovery", i, err)
		}
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	t.Logf("%d requests during the outage; last delivered at +%v (recovery at +3s)", s.down.Load(), last.Sub(t0))
	if late := last.Sub(up); late > 2*time.Second {
		t.Errorf("the last held send went out %v after the recovery, want within 2s (refunds free the budget)", late)
	}
}
