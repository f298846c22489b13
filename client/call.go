package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/internal/retrybudget"
	"github.com/octosend/octosend/policy"
)

// kind is the shape of a request and of its 2xx response.
type kind uint8

const (
	kindSMS kind = iota
	kindSMSBatch
	kindChat
	kindChatBatch
)

// callKey finds the *call in a request's context.
type callKey struct{}

// call is one logical request — a single message, or one chunk of a batch
// — through all of its attempts. It is the context of every attempt's
// request, so go-retryablehttp's hooks (CheckRetry, PrepareRetry) and the
// transport find it with ctx.Value(callKey{}).
//
// A call is used by one goroutine at a time, except wrote, which the
// transport's write loop sets.
type call struct {
	context.Context // the caller's

	c              *Client
	pol            *policy.Policy
	tenant         string
	cmid           string // "" for a batch chunk
	dest           string // for logs only, masked; "" for a batch chunk
	msgs           int
	kind           kind
	url            string
	base           string // the API's base URL (Event.BaseURL)
	bkey           string
	attemptTimeout time.Duration
	// deadline is the policy's deadline in real time (retry.deadline
	// after run began); Deadline reports it when it is before the
	// caller's.
	deadline time.Time

	// body is the encoded request. Attempts read it through *bytes.Reader,
	// which net/http knows to be in memory, so headers and body leave in
	// one write. It is not reused before net/http is done with it (see
	// sendKit).
	body []byte
	u    *url.URL // the endpoint, parsed (shared: see urlCache)
	uErr error
	x    *sendKit // this send's request machinery

	start    time.Time
	attempts int
	delay    time.Duration
	done     func(breaker.Outcome)

	// For hooks: when the current attempt went to the transport (wall
	// clock), its duration, and its wait for the limiter (on the clock).
	attemptStart time.Time
	attemptLat   time.Duration
	limWait      time.Duration

	// The last attempt.
	out        policy.Outcome
	dec        policy.Decision
	decided    bool
	resp       *buffer           // its response body
	sc         *scratch          // its decoded body
	envOK      bool              // sc.errEnv holds its error envelope
	bodyErr    error             // reading or decoding its body failed
	redirected bool              // the last attempt was answered with a 3xx
	scope      Scope             // the last attempt's inferred 429 scope
	budgetHold bool              // the retry waits for room in the retry budget
	budgetTok  retrybudget.Token // the retry budget's token of the attempt under way
	// budgetRefused: the budget refused the last retry and the send ended
	// on it (Event.BudgetRefused in OnDone).
	budgetRefused bool
	netErr        error // its transport error
	stop          error // why the send ended outside the policy's decision
	ambiguous     bool  // some attempt may have been accepted
}

// Deadline is the send's deadline: the caller's or the policy's
// (retry.deadline), whichever is earlier. Whatever waits with the call as
// its context sees it: the limiter refuses a wait that cannot end before
// it, the dialer and every attempt (see transport) end at it. On a fake
// clock the policy's deadline is also kept on the clock (fits, Decide).
func (st *call) Deadline() (time.Time, bool) {
	dl, ok := st.Context.Deadline()
	if st.deadline.IsZero() || (ok && dl.Before(st.deadline)) {
		return dl, ok
	}
	return st.deadline, true
}

// Value makes the call findable from its requests' contexts.
func (st *call) Value(key any) any {
	if key == (callKey{}) {
		return st
	}
	return st.Context.Value(key)
}

func (c *Client) newCall(ctx context.Context, pol *policy.Policy, tenant string, kd kind, base string, body []byte) *call {
	k, err := getKit()
	if err != nil {
		k = &sendKit{} // run reports err
	}
	st := &k.st
	*st = call{
		Context:        ctx,
		c:              c,
		pol:            pol,
		tenant:         tenant,
		kind:           kd,
		msgs:           1,
		attemptTimeout: pol.AttemptTimeout(tenant),
		body:           body,
		resp:           k.resp,
		sc:             k.sc,
		x:              k,
	}
	if st.resp == nil { // a new kit, or its last send's buffer was too large to keep
		st.resp = getBuffer()
	}
	if st.sc == nil {
		st.sc = getScratch()
	}
	st.url, st.u, st.uErr = c.endpoint(tenant, kd)
	if err != nil {
		st.uErr = err
	}
	st.base, st.bkey = base, base
	if c.byTenant {
		st.bkey = tenant
	}
	return st
}

func pathSuffix(k kind) string {
	if k == kindSMSBatch || k == kindChatBatch {
		return "/messages/batch"
	}
	return "/messages"
}

