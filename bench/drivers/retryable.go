package drivers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// newRetryableClient is go-retryablehttp as its README sets it up:
// NewClient (DefaultRetryPolicy, DefaultBackoff, no ErrorHandler), with
// the shared transport, attempts and backoff bounds of Settings. Its
// default logger prints a line to stderr for every request; a service
// plugs its own logger in or turns it off, and so do we (nil).
func newRetryableClient(env Env) *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Transport: env.Transport, Timeout: env.Settings.AttemptTimeout}
	rc.Logger = nil
	rc.RetryMax = env.Settings.MaxAttempts - 1
	rc.RetryWaitMin = env.Settings.BaseDelay
	rc.RetryWaitMax = env.Settings.MaxDelay
	return rc
}

// retryable is go-retryablehttp alone.
type retryable struct {
	env Env
	rc  *retryablehttp.Client
}

// NewRetryableHTTP returns the go-retryablehttp driver.
func NewRetryableHTTP(env Env) (Driver, error) {
	return &retryable{env: env, rc: newRetryableClient(env)}, nil
}

func (d *retryable) Send(ctx context.Context, m Message) Outcome {
	return sendRetryable(ctx, d.env, d.rc, m)
}

func (d *retryable) Close() error {
	d.rc.HTTPClient.CloseIdleConnections()
	return nil
}

// sendRetryable sends m through rc. Without an ErrorHandler, a request
// whose retries run out returns only an error ("giving up after N
// attempt(s)"): the final status is lost.
func sendRetryable(ctx context.Context, env Env, rc *retryablehttp.Client, m Message) Outcome {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, env.URL(), encodeSMS(m))
	if err != nil {
		return Outcome{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.APIKey)
	resp, err := rc.Do(req)
	if err != nil {
		return Outcome{Err: err, Cause: retryableCause(err)}
	}
	return readOutcome(resp)
}

// retryableCause names a go-retryablehttp failure. Its give-up error has no
// type and no status, only text.
func retryableCause(err error) string {
	if strings.Contains(err.Error(), "giving up after") {
		return CauseRetriesExhausted
	}
	return ""
}

// assembled is the stack a blog post builds: a rate.Limiter waited on
// before each request, a gobreaker CircuitBreaker wrapping Do, and
// go-retryablehttp with CheckRetry = DefaultRetryPolicy inside it.
type assembled struct {
	env Env
	rc  *retryablehttp.Client
	cb  *gobreaker.CircuitBreaker[*http.Response]
	lim *rate.Limiter
}

// NewAssembled returns the go-retryablehttp + gobreaker + x/time/rate
// driver.
func NewAssembled(env Env) (Driver, error) {
	s := env.Settings
	rc := newRetryableClient(env)
	rc.CheckRetry = retryablehttp.DefaultRetryPolicy
	cb := gobreaker.NewCircuitBreaker[*http.Response](gobreaker.Settings{
		Name:     "8x8-sms",
		Interval: s.BreakerWindow,
		Timeout:  s.BreakerOpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= uint32(s.BreakerMinRequests) &&
				float64(c.TotalFailures)/float64(c.Requests) >= s.BreakerFailureRatio
		},
	})
	lim := rate.NewLimiter(rate.Limit(s.Rate), s.Burst)
	return &assembled{env: env, rc: rc, cb: cb, lim: lim}, nil
}

// errServer marks a 5xx that go-retryablehttp returned (it does so only
// with an ErrorHandler; kept so a breaker never counts a 5xx as a success).
var errServer = errors.New("drivers: server error")

func (d *assembled) Send(ctx context.Context, m Message) Outcome {
	if err := d.lim.Wait(ctx); err != nil {
		return Outcome{Err: err}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, d.env.URL(), encodeSMS(m))
	if err != nil {
		return Outcome{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.env.APIKey)
	resp, err := d.cb.Execute(func() (*http.Response, error) {
		resp, err := d.rc.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 500 {
			return resp, errServer
		}
		return resp, nil
	})
	if err != nil {
		if resp != nil {
			return readOutcome(resp)
		}
		o := Outcome{Err: err, Cause: retryableCause(err)}
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			o.Cause = CauseBreakerOpen
		}
		return o
	}
	return readOutcome(resp)
}

func (d *assembled) Close() error {
	d.rc.HTTPClient.CloseIdleConnections()
	return nil
}
