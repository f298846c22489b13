package policy

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

// fixed returns a rand source that always yields u.
func fixed(u float64) func() float64 { return func() float64 { return u } }

func mustNew(t testing.TB, cfg Config) *Policy {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// TestPrecedence walks the resolution order: tenant status+code, tenant
// code, tenant status, tenant class, then config, then the built-in table,
// then the class default. Each rule has its own reason so the test knows
// which one matched.
func TestPrecedence(t *testing.T) {
	p := mustNew(t, Config{
		Rules: []Rule{
			{Status: 503, Code: 2000, Action: ActionHalt, Reason: "config status+code"},
			{Code: 2000, Action: ActionFail, Reason: "config code"},
			{Status: 503, Action: ActionBackoff, Reason: "config status"},
			{StatusClass: "5xx", Code: 1400, Action: ActionRetry, Reason: "config class+code"},
			{StatusClass: "5xx", Action: ActionOK, Reason: "config class"},
		},
		Tenants: map[string]Tenant{"acme": {Rules: []Rule{
			{Status: 500, Code: 2000, Action: ActionOK, Reason: "tenant status+code"},
			{Code: 2000, Action: ActionBackoff, Reason: "tenant code"},
			{Status: 500, Action: ActionHalt, Reason: "tenant status"},
			{StatusClass: "5xx", Action: ActionFail, Reason: "tenant class"},
		}}},
	})
	tests := []struct {
		name   string
		tenant string
		status int
		code   envelope.Code
		want   Action
		reason string // suffix of Decision.Reason
	}{
		{"tenant status+code beats all", "acme", 500, 2000, ActionOK, "tenant status+code"},
		{"tenant code beats tenant status", "acme", 502, 2000, ActionBackoff, "tenant code"},
		{"tenant code beats config status+code", "acme", 503, 2000, ActionBackoff, "tenant code"},
		{"tenant status beats config and default code", "acme", 500, 1002, ActionHalt, "tenant status"},
		{"tenant class beats config status", "acme", 503, 0, ActionFail, "tenant class"},
		{"tenant falls through to default", "acme", 400, 1002, ActionFail, "fix the number (E.164 expected)"},
		{"tenant falls through to class default", "acme", 418, 0, ActionFail, "retrying repeats it"},
		{"config status+code", "", 503, 2000, ActionHalt, "config status+code"},
		{"config code beats config status", "", 500, 2000, ActionFail, "config code"},
		{"config status beats default code", "", 503, 1002, ActionBackoff, "config status"},
		{"config class+code beats config code-less rules", "", 502, 1400, ActionRetry, "config class+code"},
		{"config class beats default status", "", 502, 0, ActionOK, "config class"},
		{"unknown tenant uses global rules", "other", 503, 2000, ActionHalt, "config status+code"},
		{"default code", "", 400, 1002, ActionFail, "fix the number (E.164 expected)"},
		{"default status", "", 401, 0, ActionHalt, "until the key is fixed"},
		{"class default", "", 418, 0, ActionFail, "retrying repeats it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(Outcome{Tenant: tt.tenant, Status: tt.status, Code: tt.code, Attempt: 1})
			if d.Action != tt.want || !strings.HasSuffix(strings.TrimSuffix(d.Reason, refusedNote), tt.reason) {
				t.Errorf("Decide(%q, %d, %d) = %v %q, want %v %q", tt.tenant, tt.status, tt.code, d.Action, d.Reason, tt.want, tt.reason)
			}
		})
	}
}

func TestConfigReasonWithoutText(t *testing.T) {
	p := mustNew(t, Config{
		Rules:   []Rule{{Status: 503, Action: ActionFail}},
		Tenants: map[string]Tenant{"acme": {Rules: []Rule{{Code: envelope.CodeInvalidMSISDN, Action: ActionRetry}}}},
	})
	tests := []struct {
		o    Outcome
		want string
	}{
		{Outcome{Status: 503}, "503 Service Unavailable: set by config"},
		{Outcome{Tenant: "acme", Status: 400, Code: 1002}, "1002 InvalidMSISDN: set by tenant:acme"},
	}
	for _, tt := range tests {
		if got := p.Decide(tt.o).Reason; got != tt.want {
			t.Errorf("Decide(%+v).Reason = %q, want %q", tt.o, got, tt.want)
		}
	}
}