// release returns the pooled buffers, with the kit when it is pooled
// again; results must be copied out first.
func (st *call) release() {
	resp, sc := st.resp, st.sc
	st.resp, st.sc = nil, nil
	if st.x.rreq != nil && st.x.release(resp, sc) {
		return
	}
	putBuffer(resp)
	putScratch(sc)
}

// run sends the request until the policy, the caller's context or a
// guard (breaker, halt, budget) ends it, and returns the send's error (nil
// when the last attempt succeeded; the decoded body is then in st.sc).
func (st *call) run() error {
	c := st.c
	st.start = c.clk.Now()
	st.deadline = c.wallNow(st.start).Add(st.pol.Deadline(st.tenant))
	c.onSend(st)
	c.budget.RequestAt(st.start)
	if err := st.beforeAttempt(); err != nil {
		st.stop = err
		return st.result(nil)
	}
	if st.uErr != nil {
		st.settle(breaker.Neutral)
		st.stop = fmt.Errorf("client: building request: %w", st.uErr)
		return st.result(nil)
	}
	st.x.bind(st, c.header)
	req := st.x.rreq
	resp, err := c.rc.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	st.settle(breaker.Neutral) // an attempt that never reached CheckRetry
	st.endAttempt()
	return st.result(err)
}

// settle reports the current attempt to its breaker, once.
func (st *call) settle(o breaker.Outcome) {
	if st.done != nil {
		st.done(o)
		st.done = nil
	}
}

// endAttempt stops the attempt's timer.
func (st *call) endAttempt() {
	st.x.endAttempt()
}

// beforeAttempt runs before every attempt: the backoff wait (on the
// injected clock, ending early with the context), the halt check, the
// limiter wait and the breaker check.
func (st *call) beforeAttempt() error {
	c := st.c
	if st.attempts > 0 && st.delay > 0 {
		if err := st.openPastDelay(); err != nil && c.failFast {
			return err
		}
		if err := clock.Sleep(st, c.clk, st.delay); err != nil {
			return err
		}
	}
	if st.budgetHold {
		if err := st.holdBudget(); err != nil {
			return err
		}
	}
	now, err := st.guards()
	if err != nil {
		c.budget.Refund(st.budgetTok) // the retry never went out
		st.budgetTok = 0
		return err
	}
	st.attempts++
	st.x.wrote.Store(false)
	st.attemptStart = c.wallNow(now)
	return nil
}

// wallNow returns now, a reading of the client's clock, when that clock is
// the wall clock, else a wall-clock reading. A send reads the clock once
// per step this way: at ~50 ns a reading, the dozen a send used to take
// were a noticeable part of its cost.
func (c *Client) wallNow(now time.Time) time.Time {
	if c.wallClock {
		return now
	}
	return time.Now()
}

// guards are the checks every attempt passes right before it goes out:
// the tenant's halt, the destination's and the tenant's rate, the breaker.
// They read the clock once (the first attempt takes run's reading), and
// again only after a wait, and return the time they ended.
func (st *call) guards() (time.Time, error) {
	c := st.c
	now := st.start // the first attempt follows run's reading at once, unless an OnSend hook ran in between
	if st.attempts > 0 || c.hooks.OnSend != nil {
		now = c.clk.Now()
	}
	if err := c.halts.check(st.tenant, now, st.pol); err != nil {
		return now, err
	}
	now, err := st.waitDestination(now)
	if err != nil {
		return now, err
	}
	t0 := now
	if w, ok := c.limiter.(nowWaiter); ok {
		now, err = w.WaitAt(st, st.tenant, now)
	} else {
		err = c.limiter.Wait(st, st.tenant)
		now = c.clk.Now()
	}
	st.limWait = now.Sub(t0)
	if err != nil {
		return now, err
	}
	return st.allow(now)
}

// nowWaiter is a limiter whose wait starts from the caller's reading of
// the clock (ratelimit.Limiter.WaitAt).
type nowWaiter interface {
	WaitAt(ctx context.Context, tenant string, now time.Time) (time.Time, error)
}

// holdBudget waits, in the budget's queue (oldest first), for room for a
// retry the full retry budget refused, until the send's deadline could no
// longer be met.
func (st *call) holdBudget() error {
	c := st.c
	h := c.budget.Hold()
	for {
		if tok, ok := h.Poll(); ok {
			st.budgetTok, st.budgetHold = tok, false
			return nil
		}
		if !st.fits(budgetPoll) {
			h.Cancel()
			st.budgetRefused = true
			return ErrBudgetExhausted
		}
		t := c.clk.NewTimer(budgetPoll)
		select {
		case <-h.Ready():
		case <-t.C():
		case <-st.Done():
			t.Stop()
			h.Cancel()
			return st.Err()
		}
		t.Stop()
	}
}

