package drivers

import (
	"context"
	"net/http"
)

// netHTTP is the baseline: one POST per message, no retries, no limiter,
// no breaker.
type netHTTP struct {
	env Env
	hc  *http.Client
}

// NewNetHTTP returns the bare net/http driver.
func NewNetHTTP(env Env) (Driver, error) {
	return &netHTTP{env: env, hc: &http.Client{Transport: env.Transport, Timeout: env.Settings.AttemptTimeout}}, nil
}

func (d *netHTTP) Send(ctx context.Context, m Message) Outcome {
	req, err := newRequest(ctx, d.env, encodeSMS(m))
	if err != nil {
		return Outcome{Err: err}
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return Outcome{Err: err}
	}
	return readOutcome(resp)
}

func (d *netHTTP) Close() error {
	d.hc.CloseIdleConnections()
	return nil
}
