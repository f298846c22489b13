package client

import (
	"log/slog"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/ratelimit"
)

// event describes the call's last attempt for hooks.
func (st *call) event() Event {
	return Event{
		Tenant:          st.tenant,
		ClientMessageID: st.cmid,
		Messages:        st.msgs,
		Attempt:         st.attempts,
		Status:          st.out.Status,
		Code:            st.out.Code,
		Transport:       st.out.Transport,
		Action:          st.dec.Action,
		Delay:           st.dec.Delay,
		RetryAfter:      st.out.RetryAfter,
		Ambiguous:       st.dec.Ambiguous,
		Reason:          st.dec.Reason,
		Scope:           st.scope,
		Latency:         st.attemptLat,
		LimiterWait:     st.limWait,
		BaseURL:         st.base,
		Context:         st.Context,
	}
}

// onSend runs Hooks.OnSend before the call's first attempt.
func (c *Client) onSend(st *call) {
	if c.hooks.OnSend != nil {
		ev := st.event()
		ev.Latency = 0
		if st.dest != "" {
			ev.Destination = maskDestination(st.dest)
		}
		if ctx := c.hooks.OnSend(st.Context, ev); ctx != nil {
			st.Context = ctx
		}
	}
}

// onDone runs Hooks.OnDone with the call's final outcome.
func (c *Client) onDone(st *call, err error) {
	if c.hooks.OnDone != nil {
		ev := st.event()
		ev.Err, ev.Latency, ev.Ambiguous = err, c.clk.Now().Sub(st.start), st.ambiguous
		ev.BudgetRefused = st.budgetRefused
		c.hooks.OnDone(ev)
	}
}

// attrs are the log attributes of the call's last attempt: never the key,
// never the text, the destination masked.
func (st *call) attrs(extra ...slog.Attr) []slog.Attr {
	a := make([]slog.Attr, 0, 12+len(extra))
	a = append(a,
		slog.String("tenant", st.tenant),
		slog.Int("attempt", st.attempts),
		slog.Int("status", st.out.Status),
		slog.Int("code", int(st.out.Code)),
		slog.String("action", st.dec.Action.String()),
		slog.Duration("delay", st.dec.Delay),
	)
	if st.out.Status == 0 && st.decided {
		a = append(a, slog.String("transport", st.out.Transport.String()))
	}
	if st.out.RetryAfter > 0 {
		a = append(a, slog.Duration("retry_after", st.out.RetryAfter))
	}
	if st.cmid != "" {
		a = append(a, slog.String("client_message_id", st.cmid))
	}
	if st.dest != "" {
		a = append(a, slog.String("destination", maskDestination(st.dest)))
	}
	if st.msgs > 1 {
		a = append(a, slog.Int("messages", st.msgs))
	}
	return append(a, extra...)
}

func (c *Client) onAttempt(st *call) {
	if c.hooks.OnAttempt != nil {
		c.hooks.OnAttempt(st.event())
	}
	if c.log != nil && c.log.Enabled(st, slog.LevelDebug) {
		c.log.LogAttrs(st, slog.LevelDebug, "octosend: attempt", st.attrs()...)
	}
}

func (c *Client) onRetry(st *call) {
	if c.hooks.OnRetry != nil {
		ev := st.event()
		ev.BudgetRefused = st.budgetHold
		c.hooks.OnRetry(ev)
	}
}

func (c *Client) onThrottled(st *call) {
	if c.hooks.OnThrottled != nil {
		c.hooks.OnThrottled(st.event())
	}
}

// onGiveUp reports a failed send. It masks the error's server text first
// (redactErr), so the hook, the log record and the caller all get the
// masked error.
func (c *Client) onGiveUp(st *call, err error) {
	st.redactErr(err)
	if c.hooks.OnGiveUp != nil {
		ev := st.event()
		ev.Err, ev.Latency = err, c.clk.Now().Sub(st.start)
		c.hooks.OnGiveUp(ev)
	}
	if c.log != nil && c.log.Enabled(st, slog.LevelWarn) {
		c.log.LogAttrs(st, slog.LevelWarn, "octosend: send failed", st.attrs(slog.String("error", err.Error()))...)
	}
}

func (c *Client) onBreakerChange(key string, from, to breaker.State) {
	if c.hooks.OnBreakerStateChange != nil {
		c.hooks.OnBreakerStateChange(BreakerEvent{Key: key, From: from, To: to})
	}
	if c.log != nil {
		c.log.Warn("octosend: circuit breaker", slog.String("key", key),
			slog.String("from", from.String()), slog.String("to", to.String()))
	}
}

// limiterState is a limiter that reports a tenant's current limits
// (*ratelimit.Limiter).
type limiterState interface {
	State(tenant string) (ratelimit.TenantState, bool)
}

// TenantRate returns the rate, in requests per second, that tenant's rate
// limiter allows now (after the adaptive cuts of 429s and the recoveries
// since), and its configured rate. ok is false when the limiter cannot
// tell (a Config.Limiter without a State method) or does not know the
// tenant (it has not sent, or its idle state was evicted). For telemetry's
// adaptive-rate gauge; it takes the tenant's lock briefly.
func (c *Client) TenantRate(tenant string) (rate, configured float64, ok bool) {
	ls, isState := c.limiter.(limiterState)
	if !isState {
		return 0, 0, false
	}
	s, ok := ls.State(tenant)
	if !ok {
		return 0, 0, false
	}
	return s.Rate, s.Configured, true
}
