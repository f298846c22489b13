package policy

import (
	"math"
	"time"

	"github.com/octosend/octosend/envelope"
)

// Decide returns what to do after one attempt: the table's action for the
// outcome and, for a retryable action, whether to retry and after what
// delay. It is a pure function of o, p and one draw of p's random source;
// it never sleeps and allocates nothing.
//
// Resolution order, first match wins (see the package doc):
//
//  1. the tenant's rules: status+code, code, status, status class;
//  2. the config rules, same order;
//  3. the built-in table, same order;
//  4. the class default: 2xx ok, 429 backoff, other 4xx fail, 5xx trip.
//
// Codes count only on statuses >= 400. An outcome without a response
// (Status 0) is decided by its Transport: retry, except TransportCanceled,
// which fails.
//
// For retry, backoff and trip, Retry is true unless the tenant is
// at-most-once and the failure is ambiguous, the attempt was the last one
// allowed, no time is left, or a Retry-After hint does not fit the time
// left; GiveUp says which. The delay is full-jitter exponential backoff
// (uniform in [0, min(BaseDelay·Multiplier^(n-1), MaxDelay)) after attempt
// n), or, when a Retry-After hint is given, uniform in
// [RA, RA + min(RA/10, 5ms)] with RA clamped to RetryAfterCeiling and the
// upper end also kept under the ceiling. Either way the delay ends before the earlier of the caller's
// deadline (Outcome.Remaining) and the policy's (Deadline - Elapsed).
func (p *Policy) Decide(o Outcome) Decision {
	if o.Unusable && o.Status >= 200 && o.Status < 300 {
		ro := o
		ro.Status, ro.Code, ro.Transport, ro.Unusable = 0, 0, TransportReset, false
		d := p.Decide(ro)
		d.Ambiguous = true
		d.Reason = unusableReason
		return d
	}
	t := p.tenant(o.Tenant)
	e := p.resolve(t, o.Status, o.Code, o.Transport)
	d := Decision{Action: e.Action, Reason: e.Reason, Ambiguous: ambiguous(o)}
	d.Refused = o.Status >= 400 && o.Status <= 599 && provesRefusal(o.Code)
	ra := o.RetryAfter
	if ra < 0 {
		ra = 0
	}
	if ra > t.retry.RetryAfterCeiling {
		ra = t.retry.RetryAfterCeiling
	}
	d.RetryAfter = ra
	if !e.Action.Retryable() {
		return d
	}
	if d.Ambiguous && t.semantics == AtMostOnce {
		d.GiveUp = GiveUpAtMostOnce
		return d
	}
	attempt := o.Attempt
	if attempt < 1 {
		attempt = 1
	}
	if attempt >= t.retry.MaxAttempts {
		d.GiveUp = GiveUpAttempts
		return d
	}
	remaining := t.retry.Deadline - o.Elapsed
	if o.HasDeadline && o.Remaining < remaining {
		remaining = o.Remaining
	}
	if remaining <= 0 {
		d.GiveUp = GiveUpDeadline
		return d
	}
	var lo, hi time.Duration
	if ra > 0 {
		if ra >= remaining {
			d.GiveUp = GiveUpRetryAfterBeyondDeadline
			return d
		}
		lo, hi = ra, ra+min(ra/retryAfterJitter, retryAfterSpread)
		if hi > t.retry.RetryAfterCeiling {
			hi = t.retry.RetryAfterCeiling
		}
	} else {
		n := attempt
		if n > len(t.caps) {
			n = len(t.caps)
		}
		hi = t.caps[n-1]
	}
	if hi > remaining {
		hi = remaining
	}
	delay := lo + time.Duration(p.unit()*float64(hi-lo))
	if delay > hi {
		delay = hi
	}
	d.Retry = true
	d.Delay = delay
	return d
}

// resolve walks the resolution order for one outcome.
func (p *Policy) resolve(t *tenantPolicy, status int, code envelope.Code, tr Transport) *Entry {
	if status == 0 {
		if int(tr) < len(p.defaults.transports) {
			return &p.defaults.transports[tr]
		}
		return &p.defaults.badTrans
	}
	if status < 400 {
		code = 0
	}
	if t.rules != nil {
		return t.res.resolveOver(t.rules, p.codes, status, code)
	}
	return t.res.resolve(p.codes, status, code)
}

// ambiguous reports whether the message may have been accepted although
// the attempt failed: a timeout or reset after the request was written,
// or a 5xx other than 503 whose body code does not prove a refusal. A 5xx
// carrying a known code other than 2000 (a validation, auth or
// not-implemented code) says 8x8 refused the message, so it is not
// ambiguous; an unknown code or none is.
func ambiguous(o Outcome) bool {
	if o.Status == 0 {
		return o.Transport.Ambiguous()
	}
	if o.Status < 500 || o.Status > 599 || o.Status == 503 {
		return false
	}
	if o.Code != 0 && o.Code != envelope.CodeInternalError && o.Code.Known() {
		return false
	}
	return true
}

// provesRefusal reports whether code, on a 4xx or 5xx answer, proves that
// 8x8 refused the request whatever the attempt: the validation codes that
// depend only on what the request carries (the number, the text, the
// encoding, the template's shape, the sub-account id, the batch's size),
// so an identical earlier attempt was refused too. Codes that depend on
// the account's or the API's state at the time are not among them: the
// sender id's registration (1005), expiry and schedule times (1006,
// 1011), TLS (1014), authentication (1200, 1201), lookups (1300), the
// resend interval (1400, which an earlier accepted attempt may itself
// have caused), internal and product errors (2xxx), the sub-account's
// channels (3027, 3035), a template's existence (3038, 3060).
func provesRefusal(code envelope.Code) bool {
	switch {
	case code >= 1000 && code <= 1004, code >= 1007 && code <= 1010, code == 1012, code == 1100, code == 7001:
		return true
	case code >= 3001 && code <= 3053:
		return code != 3027 && code != 3035 && code != 3038 && code.Known()
	}
	return false
}

// refusedNote ends the table reason of every code provesRefusal lists.
const refusedNote = "; proves earlier attempts were refused too (clears Ambiguous)"

// unit draws from p.rand, clamped to [0, 1).
func (p *Policy) unit() float64 {
	u := p.rand()
	if u >= 0 && u < 1 {
		return u
	}
	if u >= 1 {
		return math.Nextafter(1, 0)
	}
	return 0 // negative or NaN
}

// unusableReason is the reason of a Decision for an Outcome.Unusable 2xx.
const unusableReason = "2xx without the documented success body (no umid): the message may have been accepted; retried as after a reset"

// retryAfterJitter and retryAfterSpread set the positive jitter of a
// Retry-After wait: up to min(RA/retryAfterJitter, retryAfterSpread) past
// the hint. It only keeps throttled messages from coming back in the same
// instant; spreading a cluster of them is the tenant limiter's job (a
// clustered 429 cuts the tenant's rate and every retry waits for it). It
// was RA/2, then RA/10: a quarter, then a twentieth of a second of waiting
// added, on average, to every message a 1 s hint delays, which the peers
// that wait exactly RA did not pay; a message that a per-destination
// limit answers 429 twice paid it twice (dest429: p99 2.07 s against the
// peers' 2.00 s; 2.02 s with a 20 ms spread). 5 ms still spreads a hundred
// messages to twenty a millisecond, and the tenant limiter paces them.
const (
	retryAfterJitter = 10
	retryAfterSpread = 5 * time.Millisecond
)
