package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/retryafter"
	"github.com/octosend/octosend/policy"
)

// afterAttempt handles one attempt's outcome and reports whether to retry.
func (st *call) afterAttempt(resp *http.Response, err error) bool {
	c := st.c
	now := c.clk.Now()
	wall := c.wallNow(now)
	st.attemptLat = wall.Sub(st.attemptStart)
	o := policy.Outcome{Attempt: st.attempts, Tenant: st.tenant, Elapsed: now.Sub(st.start)}
	if dl, ok := st.Deadline(); ok {
		o.Remaining, o.HasDeadline = dl.Sub(wall), true
	}
	st.envOK, st.bodyErr, st.netErr = false, nil, nil

	st.redirected = false
	if err != nil && (isBuildError(err) || isHeaderFlood(err)) {
		st.endAttempt()
		st.settle(breaker.Neutral)
		st.netErr = err
		if isBuildError(err) {
			st.stop = fmt.Errorf("%w: %w", ErrRequestNotBuilt, err)
		} else {
			st.ambiguous = true
			st.stop = fmt.Errorf("%w: %w", ErrResponseHeadersTooLarge, err)
		}
		return false
	}
	if err != nil {
		st.endAttempt()
		wrote := st.x.wrote.Load()
		o.Transport = classify(st, err, wrote)
		st.netErr = err
		if o.Transport == policy.TransportCanceled && wrote {
			// The caller gave up after the whole request went out: 8x8
			// may have accepted it. Not retried, but flagged.
			st.ambiguous = true
		}
	} else {
		o.Status = resp.StatusCode
		st.bodyErr = readBody(st.resp, resp.Body, resp.ContentLength, st.maxBody())
		resp.Body.Close()
		st.endAttempt()
		var message string
		switch {
		case o.Status >= 400:
			if st.bodyErr == nil && st.sc.dec.DecodeError(st.resp.b, &st.sc.errEnv) == nil {
				st.envOK = true
				o.Code = st.sc.errEnv.Code
				message = st.sc.errEnv.Message
			}
		case o.Status >= 200 && o.Status < 300:
			if st.bodyErr == nil {
				st.bodyErr = st.decodeSuccess()
			}
			o.Unusable = st.bodyErr != nil
		case o.Status >= 300 && o.Status < 400:
			st.redirected = true
		}
		if o.Status < 200 || o.Status >= 300 || o.Unusable { // an accepted 2xx has no use for a Retry-After
			if h := resp.Header.Get("Retry-After"); h != "" || message != "" {
				if ra, ok := retryafter.Parse(h, message, now); ok {
					o.RetryAfter = ra
				}
			}
		}
	}

	d := st.pol.Decide(o)
	st.out, st.dec, st.decided = o, d, true
	if st.budgetTok != 0 {
		if d.Action == policy.ActionOK {
			// A retry that delivered gives its token back: the budget
			// bounds retries that fail, not the ones a recovered API takes.
			c.budget.Refund(st.budgetTok)
		}
		st.budgetTok = 0
	}
	if d.Ambiguous {
		st.ambiguous = true
	}
	if d.Refused {
		// A code that depends only on the request: the earlier attempts
		// of this same request were refused too.
		st.ambiguous = false
	}
	st.apply(now)
	c.onAttempt(st)
	if !d.Retry {
		return false
	}
	if d.Action != policy.ActionBackoff {
		tok, ok := c.budget.TryRetry()
		st.budgetTok = tok
		if !ok {
			// The budget bounds extra load; it does not fail a message
			// whose deadline allows it to wait for room (see holdBudget).
			if c.failFast || !st.fits(max(d.Delay, budgetPoll)) {
				st.stop, st.budgetRefused = ErrBudgetExhausted, true
				return false
			}
			st.budgetHold = true
		}
	}
	st.delay = d.Delay
	c.onRetry(st)
	return true
}