// budgetPoll is how often a retry held by an exhausted retry budget
// checks whether the window's sliding made room (a refund or a new first
// attempt hands the room to the oldest waiter at once).
const budgetPoll = 100 * time.Millisecond

// probeStagger delays a held send's wake-up past the breaker's probe time
// per attempt it has made (see allow).
const probeStagger = 20 * time.Millisecond

// halfOpenPoll is how often a send waiting on a half-open breaker (its
// probe slots taken) checks again.
const halfOpenPoll = 50 * time.Millisecond

// allow asks the breaker to let the attempt through. At an open breaker the
// send holds: it waits until the breaker lets a probe through (or the probe
// closes it), on the injected clock, as long as that fits its deadline;
// otherwise, and with Config.FailFast, it fails with ErrBreakerOpen.
//
// now is the clock's time; allow returns it, or the time after its wait.
func (st *call) allow(now time.Time) (time.Time, error) {
	c := st.c
	for {
		done, err := c.breakers.Allow(st.bkey)
		if err == nil {
			st.done = done
			return now, nil
		}
		oe, ok := errors.AsType[*breaker.OpenError](err)
		if c.failFast || !ok {
			return now, breakerOpenError{err}
		}
		wait := oe.RetryIn
		if oe.State == breaker.HalfOpen {
			wait = min(wait, halfOpenPoll) // the probe may report long before it is presumed lost
		} else {
			// Held sends wake in order of the attempts they have made, the
			// fewest first, so the probe is the attempt of a message with
			// attempts to spare and no one message spends all of its
			// attempts probing a long outage.
			wait += time.Duration(st.attempts) * probeStagger
		}
		wait = max(wait, time.Millisecond)
		if !st.fits(wait) {
			return now, breakerOpenError{err}
		}
		err = clock.Sleep(st, c.clk, wait)
		now = c.clk.Now()
		if err != nil {
			return now, err
		}
	}
}

// fits reports whether a wait of d ends before the send's deadline (the
// caller's context's and the policy's).
func (st *call) fits(d time.Duration) bool {
	if dl, ok := st.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	pd := st.pol.Deadline(st.tenant)
	return pd <= 0 || st.c.clk.Now().Sub(st.start)+d < pd
}

// openPastDelay fails fast when the breaker is open and will still be
// open when the backoff ends: waiting would only end in ErrBreakerOpen.
func (st *call) openPastDelay() error {
	s := st.c.breakers
	if s.State(st.bkey) != breaker.Open {
		return nil
	}
	done, err := s.Allow(st.bkey)
	if err == nil {
		done(breaker.Neutral) // it just let requests through again: give the slot back
		return nil
	}
	if oe, ok := errors.AsType[*breaker.OpenError](err); ok && oe.RetryIn <= st.delay {
		return nil
	}
	return breakerOpenError{err}
}

// prepareRetry is go-retryablehttp's PrepareRetry: the wait and the guards
// before attempts 2..n.
func (c *Client) prepareRetry(req *http.Request) error {
	st, _ := req.Context().Value(callKey{}).(*call)
	if st == nil {
		return errors.New("client: request without send state")
	}
	if err := st.beforeAttempt(); err != nil {
		st.stop = err
		return err
	}
	return nil
}

// checkRetry is go-retryablehttp's CheckRetry: it reads and decodes the
// response, asks the policy, applies the decision to the limiter, the
// breaker and the tenant, and says whether to go again. The error it
// returns is always nil: the send's error is built from the call.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(callKey{}).(*call)
	if st == nil {
		if resp != nil {
			resp.Body.Close()
		}
		return false, err
	}
	return st.afterAttempt(resp, err), nil
}

// errorHandler is go-retryablehttp's ErrorHandler: it hands back the raw
// error instead of "giving up after N attempts"; the call knows the rest.
func errorHandler(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		resp.Body.Close()
	}
	return nil, err
}

func zeroBackoff(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }

// waitDestination waits out a hold of the message's destination
// (ScopeDestination), or fails at once when it ends after the deadline.
// now is the clock's time; it returns now, or the time after its wait.
func (st *call) waitDestination(now time.Time) (time.Time, error) {
	c := st.c
	until := c.throttles.heldUntil(st.dest, now)
	if until.IsZero() {
		return now, nil
	}
	wait := until.Sub(now)
	if !st.fits(wait) {
		return now, ErrRetryAfterBeyondDeadline
	}
	err := clock.Sleep(st, c.clk, wait)
	return c.clk.Now(), err
}
