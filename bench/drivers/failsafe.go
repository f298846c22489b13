package drivers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/failsafe-go/failsafe-go/ratelimiter"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	"github.com/failsafe-go/failsafe-go/timeout"
)

// failsafeDriver is failsafe-go v0.9.8 through its failsafehttp round
// tripper: retry (outermost) > rate limiter > circuit breaker > timeout
// (per attempt) > the shared transport.
type failsafeDriver struct {
	env Env
	hc  *http.Client
}

// NewFailsafe returns the failsafe-go driver.
//
// The retry policy is failsafehttp.NewRetryPolicyBuilder: HandleIf on
// transport errors, 429 and 5xx (but 501), and WithDelayFunc reading
// Retry-After on 429 and 503, falling back to the exponential backoff of
// Settings. failsafe-go does not close the body of a response it retries,
// which would keep the connection out of the pool; the OnRetryScheduled
// listener drains it, as a user does once the pool runs dry.
func NewFailsafe(env Env) (Driver, error) {
	s := env.Settings
	retry := failsafehttp.NewRetryPolicyBuilder().
		WithMaxAttempts(s.MaxAttempts).
		WithBackoff(s.BaseDelay, s.MaxDelay).
		OnRetryScheduled(func(e failsafe.ExecutionScheduledEvent[*http.Response]) {
			drain(e.LastResult())
		}).
		Build()
	limiter := ratelimiter.NewSmoothBuilder[*http.Response](uint(s.Rate), time.Second).
		WithMaxWaitTime(30 * time.Second).
		Build()
	breaker := circuitbreaker.NewBuilder[*http.Response]().
		HandleIf(func(resp *http.Response, err error) bool {
			return err != nil || resp.StatusCode >= 500
		}).
		WithFailureRateThreshold(s.BreakerFailureRatio, uint(s.BreakerMinRequests), s.BreakerWindow).
		WithDelay(s.BreakerOpenFor).
		Build()
	perAttempt := timeout.New[*http.Response](s.AttemptTimeout)
	rt := failsafehttp.NewRoundTripper(env.Transport, retry, limiter, breaker, perAttempt)
	return &failsafeDriver{env: env, hc: &http.Client{Transport: rt}}, nil
}

func (d *failsafeDriver) Send(ctx context.Context, m Message) Outcome {
	req, err := newRequest(ctx, d.env, encodeSMS(m))
	if err != nil {
		return Outcome{Err: err}
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		// Retries exhausted: the last response, if any, is in the error;
		// read it for the status and close it.
		if ee := retrypolicy.AsExceededError(err); ee != nil {
			if last, ok := ee.LastResult.(*http.Response); ok && last != nil {
				o := readOutcome(last)
				o.Accepted = false
				if o.Err == nil {
					o.Err = err
				}
				return o
			}
		}
		o := Outcome{Err: err}
		if errors.Is(err, circuitbreaker.ErrOpen) {
			o.Cause = CauseBreakerOpen
		} else if retrypolicy.IsExceededError(err) {
			o.Cause = CauseRetriesExhausted
		}
		return o
	}
	return readOutcome(resp)
}

func (d *failsafeDriver) Close() error {
	d.env.Transport.CloseIdleConnections()
	return nil
}