func TestAmbiguous(t *testing.T) {
	tests := []struct {
		name string
		o    Outcome
		want bool
	}{
		{"500", Outcome{Status: 500}, true},
		{"500/2000", Outcome{Status: 500, Code: 2000}, true},
		{"502", Outcome{Status: 502}, true},
		{"504", Outcome{Status: 504}, true},
		{"599", Outcome{Status: 599}, true},
		{"500 unknown code", Outcome{Status: 500, Code: 9999}, true},
		{"503 not processed", Outcome{Status: 503}, false},
		{"503/2000 not processed", Outcome{Status: 503, Code: 2000}, false},
		{"500/1002 refused", Outcome{Status: 500, Code: 1002}, false},
		{"500/429 refused", Outcome{Status: 500, Code: 429}, false},
		{"429", Outcome{Status: 429, Code: 429}, false},
		{"400", Outcome{Status: 400, Code: 1002}, false},
		{"200", Outcome{Status: 200}, false},
		{"timeout", Outcome{Transport: TransportTimeout}, true},
		{"reset", Outcome{Transport: TransportReset}, true},
		{"connect", Outcome{Transport: TransportConnect}, false},
		{"dns", Outcome{Transport: TransportDNS}, false},
		{"tls", Outcome{Transport: TransportTLS}, false},
		{"canceled", Outcome{Transport: TransportCanceled}, false},
	}
	p := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Attempt = 1
			if got := p.Decide(tt.o).Ambiguous; got != tt.want {
				t.Errorf("Decide(%+v).Ambiguous = %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}

func TestSemantics(t *testing.T) {
	p := mustNew(t, Config{Tenants: map[string]Tenant{
		"careful": {Semantics: ptr(AtMostOnce)},
	}})
	tests := []struct {
		name   string
		o      Outcome
		retry  bool
		giveUp GiveUp
	}{
		{"at-least-once retries 500", Outcome{Status: 500, Code: 2000}, true, GiveUpNone},
		{"at-least-once retries timeout", Outcome{Transport: TransportTimeout}, true, GiveUpNone},
		{"at-most-once stops on 500", Outcome{Tenant: "careful", Status: 500, Code: 2000}, false, GiveUpAtMostOnce},
		{"at-most-once stops on 502", Outcome{Tenant: "careful", Status: 502}, false, GiveUpAtMostOnce},
		{"at-most-once stops on timeout", Outcome{Tenant: "careful", Transport: TransportTimeout}, false, GiveUpAtMostOnce},
		{"at-most-once stops on reset", Outcome{Tenant: "careful", Transport: TransportReset}, false, GiveUpAtMostOnce},
		{"at-most-once retries 503", Outcome{Tenant: "careful", Status: 503}, true, GiveUpNone},
		{"at-most-once retries 429", Outcome{Tenant: "careful", Status: 429, Code: 429}, true, GiveUpNone},
		{"at-most-once retries connect", Outcome{Tenant: "careful", Transport: TransportConnect}, true, GiveUpNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Attempt = 1
			d := p.Decide(tt.o)
			if d.Retry != tt.retry || d.GiveUp != tt.giveUp {
				t.Errorf("Decide(%+v) = retry %v giveUp %v, want %v %v", tt.o, d.Retry, d.GiveUp, tt.retry, tt.giveUp)
			}
			if tt.giveUp == GiveUpAtMostOnce && !d.Ambiguous {
				t.Errorf("an at-most-once give-up must be flagged ambiguous")
			}
		})
	}
	if got := p.Semantics("careful"); got != AtMostOnce {
		t.Errorf("Semantics(careful) = %v", got)
	}
	if got := p.Semantics("other"); got != AtLeastOnce {
		t.Errorf("Semantics(other) = %v", got)
	}
	// A tenant can go back to at-least-once under a global at-most-once.
	q := mustNew(t, Config{Semantics: AtMostOnce, Tenants: map[string]Tenant{"bold": {Semantics: ptr(AtLeastOnce)}}})
	if d := q.Decide(Outcome{Tenant: "bold", Status: 500, Attempt: 1}); !d.Retry {
		t.Errorf("tenant at_least_once under global at_most_once: %+v", d)
	}
	if d := q.Decide(Outcome{Status: 500, Attempt: 1}); d.Retry || d.GiveUp != GiveUpAtMostOnce {
		t.Errorf("global at_most_once: %+v", d)
	}
}

func TestGiveUp(t *testing.T) {
	p := mustNew(t, Config{Retry: Retry{MaxAttempts: 3, Deadline: 10 * time.Second, RetryAfterCeiling: 20 * time.Second}}).WithRand(fixed(0.5))
	tests := []struct {
		name   string
		o      Outcome
		retry  bool
		giveUp GiveUp
		ra     time.Duration
	}{
		{"first attempt", Outcome{Status: 500, Attempt: 1}, true, GiveUpNone, 0},
		{"attempt 0 counts as 1", Outcome{Status: 500, Attempt: 0}, true, GiveUpNone, 0},
		{"second attempt", Outcome{Status: 500, Attempt: 2}, true, GiveUpNone, 0},
		{"last attempt", Outcome{Status: 500, Attempt: 3}, false, GiveUpAttempts, 0},
		{"past the cap", Outcome{Status: 500, Attempt: 50}, false, GiveUpAttempts, 0},
		{"policy deadline reached", Outcome{Status: 500, Attempt: 1, Elapsed: 10 * time.Second}, false, GiveUpDeadline, 0},
		{"policy deadline passed", Outcome{Status: 500, Attempt: 1, Elapsed: time.Minute}, false, GiveUpDeadline, 0},
		{"caller deadline reached", Outcome{Status: 500, Attempt: 1, HasDeadline: true}, false, GiveUpDeadline, 0},
		{"caller deadline passed", Outcome{Status: 500, Attempt: 1, HasDeadline: true, Remaining: -time.Second}, false, GiveUpDeadline, 0},
		{"remaining ignored without HasDeadline", Outcome{Status: 500, Attempt: 1, Remaining: -time.Second}, true, GiveUpNone, 0},
		{"retry-after fits", Outcome{Status: 429, Attempt: 1, RetryAfter: time.Second}, true, GiveUpNone, time.Second},
		{"retry-after beyond policy deadline", Outcome{Status: 429, Attempt: 1, RetryAfter: 5 * time.Second, Elapsed: 6 * time.Second}, false, GiveUpRetryAfterBeyondDeadline, 5 * time.Second},
		{"retry-after beyond caller deadline", Outcome{Status: 429, Attempt: 1, RetryAfter: 3 * time.Second, HasDeadline: true, Remaining: 2 * time.Second}, false, GiveUpRetryAfterBeyondDeadline, 3 * time.Second},
		{"retry-after equal to the time left", Outcome{Status: 503, Attempt: 1, RetryAfter: 2 * time.Second, HasDeadline: true, Remaining: 2 * time.Second}, false, GiveUpRetryAfterBeyondDeadline, 2 * time.Second},
		{"retry-after clamped to the ceiling", Outcome{Status: 429, Attempt: 1, RetryAfter: time.Hour}, false, GiveUpRetryAfterBeyondDeadline, 20 * time.Second},
		{"retry-after kept on the last attempt", Outcome{Status: 429, Attempt: 3, RetryAfter: time.Second}, false, GiveUpAttempts, time.Second},
		{"negative retry-after ignored", Outcome{Status: 429, Attempt: 1, RetryAfter: -time.Second}, true, GiveUpNone, 0},
		{"fail never retries", Outcome{Status: 400, Attempt: 1}, false, GiveUpNone, 0},
		{"halt never retries", Outcome{Status: 401, Attempt: 1}, false, GiveUpNone, 0},
		{"ok never retries", Outcome{Status: 200, Attempt: 1}, false, GiveUpNone, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.o)
			if d.Retry != tt.retry || d.GiveUp != tt.giveUp || d.RetryAfter != tt.ra {
				t.Errorf("Decide(%+v) = retry %v giveUp %v retryAfter %v, want %v %v %v", tt.o, d.Retry, d.GiveUp, d.RetryAfter, tt.retry, tt.giveUp, tt.ra)
			}
			if !d.Retry && d.Delay != 0 {
				t.Errorf("Delay = %v without a retry", d.Delay)
			}
		})
	}
}