// apply feeds the decision to the breaker, the limiter and the halt list.
func (st *call) apply(now time.Time) {
	c, o, d := st.c, &st.out, &st.dec
	bo := breaker.Neutral
	switch d.Action {
	case policy.ActionOK:
		bo = breaker.Success
	case policy.ActionTrip:
		bo = breaker.Failure
	case policy.ActionRetry:
		switch o.Transport {
		case policy.TransportConnect, policy.TransportTimeout, policy.TransportReset:
			bo = breaker.Failure
		}
	}
	st.settle(bo)
	if o.Status == http.StatusServiceUnavailable && d.RetryAfter > 0 && c.breakers.State(st.bkey) == breaker.Open {
		// One 503 does not open the region's breaker; when the failures
		// have, it stays open at least for the (clamped) Retry-After.
		c.breakers.OpenFor(st.bkey, d.RetryAfter)
	}

	st.scope = ScopeNone
	switch {
	case d.Action == policy.ActionOK:
		c.limiter.Succeeded(st.tenant)
		if c.throttles.active.Load() != 0 { // only tenants with a recent 429 are counted
			window, _, _, _, _ := st.pol.Limits(st.tenant).Throttle()
			c.throttles.response(st.tenant, now, window)
		}
	case d.Action == policy.ActionBackoff || o.Status == http.StatusTooManyRequests:
		// A lone 429 delays only its own message (d.Delay, from its
		// Retry-After); the tenant is paused and slowed only when 429s
		// cluster across its traffic (see Scope).
		st.scope = ScopeMessage
		if o.Status == http.StatusTooManyRequests {
			st.scope = c.throttles.throttled(st.tenant, st.dest, now, st.pol.Limits(st.tenant))
		}
		pause := d.RetryAfter // the hint as the policy clamped it
		if pause <= 0 {
			pause = d.Delay
		}
		switch st.scope {
		case ScopeTenant, ScopeProcess:
			c.throttleTenant(st.tenant, now, pause)
		case ScopeDestination:
			if pause > 0 {
				c.throttles.hold(st.dest, now.Add(pause))
			}
		}
		c.onThrottled(st)
	case d.Action == policy.ActionHalt:
		cool := st.pol.Limits(st.tenant).HaltFor
		if cool <= 0 {
			cool = c.haltCooldown
		}
		c.halts.halt(st.tenant, now.Add(cool), st.pol)
	}
}

// tenantThrottler is a limiter that decides itself whether a tenant's
// spent quota needs a pause on top of the rate cut (*ratelimit.Limiter
// and the fleet's Redis limiter).
type tenantThrottler interface {
	ThrottleTenant(tenant string, until time.Time) bool
}

// throttleTenant cuts tenant's rate for a 429 of its quota, and pauses it
// for pause when the limiter cannot tell how much the API accepts (a
// Backend without ThrottleTenant always pauses).
func (c *Client) throttleTenant(tenant string, now time.Time, pause time.Duration) {
	if tt, ok := c.limiter.(tenantThrottler); ok {
		until := now
		if pause > 0 {
			until = now.Add(pause)
		}
		tt.ThrottleTenant(tenant, until)
		return
	}
	if pause > 0 {
		c.limiter.Pause(tenant, now.Add(pause))
	}
	c.limiter.Throttled(tenant)
}

// perItemResponseBytes is how much each message of a batch adds to the
// response body cap: a batch answer lists every message.
const perItemResponseBytes = 512

// maxBody is the response body cap of the call.
func (st *call) maxBody() int64 {
	if st.kind == kindSMSBatch || st.kind == kindChatBatch {
		return st.c.maxBody + int64(st.msgs)*perItemResponseBytes
	}
	return st.c.maxBody
}

// decodeSuccess decodes a 2xx body and checks it is the documented
// success: a single send's answer carries a umid (or refuses the message
// by its status); a batch answer a batchId or its messages. Items of a
// batch without a umid are checked one by one in fillChunk.
func (st *call) decodeSuccess() error {
	sc, body := st.sc, st.resp.b
	switch st.kind {
	case kindSMS:
		if err := sc.dec.DecodeSMS(body, &sc.sms); err != nil {
			return err
		}
		if sc.sms.UMID == "" && !strings.EqualFold(sc.sms.Status.Code, "REJECTED") {
			return ErrNoUMID
		}
	case kindSMSBatch:
		if err := sc.dec.DecodeBatch(body, &sc.batch); err != nil {
			return err
		}
		if sc.batch.BatchID == "" && len(sc.batch.Messages) == 0 {
			return ErrNoUMID
		}
	case kindChat:
		if err := sc.dec.DecodeChat(body, &sc.chat); err != nil {
			return err
		}
		if sc.chat.UMID == "" && !chatRefused(sc.chat.Status.State) {
			return ErrNoUMID
		}
	default:
		if err := sc.dec.DecodeChatBatch(body, &sc.chatBatch); err != nil {
			return err
		}
		if sc.chatBatch.BatchID == "" && len(sc.chatBatch.Messages) == 0 {
			return ErrNoUMID
		}
	}
	return nil
}

