package drivers

import (
	"context"
	"errors"
	"net/http"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// octosendDriver is octosend's client.SendSMS, configured with Settings
// and otherwise left at its defaults (at-least-once, retry budget, Retry-
// After floor and ceiling, tenant pause and AIMD on 429, breaker keyed by
// base URL).
type octosendDriver struct {
	env Env
	c   *client.Client
}

// NewOctosend returns the octosend driver with its defaults: a send that
// meets an open breaker or an exhausted retry budget holds until the probe
// or the budget lets it go, within its deadline.
func NewOctosend(env Env) (Driver, error) { return newOctosend(env, false) }

// NewOctosendFailFast returns the octosend driver with Config.FailFast: an
// open breaker or an exhausted budget fails a send at once, for callers
// that shed or reroute load during an outage.
func NewOctosendFailFast(env Env) (Driver, error) { return newOctosend(env, true) }

func newOctosend(env Env, failFast bool) (Driver, error) {
	s := env.Settings
	pol, err := policy.New(policy.Config{
		Retry: policy.Retry{
			MaxAttempts:    s.MaxAttempts,
			BaseDelay:      s.BaseDelay,
			MaxDelay:       s.MaxDelay,
			AttemptTimeout: s.AttemptTimeout,
		},
	})
	if err != nil {
		return nil, err
	}
	c, err := client.New(client.Config{
		APIKey:     env.APIKey,
		BaseURL:    env.BaseURL,
		Policy:     pol,
		FailFast:   failFast,
		HTTPClient: &http.Client{Transport: env.Transport},
		// One limit, as for the peers: the per-process limit (2,900/s by
		// default, 8x8's per-IP quota) is set to the same rate.
		RateLimit: ratelimit.Config{Rate: s.Rate, Burst: s.Burst, ProcessRate: s.Rate, ProcessBurst: s.Burst},
		Breaker: breaker.Config{
			MinRequests:  s.BreakerMinRequests,
			FailureRatio: s.BreakerFailureRatio,
			Window:       s.BreakerWindow,
			OpenFor:      s.BreakerOpenFor,
		},
	})
	if err != nil {
		return nil, err
	}
	return &octosendDriver{env: env, c: c}, nil
}

func (d *octosendDriver) Send(ctx context.Context, m Message) Outcome {
	res, err := d.c.SendSMS(ctx, d.env.SubAccount, client.SMS{Destination: m.Destination, Text: m.Text, ClientMessageID: m.ID})
	if err == nil {
		return Outcome{Accepted: true, Status: res.HTTPStatus}
	}
	o := Outcome{Status: res.HTTPStatus, Err: err}
	var (
		ae *client.APIError
		se *client.SendError
		re *client.ResponseError
	)
	switch {
	case errors.As(err, &ae):
		o.Status, o.Code, o.Ambiguous = ae.Status, int(ae.Code), ae.Ambiguous
	case errors.As(err, &se):
		o.Ambiguous = se.Ambiguous
	case errors.As(err, &re):
		o.Ambiguous = re.Ambiguous
	}
	switch {
	case errors.Is(err, client.ErrBreakerOpen):
		o.Cause = CauseBreakerOpen
	case errors.Is(err, client.ErrBudgetExhausted):
		o.Cause = CauseBudget
	case errors.Is(err, client.ErrRetryAfterBeyondDeadline):
		o.Cause = CauseDeadline
	case errors.Is(err, client.ErrTenantHalted):
		o.Cause = CauseHalted
	}
	return o
}

func (d *octosendDriver) Close() error { return d.c.Close() }
