package reliability

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
)

// raServer answers the first `throttled` requests with status, the
// Retry-After header ra ("" = none) and body, then 200s.
func raServer(t *testing.T, status int, ra, body string, throttled int) (url string, requests func() int) {
	t.Helper()
	var (
		mu sync.Mutex
		n  int
	)
	ts, _ := hostileServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if throttled < 0 || k <= throttled {
			if ra != "" {
				w.Header()["Retry-After"] = []string{ra}
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return
		}
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":null,"destination":"1",` +
			`"encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}}`))
	})
	return ts.URL, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

const (
	quota     = `{"code":429,"message":"Quota exceeded.","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`
	quotaHint = `{"code":429,"message":"Quota exceeded. Please try again in 2 second(s).","errorId":null,"timestamp":null}`
	unavail   = `{"code":2000,"message":"Service unavailable","errorId":null,"timestamp":null}`
)

// TestRetryAfterValues: what the client waits after a 429 (or 503) for
// every kind of Retry-After, sane and absurd. Waits are asked of a fake
// clock and recorded, so nothing sleeps. With jitter fixed at the middle
// (Rand 0.5), the documented rules (internal/retryafter.Parse, policy.Decide)
// give exact waits:
//   - a usable hint RA waits RA + 0.5*(min(RA + min(RA/10, 5ms), ceiling) - RA),
//     with RA clamped to the ceiling (DefaultRetryAfterCeiling, 20s): RA + 2.5ms;
//   - an unusable hint (negative, garbage, fractional, a date in the past)
//     is ignored: the first backoff, 0.5 * BaseDelay.
func TestRetryAfterValues(t *testing.T) {
	const half5ms = 2500 * time.Microsecond // half the jitter's 5ms spread (Rand: half)
	const ceiling = policy.DefaultRetryAfterCeiling
	backoff := policy.DefaultBaseDelay / 2
	past := "Wed, 21 Oct 2015 07:28:00 GMT"
	in7s := t0.Add(7 * time.Second).Format(http.TimeFormat)
	for _, tc := range []struct {
		name, ra, body string
		status         int
		want           time.Duration
	}{
		{"delta-3", "3", quota, 429, 3*time.Second + half5ms},
		{"delta-0", "0", quota, 429, backoff},
		{"99999999", "99999999", quota, 429, ceiling},
		{"overflow", "99999999999999999999999999999", quota, 429, ceiling},
		{"negative", "-5", quota, 429, backoff},
		{"garbage", "soon", quota, 429, backoff},
		{"fraction", "1.5", quota, 429, backoff},
		{"hex", "0x10", quota, 429, backoff},
		{"date-past", past, quota, 429, backoff},
		{"date-future-7s", in7s, quota, 429, 7*time.Second + half5ms},
		{"date-far-future", "Fri, 31 Dec 9999 23:59:59 GMT", quota, 429, ceiling},
		{"body-hint-only", "", quotaHint, 429, 2*time.Second + half5ms},
		{"garbage-header-body-hint", "later", quotaHint, 429, 2*time.Second + half5ms},
		{"503-delta-2", "2", unavail, 503, 2*time.Second + half5ms},
		{"503-99999999", "99999999", unavail, 503, ceiling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := newObserver(t)
			url, requests := raServer(t, tc.status, tc.ra, tc.body, 1)
			clk := newJumpClock()
			c := obs.newClient(client.Config{BaseURL: url, Clock: clk, Rand: half})
			res, err := obs.sendSMS(c, context.Background(), "acme_hq", sms(10, ""))
			if err != nil {
				t.Fatalf("send failed: %v", err)
			}
			if res.Attempts != 2 || requests() != 2 {
				t.Errorf("Attempts = %d, server saw %d; want 2 and 2", res.Attempts, requests())
			}
			waits := clk.Waits()
			if len(waits) == 0 || waits[0] != tc.want {
				t.Errorf("waits asked of the clock = %v, want %v first", waits, tc.want)
			}
			if m := slices.Max(append(waits, 0)); m > ceiling {
				t.Errorf("longest wait %v is over the Retry-After ceiling %v", m, ceiling)
			}
		})
	}
}

// TestRetryAfterBeyondDeadline: a server that keeps answering 429 with
// Retry-After: 99999999 makes the client wait the ceiling once; the next
// hint no longer fits the send's deadline, so the send ends at once with
// ErrRetryAfterBeyondDeadline (also context.DeadlineExceeded), the clamped
// hint in the error, after two requests and no other wait.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	obs := newObserver(t)
	url, requests := raServer(t, 429, "99999999", quota, -1)
	clk := newJumpClock()
	c := obs.newClient(client.Config{BaseURL: url, Clock: clk, Rand: half})
	_, err := obs.sendSMS(c, context.Background(), "acme_hq", sms(11, ""))
	if !errors.Is(err, client.ErrRetryAfterBeyondDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrRetryAfterBeyondDeadline and context.DeadlineExceeded", err)
	}
	ae, ok := errors.AsType[*client.APIError](err)
	if !ok {
		t.Fatalf("err is %T, want *client.APIError", err)
	}
	if ae.Status != 429 || ae.RetryAfter != policy.DefaultRetryAfterCeiling || ae.Attempts != 2 {
		t.Errorf("APIError{Status:%d RetryAfter:%v Attempts:%d}, want {429 %v 2}", ae.Status, ae.RetryAfter, ae.Attempts, policy.DefaultRetryAfterCeiling)
	}
	if requests() != 2 {
		t.Errorf("server saw %d requests, want 2", requests())
	}
	if w := clk.Waits(); !slices.Equal(w, []time.Duration{policy.DefaultRetryAfterCeiling}) {
		t.Errorf("waits = %v, want exactly one of the ceiling", w)
	}
}

// TestRetryAfter503DoesNotOpenBreakerForADay: a 503 with an absurd
// Retry-After may open the region's breaker, but for no longer than the
// Retry-After ceiling: a day-long hint must not stop every tenant of the
// region for a day.
func TestRetryAfter503DoesNotOpenBreakerForADay(t *testing.T) {
	obs := newObserver(t)
	url, _ := raServer(t, 503, "99999999", unavail, 1)
	clk := newJumpClock()
	c := obs.newClient(client.Config{BaseURL: url, Clock: clk, Rand: half})
	res, err := obs.sendSMS(c, context.Background(), "acme_hq", sms(12, ""))
	if err != nil {
		t.Fatalf("first send: %v (waits %v)", err, clk.Waits())
	}
	if res.Attempts != 2 {
		t.Errorf("first send took %d attempts, want 2", res.Attempts)
	}
	clk.Advance(2 * policy.DefaultRetryAfterCeiling)
	if _, err := obs.sendSMS(c, context.Background(), "other_tenant", sms(13, "")); err != nil {
		t.Errorf("a send %v after the 503 failed: %v; the breaker must not stay open for the unclamped hint", 2*policy.DefaultRetryAfterCeiling, err)
	}
}
