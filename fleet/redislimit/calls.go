package redislimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The Redis calls: at most MaxInFlight at once, each bounded by Timeout;
// a failure makes the Limiter skip Redis for Recheck.

// down reports whether Redis is to be skipped at now.
func (r *Limiter) down(now time.Time) bool {
	d := r.downUntil.Load()
	return d != 0 && now.UnixNano() < d
}

// result records the outcome of a Redis call.
func (r *Limiter) result(err error) {
	if err == nil {
		if r.downUntil.Load() != 0 {
			r.downUntil.Store(0)
		}
		return
	}
	r.downUntil.Store(r.clock.Now().Add(r.recheck).UnixNano())
}

func unavailable(cause error) error {
	if cause == nil {
		return fmt.Errorf("%w (recently failed; retrying later)", ErrUnavailable)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, cause)
}

// acquire takes one of the MaxInFlight tokens, waiting in ctx.
func (r *Limiter) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Limiter) release() { <-r.sem }

type reservation struct {
	reserved bool
	wait     time.Duration
	paused   bool
	tat      string // the tat the reservation set
	interval string // the emission interval it used (µs)
}

// errBadReply reports a script reply of an unexpected shape.
var errBadReply = errors.New("ratelimit: unexpected reply from redis script")

// reserve runs the reserve script for tenant, charging any fail-open debt
// to the quota after the slot it reserves and adding the successes this
// instance saw since its last call to the fleet's count.
func (r *Limiter) reserve(ctx context.Context, tenant string, keys []string, maxWait int64) (reservation, error) {
	if err := r.acquire(ctx); err != nil {
		return reservation{}, err
	}
	defer r.release()
	debt, succ := r.take(tenant)
	interval, tau := r.params(tenant)
	rate, burst, inc := r.lawArgs(tenant)
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	v, err := r.scripts.reserve.Run(cctx, r.client, keys,
		strconv.FormatFloat(interval, 'f', 3, 64), strconv.FormatFloat(tau, 'f', 3, 64), maxWait, debt,
		succ, rate, burst, inc).Slice()
	if err != nil {
		r.giveBack(tenant, debt, succ)
		if ctx.Err() == nil {
			r.result(err)
		}
		return reservation{}, err
	}
	r.result(nil)
	if len(v) != 5 {
		r.giveBack(tenant, debt, 0)
		return reservation{}, errBadReply
	}
	ok, _ := v[0].(int64)
	wait, _ := v[1].(int64)
	paused, _ := v[2].(int64)
	tat, _ := v[3].(string)
	iv, _ := v[4].(string)
	if ok != 1 {
		r.giveBack(tenant, debt, 0)
	}
	return reservation{reserved: ok == 1, wait: time.Duration(wait) * time.Microsecond, paused: paused == 1, tat: tat, interval: iv}, nil
}

// refund gives back the slot of res, abandoned, best effort.
func (r *Limiter) refund(keys []string, res reservation) {
	if r.acquire(context.Background()) != nil {
		return
	}
	defer r.release()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	err := refundScript.Run(ctx, r.client, keys[:1], res.tat, res.interval).Err()
	r.result(err)
}
