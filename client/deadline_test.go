package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// These tests run on the real clock: the policy's deadline must end waits
// that happen in real time (an attempt on the wire, the limiter). The
// margins are wide (the bound against the 2.5s or 3s the old code took),
// so they hold on a loaded machine.

// retry.deadline bounds an attempt on the wire: with a 1s deadline and a
// 3s attempt timeout, a server that answers after 2.5s does not hold the
// send for 2.5s.
func TestPolicyDeadlineEndsAttempt(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(2500 * time.Millisecond):
		case <-release:
		}
		w.WriteHeader(500)
		io.WriteString(w, errBody(2000, "Internal server error"))
	}))
	defer srv.Close()
	defer close(release)
	cfg := Config{APIKey: testKey, BaseURL: srv.URL}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{Deadline: time.Second, AttemptTimeout: 3 * time.Second}})
	c := newClient(t, cfg)

	start := time.Now()
	_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if took >= 2*time.Second {
		t.Errorf("the send took %v with a 1s policy deadline (the server answers after 2.5s)", took)
	}
	if took < 900*time.Millisecond {
		t.Errorf("the send ended after %v, before its 1s deadline", took)
	}
	se, ok := errors.AsType[*SendError](err)
	if !ok || !se.Ambiguous || se.Attempts != 1 {
		t.Errorf("err %#v: want a *SendError after 1 attempt, ambiguous (the request was written)", err)
	}
}

// retry.deadline bounds limiter waits: with a 500ms deadline and a 1/s
// limit, 4 sends at once do not wait 1, 2 and 3s for their tokens: one
// goes out, the others fail at once with a deadline error, without a
// request.
func TestPolicyDeadlineBoundsLimiterWait(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		n++
		mu.Unlock()
		io.WriteString(w, smsOK(""))
	}))
	defer srv.Close()
	cfg := Config{APIKey: testKey, BaseURL: srv.URL, RateLimit: ratelimit.Config{Rate: 1, Burst: 1}}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{Deadline: 500 * time.Millisecond}})
	c := newClient(t, cfg)

	start := time.Now()
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.SendSMS(context.Background(), "acme_hq", sms1) })
	}
	wg.Wait()
	took := time.Since(start)
	ok, late := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, context.DeadlineExceeded):
			late++
			if se, is := errors.AsType[*SendError](err); !is || se.Attempts != 0 {
				t.Errorf("err %v: want a *SendError with 0 attempts", err)
			}
		default:
			t.Errorf("err = %v, want nil or a deadline", err)
		}
	}
	if ok != 1 || late != 3 {
		t.Errorf("%d sent, %d past the deadline; want 1 and 3", ok, late)
	}
	if n != 1 {
		t.Errorf("the server saw %d requests, want 1", n)
	}
	if took >= 1500*time.Millisecond {
		t.Errorf("4 sends took %v with a 500ms deadline", took)
	}
}