func TestBackoffDelays(t *testing.T) {
	cfg := Config{Retry: Retry{MaxAttempts: 20, BaseDelay: 100 * time.Millisecond, Multiplier: 2, MaxDelay: time.Second, Deadline: time.Hour}}
	top := math.Nextafter(1, 0)
	hi := mustNew(t, cfg).WithRand(fixed(top))
	mid := mustNew(t, cfg).WithRand(fixed(0.5))
	lo := mustNew(t, cfg).WithRand(fixed(0))
	caps := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, c := range caps {
		c *= time.Millisecond
		o := Outcome{Status: 503, Attempt: i + 1}
		if d := hi.Decide(o); d.Delay > c || d.Delay < c-time.Microsecond {
			t.Errorf("attempt %d, u→1: delay %v, want just under %v", i+1, d.Delay, c)
		}
		if d := mid.Decide(o); d.Delay != c/2 {
			t.Errorf("attempt %d, u=0.5: delay %v, want %v", i+1, d.Delay, c/2)
		}
		if d := lo.Decide(o); d.Delay != 0 || !d.Retry {
			t.Errorf("attempt %d, u=0: %+v, want an immediate retry", i+1, d)
		}
	}
	// The delay is clipped to the time left.
	if d := hi.Decide(Outcome{Status: 503, Attempt: 5, HasDeadline: true, Remaining: 300 * time.Millisecond}); d.Delay > 300*time.Millisecond || !d.Retry {
		t.Errorf("clipped delay: %+v", d)
	}
	// Jitter really varies with the default source.
	seen := map[time.Duration]bool{}
	real := mustNew(t, cfg)
	for range 50 {
		seen[real.Decide(Outcome{Status: 503, Attempt: 4}).Delay] = true
	}
	if len(seen) < 40 {
		t.Errorf("50 draws gave %d distinct delays; jitter looks broken", len(seen))
	}
}

