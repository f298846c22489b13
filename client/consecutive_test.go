package client

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// An outage that follows busy healthy traffic trips the client's breaker
// after DefaultConsecutive failures in a row, not after the failure ratio
// has outweighed the window's successes: the API sees 20 failing requests,
// not the 500 that the ratio alone (0.5 over a window holding 500
// successes) lets through.
func TestDefaultConsecutiveTripsAfterHealthyTraffic(t *testing.T) {
	run := func(bc breaker.Config) (down int32) {
		f := clock.NewFake(t0)
		var failing atomic.Bool
		var downN atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			if failing.Load() {
				downN.Add(1)
				w.WriteHeader(503)
				io.WriteString(w, errBody(2000, "Service unavailable"))
				return
			}
			io.WriteString(w, smsOK(""))
		}))
		t.Cleanup(srv.Close)
		cfg := testConfig(srv.URL, f, 0.5)
		cfg.FailFast = true // count what reaches the API, without holding
		cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 1}})
		cfg.RateLimit = ratelimit.Config{Rate: math.Inf(1), ProcessRate: -1}
		cfg.Breaker = bc
		c := newClient(t, cfg)
		for i := range 500 {
			if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
				t.Fatalf("healthy send %d: %v", i, err)
			}
		}
		failing.Store(true)
		open := 0
		for range 600 {
			_, err := c.SendSMS(context.Background(), "acme_hq", sms1)
			if errors.Is(err, ErrBreakerOpen) {
				open++
			} else if err == nil {
				t.Fatal("a send during the outage was accepted")
			}
		}
		if open == 0 {
			t.Fatalf("the breaker never opened (%d requests on the failing API)", downN.Load())
		}
		return downN.Load()
	}
	if got := run(breaker.Config{}); got != DefaultConsecutive {
		t.Errorf("with the defaults the failing API saw %d requests, want DefaultConsecutive = %d", got, DefaultConsecutive)
	}
	// The ratio alone needs as many failures as the window holds successes.
	if got := run(breaker.Config{Consecutive: math.MaxInt32}); got < 500 {
		t.Errorf("with the run of failures off the failing API saw %d requests, want >= 500 (the ratio trips last)", got)
	}
}
