package client

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// FuzzSendResponse answers a real send over loopback with arbitrary bodies
// and statuses: the client never panics, never hangs, and returns either a
// result or one of its typed errors.
func FuzzSendResponse(f *testing.F) {
	f.Add(uint8(0), []byte(smsOK("x")), false)
	f.Add(uint8(1), []byte(errBody(1002, "Invalid MSISDN")), false)
	f.Add(uint8(5), []byte(errBody(429, "Quota exceeded. Please try again in 1 second(s).")), false)
	f.Add(uint8(3), []byte(`{"umid":`), true)
	f.Add(uint8(0), []byte(`{"umid":"a","status":{"code":"REJECTED","description":"bad"}}`), true)
	f.Add(uint8(0), []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`), false)

	statuses := []int{200, 400, 401, 403, 404, 429, 500, 502, 503, 504, 201, 302, 418, 426}
	var mu sync.Mutex
	var status int
	var body []byte
	var chunked bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st, b, ch := status, body, chunked
		mu.Unlock()
		if ch {
			w.Header().Set("Transfer-Encoding", "chunked")
		}
		w.WriteHeader(st)
		w.Write(b)
	}))
	defer srv.Close()
	// One attempt per send, no quota and a breaker that never opens: every
	// iteration reaches the server, and nothing waits.
	cfg := testConfig(srv.URL, clock.Real, 0)
	cfg.Policy = mustPolicy(f, policy.Config{Retry: policy.Retry{MaxAttempts: 1}})
	cfg.RateLimit = ratelimit.Config{Rate: math.Inf(1), ProcessRate: -1}
	cfg.Breaker = breaker.Config{MinRequests: math.MaxInt32, Consecutive: math.MaxInt32}
	cfg.MaxResponseBytes = 4096
	c, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()

	var n atomic.Int64
	f.Fuzz(func(t *testing.T, st uint8, b []byte, ch bool) {
		mu.Lock()
		status, body, chunked = statuses[int(st)%len(statuses)], b, ch
		mu.Unlock()
		// A fresh tenant each time: a 429 pauses its tenant, a 401 halts it.
		tenant := "fz_" + strconv.FormatInt(n.Add(1), 10)
		res, err := c.SendSMS(context.Background(), tenant, sms1)
		if err == nil {
			if res.Attempts != 1 || res.HTTPStatus < 200 || res.HTTPStatus > 299 {
				t.Fatalf("success with %+v", res)
			}
			return
		}
		var (
			apiErr  *APIError
			sendErr *SendError
			respErr *ResponseError
		)
		if !errors.As(err, &apiErr) && !errors.As(err, &sendErr) && !errors.As(err, &respErr) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}