func TestRetryAfterDelays(t *testing.T) {
	cfg := Config{Retry: Retry{RetryAfterCeiling: 10 * time.Second, Deadline: time.Minute}}
	top := math.Nextafter(1, 0)
	tests := []struct {
		name   string
		u      float64
		ra     time.Duration
		remain time.Duration // 0 = no caller deadline
		min    time.Duration
		max    time.Duration
	}{
		{"floor at u=0", 0, 2 * time.Second, 0, 2 * time.Second, 2 * time.Second},
		{"half the spread at u=0.5", 0.5, 2 * time.Second, 0, 2002500 * time.Microsecond, 2002500 * time.Microsecond},
		{"under 5ms past at u→1", top, 2 * time.Second, 0, 2004 * time.Millisecond, 2005 * time.Millisecond},
		{"a tenth of a short hint at u→1", top, 40 * time.Millisecond, 0, 43 * time.Millisecond, 44 * time.Millisecond},
		{"jitter capped by ceiling", top, 9998 * time.Millisecond, 0, 9998 * time.Millisecond, 10 * time.Second},
		{"hint over the ceiling waits the ceiling", top, time.Minute, 0, 10 * time.Second, 10 * time.Second},
		{"jitter capped by time left", top, 2 * time.Second, 2002 * time.Millisecond, 2 * time.Second, 2002 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, cfg).WithRand(fixed(tt.u))
			o := Outcome{Status: 429, Code: 429, Attempt: 1, RetryAfter: tt.ra}
			if tt.remain > 0 {
				o.HasDeadline, o.Remaining = true, tt.remain
			}
			d := p.Decide(o)
			if !d.Retry || d.Delay < tt.min || d.Delay > tt.max {
				t.Errorf("Decide(%+v) = %+v, want a delay in [%v, %v]", o, d, tt.min, tt.max)
			}
		})
	}
}

func TestWithRandClamps(t *testing.T) {
	cfg := Config{Retry: Retry{BaseDelay: time.Second, MaxDelay: time.Second}}
	tests := []struct {
		u    float64
		want time.Duration
	}{
		{-3, 0},
		{math.NaN(), 0},
		{math.Inf(-1), 0},
		{7, time.Second},
		{1, time.Second},
		{math.Inf(1), time.Second},
	}
	for _, tt := range tests {
		d := mustNew(t, cfg).WithRand(fixed(tt.u)).Decide(Outcome{Status: 500, Attempt: 1})
		if d.Delay < 0 || d.Delay > time.Second || (tt.want == 0 && d.Delay != 0) || (tt.want > 0 && d.Delay < time.Second-time.Microsecond) {
			t.Errorf("rand %v: delay %v, want about %v", tt.u, d.Delay, tt.want)
		}
	}
	// WithRand(nil) restores a working default, and never changes p.
	p := mustNew(t, cfg).WithRand(fixed(0))
	q := p.WithRand(nil)
	if d := p.Decide(Outcome{Status: 500, Attempt: 1}); d.Delay != 0 {
		t.Errorf("WithRand(nil) changed the original: %v", d.Delay)
	}
	if d := q.Decide(Outcome{Status: 500, Attempt: 1}); !d.Retry {
		t.Errorf("WithRand(nil): %+v", d)
	}
}