// result turns the call's end state into the send's error: nil when the
// last attempt succeeded (its decoded body is in st.sc).
func (st *call) result(doErr error) error {
	if st.stop == nil {
		switch {
		case !st.decided:
			st.stop = doErr
			if st.stop == nil {
				st.stop = errors.New("client: no attempt was made")
			}
		case st.dec.Retry:
			// go-retryablehttp ended the loop itself: the context ended
			// during its (zero) wait between attempts.
			if err := st.Err(); err != nil {
				st.stop = err
			} else if doErr != nil {
				st.stop = doErr
			}
		}
	}
	var err error
	switch {
	case st.decided && st.out.Status >= 200 && st.out.Status < 300 && st.bodyErr != nil:
		st.ambiguous = true // the API answered 2xx: it may have taken the message
		err = &ResponseError{
			Status: st.out.Status, Attempts: st.attempts, Tenant: st.tenant,
			ClientMessageID: st.cmid, Ambiguous: true, Err: joinErr(st.stop, st.bodyErr),
		}
	case st.stop != nil:
		err = st.failure(st.stop)
	case st.dec.Action == policy.ActionOK && st.out.Status >= 200 && st.out.Status < 300:
		return nil
	default:
		err = st.failure(giveUpCause(&st.dec))
	}
	st.c.onGiveUp(st, err)
	return err
}

// rejected is the error of a 200 whose single message was refused.
func (st *call) rejected(status, description string, code envelope.Code) error {
	err := &APIError{
		Status: st.out.Status, Code: code, Message: strings.Clone(description), Action: policy.ActionFail,
		Reason: "message " + intern(status), Attempts: st.attempts, Ambiguous: st.ambiguous,
		Tenant: st.tenant, ClientMessageID: st.cmid, Err: ErrRejected,
	}
	st.c.onGiveUp(st, err)
	return err
}

func giveUpCause(d *policy.Decision) error {
	if d.Action == policy.ActionHalt {
		return ErrTenantHalted
	}
	switch d.GiveUp {
	case policy.GiveUpDeadline:
		return context.DeadlineExceeded
	case policy.GiveUpRetryAfterBeyondDeadline:
		return ErrRetryAfterBeyondDeadline
	}
	return nil
}

// failure builds the typed error of a failed send; cause is why it
// stopped (nil when the policy simply said so).
func (st *call) failure(cause error) error {
	if !st.decided {
		return &SendError{Tenant: st.tenant, ClientMessageID: st.cmid, Attempts: st.attempts, Ambiguous: st.ambiguous, Err: cause}
	}
	o, d := &st.out, &st.dec
	if o.Status != 0 {
		if st.redirected && cause == nil {
			cause = ErrRedirect
		}
		e := &APIError{
			Status: o.Status, Code: o.Code, Action: d.Action, Reason: d.Reason,
			Attempts: st.attempts, RetryAfter: d.RetryAfter, Ambiguous: st.ambiguous,
			Tenant: st.tenant, ClientMessageID: st.cmid, Err: joinErr(cause, st.bodyErr),
		}
		if st.envOK {
			env := &st.sc.errEnv
			e.Message = strings.Clone(env.Message)
			e.ErrorID, e.Timestamp = env.ErrorID, env.Timestamp
		}
		return e
	}
	err := st.netErr
	if o.Transport == policy.TransportCanceled && st.Err() != nil && !errors.Is(err, st.Err()) {
		err = joinErr(st.Err(), err)
	}
	return &SendError{
		Tenant: st.tenant, ClientMessageID: st.cmid, Attempts: st.attempts,
		Transport: o.Transport, Action: d.Action, Ambiguous: st.ambiguous, Err: joinErr(cause, err),
	}
}

// joinErr wraps both errors (either may be nil) so errors.Is sees each.
func joinErr(cause, last error) error {
	switch {
	case cause == nil:
		return last
	case last == nil || errors.Is(cause, last):
		return cause
	}
	return fmt.Errorf("%w (last attempt: %w)", cause, last)
}