// TestDelayProperties draws random settings and outcomes and checks the
// invariants of every decision: delays within [0, cap], never past either
// deadline, at least the Retry-After floor, and Retry/GiveUp consistent.
func TestDelayProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dur := func(max time.Duration) time.Duration { return time.Duration(r.Int64N(int64(max))) + 1 }
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		maxDelay := dur(time.Minute)
		cfg := Config{Retry: Retry{
			MaxAttempts:       1 + r.IntN(MaxAttemptsLimit),
			BaseDelay:         min(dur(10*time.Second), maxDelay),
			Multiplier:        1 + 9*r.Float64(),
			MaxDelay:          maxDelay,
			Deadline:          dur(10 * time.Minute),
			RetryAfterCeiling: dur(RetryAfterCeilingLimit),
		}}
		p := mustNew(t, cfg).WithRand(r.Float64)
		statuses := []int{0, 200, 400, 429, 500, 502, 503, 504, 599}
		o := Outcome{
			Status:    statuses[r.IntN(len(statuses))],
			Transport: Transport(r.IntN(7)),
			Attempt:   r.IntN(25) - 2,
			Elapsed:   dur(cfg.Retry.Deadline*2) - 1,
		}
		if r.IntN(2) == 0 {
			o.HasDeadline, o.Remaining = true, dur(time.Hour)-time.Minute
		}
		if r.IntN(2) == 0 {
			o.RetryAfter = dur(2*time.Hour) - time.Hour
		}
		d := p.Decide(o)
		remaining := cfg.Retry.Deadline - o.Elapsed
		if o.HasDeadline {
			remaining = min(remaining, o.Remaining)
		}
		capd := cfg.Retry.MaxDelay
		if d.RetryAfter > 0 {
			capd = cfg.Retry.RetryAfterCeiling
		}
		switch {
		case d.Delay < 0 || d.Delay > capd:
			t.Fatalf("#%d: delay %v outside [0, %v]\nconfig %+v\noutcome %+v\ndecision %+v", i, d.Delay, capd, cfg.Retry, o, d)
		case d.Retry && d.Delay > remaining:
			t.Fatalf("#%d: delay %v past the deadline (%v left)\noutcome %+v", i, d.Delay, remaining, o)
		case d.Retry && o.Elapsed+d.Delay > cfg.Retry.Deadline:
			t.Fatalf("#%d: elapsed %v + delay %v past the policy deadline %v", i, o.Elapsed, d.Delay, cfg.Retry.Deadline)
		case d.Retry && d.Delay < d.RetryAfter:
			t.Fatalf("#%d: delay %v under the Retry-After floor %v", i, d.Delay, d.RetryAfter)
		case d.RetryAfter > cfg.Retry.RetryAfterCeiling:
			t.Fatalf("#%d: RetryAfter %v over the ceiling", i, d.RetryAfter)
		case !d.Retry && d.Delay != 0:
			t.Fatalf("#%d: delay %v without a retry", i, d.Delay)
		case d.Retry && (d.GiveUp != GiveUpNone || !d.Action.Retryable()):
			t.Fatalf("#%d: retry with action %v giveUp %v", i, d.Action, d.GiveUp)
		case !d.Retry && d.Action.Retryable() && d.GiveUp == GiveUpNone:
			t.Fatalf("#%d: retryable action %v not retried and no GiveUp", i, d.Action)
		}
	}
}

func TestTenantSettings(t *testing.T) {
	p := mustNew(t, Config{
		Retry:  Retry{MaxAttempts: 4, Deadline: 20 * time.Second},
		Limits: Limits{Rate: 100, Burst: 10, BreakerOpenFor: time.Minute},
		Tenants: map[string]Tenant{"acme": {
			Retry:  Retry{AttemptTimeout: 2 * time.Second, MaxAttempts: 2},
			Limits: Limits{Rate: 5},
		}},
	})
	tests := []struct {
		tenant      string
		attempts    int
		deadline    time.Duration
		attemptTime time.Duration
		limits      Limits
	}{
		{"acme", 2, 20 * time.Second, 2 * time.Second, Limits{Rate: 5, Burst: 10, BreakerOpenFor: time.Minute}},
		{"", 4, 20 * time.Second, DefaultAttemptTimeout, Limits{Rate: 100, Burst: 10, BreakerOpenFor: time.Minute}},
		{"unknown", 4, 20 * time.Second, DefaultAttemptTimeout, Limits{Rate: 100, Burst: 10, BreakerOpenFor: time.Minute}},
	}
	for _, tt := range tests {
		if got := p.Retry(tt.tenant).MaxAttempts; got != tt.attempts {
			t.Errorf("Retry(%q).MaxAttempts = %d, want %d", tt.tenant, got, tt.attempts)
		}
		if got := p.Deadline(tt.tenant); got != tt.deadline {
			t.Errorf("Deadline(%q) = %v, want %v", tt.tenant, got, tt.deadline)
		}
		if got := p.AttemptTimeout(tt.tenant); got != tt.attemptTime {
			t.Errorf("AttemptTimeout(%q) = %v, want %v", tt.tenant, got, tt.attemptTime)
		}
		if got := p.Limits(tt.tenant); got != tt.limits {
			t.Errorf("Limits(%q) = %+v, want %+v", tt.tenant, got, tt.limits)
		}
	}
	// The tenant's attempt cap applies to its decisions.
	if d := p.Decide(Outcome{Tenant: "acme", Status: 500, Attempt: 2}); d.Retry || d.GiveUp != GiveUpAttempts {
		t.Errorf("acme attempt 2: %+v", d)
	}
	if d := p.Decide(Outcome{Status: 500, Attempt: 2}); !d.Retry {
		t.Errorf("global attempt 2: %+v", d)
	}
}

func TestNewCopiesConfig(t *testing.T) {
	cfg := Config{
		Rules:   []Rule{{Status: 503, Action: ActionFail}},
		Tenants: map[string]Tenant{"acme": {Semantics: ptr(AtMostOnce), Rules: []Rule{{Status: 500, Action: ActionFail}}}},
	}
	p := mustNew(t, cfg)
	cfg.Rules[0].Action = ActionOK
	*cfg.Tenants["acme"].Semantics = AtLeastOnce
	cfg.Tenants["acme"].Rules[0].Action = ActionOK
	if d := p.Decide(Outcome{Status: 503, Attempt: 1}); d.Action != ActionFail {
		t.Errorf("changing the caller's Rules changed the policy: %v", d.Action)
	}
	if p.Semantics("acme") != AtMostOnce {
		t.Errorf("changing the caller's tenant semantics changed the policy")
	}
	got := p.Config()
	got.Rules[0].Action = ActionHalt
	if p.Config().Rules[0].Action != ActionFail {
		t.Errorf("Config() shares its Rules with the policy")
	}
}

// Refused is set for the codes that depend only on the request, on 4xx
// and 5xx, whatever the action a rule gives them, and never for codes
// that depend on the state of the account or the API.
func TestDecisionRefused(t *testing.T) {
	p := mustNew(t, Config{Rules: []Rule{{Code: envelope.CodeInvalidText, Action: ActionRetry}}})
	tests := []struct {
		status int
		code   envelope.Code
		want   bool
	}{
		{400, envelope.CodeInvalidMSISDN, true},
		{400, envelope.CodeInvalidText, true}, // a config rule retries it: still a refusal
		{500, envelope.CodeInvalidMSISDN, true},
		{400, envelope.CodeTemplateNotFound, false},
		{400, envelope.CodeResendingIntervalViolation, false},
		{400, envelope.CodeInvalidExpiry, false},
		{401, envelope.CodeUnauthorized, false},
		{500, envelope.CodeInternalError, false},
		{200, envelope.CodeInvalidMSISDN, false},
		{429, envelope.CodeTooManyRequests, false},
		{400, 0, false},
		{400, 3999, false},
	}
	for _, tt := range tests {
		d := p.Decide(Outcome{Status: tt.status, Code: tt.code, Attempt: 1})
		if d.Refused != tt.want {
			t.Errorf("%d/%d: Refused %v, want %v", tt.status, tt.code, d.Refused, tt.want)
		}
		if tt.status == 400 && tt.code != 0 && tt.code.Known() && strings.HasSuffix(d.Reason, refusedNote) != (tt.want && tt.code != envelope.CodeInvalidText) {
			t.Errorf("%d/%d: reason %q, the table's note does not match Refused", tt.status, tt.code, d.Reason)
		}
	}
}
