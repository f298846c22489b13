package policy

import (
	"time"

	"github.com/octosend/octosend/envelope"
)

// Config is everything a Policy is built from. It is a plain struct: the
// config file (YAML or JSON, see Parse) decodes into it, and code can fill
// it directly. The zero value of every field means its documented default,
// so Config{} builds the default policy.
//
// In the file, every field of Config and of the structs below is the key
// its name makes in snake_case: Retry.MaxAttempts is retry.max_attempts,
// Limits.Throttle429s is limits.throttle_429s, Rule.StatusClass is a
// rule's status_class (which `status: 5xx` also fills).
// examples/policy.yaml shows every key. Only Parse reads the file; these
// structs carry no yaml or json tags.
type Config struct {
	// Semantics is the delivery guarantee of every tenant that does not
	// set its own; zero = AtLeastOnce.
	Semantics Semantics
	// Retry holds the backoff, attempt and deadline settings.
	Retry Retry
	// Budget bounds retries across all sends of a client (see Budget).
	Budget BudgetConfig
	// Limits are the default per-tenant rate-limit and breaker settings.
	Limits Limits
	// Rules override the built-in table for every tenant.
	Rules []Rule
	// Tenants holds per-tenant overrides, keyed by 8x8 sub-account id.
	Tenants map[string]Tenant
}

// Retry holds the retry settings. Zero fields mean the defaults below (for
// a tenant: the global value).
type Retry struct {
	// MaxAttempts caps the attempts of one send, the first included;
	// zero = DefaultMaxAttempts; at most MaxAttemptsLimit. 1 disables
	// retries.
	MaxAttempts int
	// BaseDelay is the backoff cap of the first retry; zero =
	// DefaultBaseDelay. Must not exceed MaxDelay.
	BaseDelay time.Duration
	// Multiplier grows the backoff cap per attempt; zero =
	// DefaultMultiplier; between 1 and 10.
	Multiplier float64
	// MaxDelay caps every backoff delay; zero = DefaultMaxDelay; at most
	// MaxDelayLimit.
	MaxDelay time.Duration
	// Deadline bounds a whole send, all attempts and waits included; zero =
	// DefaultDeadline; at most DeadlineLimit. The caller's context deadline
	// applies as well; the earlier one wins.
	Deadline time.Duration
	// AttemptTimeout bounds one attempt; zero = DefaultAttemptTimeout; at
	// most AttemptTimeoutLimit.
	AttemptTimeout time.Duration
	// RetryAfterCeiling caps how long a server's Retry-After hint can make
	// a send wait; zero = DefaultRetryAfterCeiling; at most one hour
	// (RetryAfterCeilingLimit).
	RetryAfterCeiling time.Duration
}

// Defaults and hard limits of Retry.
const (
	DefaultMaxAttempts       = 5
	MaxAttemptsLimit         = 20
	DefaultBaseDelay         = 200 * time.Millisecond
	DefaultMultiplier        = 2.0
	MaxMultiplier            = 10.0
	DefaultMaxDelay          = 10 * time.Second
	MaxDelayLimit            = time.Hour
	DefaultDeadline          = 30 * time.Second
	DeadlineLimit            = 24 * time.Hour
	DefaultAttemptTimeout    = 10 * time.Second
	AttemptTimeoutLimit      = time.Hour
	DefaultRetryAfterCeiling = 20 * time.Second
	RetryAfterCeilingLimit   = time.Hour
)

// BudgetConfig configures the client-wide retry budget. Zero fields mean
// the defaults.
type BudgetConfig struct {
	// Ratio is the share of retries allowed relative to first attempts in
	// the window; zero = DefaultBudgetRatio (10%); at most 1.
	Ratio float64
	// MinPerSecond is the floor: retries per second always allowed however
	// few requests there were, as a token bucket holding MinPerSecond·Window
	// (a burst may spend it at once; it refills at MinPerSecond); zero =
	// DefaultBudgetMinPerSecond.
	MinPerSecond float64
	// Window is how far back requests and retries are counted; zero =
	// DefaultBudgetWindow; between 1s and one hour.
	Window time.Duration
	// Disabled turns the budget off: TryRetry always succeeds.
	Disabled bool
}

// Defaults and hard limits of BudgetConfig.
const (
	DefaultBudgetRatio        = 0.1
	DefaultBudgetMinPerSecond = 10.0
	MaxBudgetMinPerSecond     = 1e6
	DefaultBudgetWindow       = 10 * time.Second
	MaxBudgetWindow           = time.Hour
)

// Limits are a tenant's rate-limit and breaker settings, as plain numbers
// for the client to hand to ratelimit and breaker. A zero field means the
// default of the package that uses it (for a tenant: the global value).
type Limits struct {
	// Rate is the tenant's requests per second (ratelimit.Config.Rate).
	Rate float64
	// Burst is the tenant's bucket size (ratelimit.Config.Burst).
	Burst int
	// BreakerFailureRatio trips the breaker (breaker.Config.FailureRatio);
	// in (0, 1].
	BreakerFailureRatio float64
	// BreakerMinRequests is breaker.Config.MinRequests.
	BreakerMinRequests int
	// BreakerConsecutive is breaker.Config.Consecutive.
	BreakerConsecutive int
	// BreakerOpenFor is breaker.Config.OpenFor.
	BreakerOpenFor time.Duration
	// BreakerWindow is breaker.Config.Window.
	BreakerWindow time.Duration
	// HaltFor is how long a halted tenant stays stopped (the client's
	// default applies when zero).
	HaltFor time.Duration

	// The 429 scope thresholds (see Throttle and docs/design.md). A 429
	// alone delays only its own message; the tenant is paused and its rate
	// cut only when 429s cluster across its traffic.
	//
	// ThrottleWindow is the window 429s are counted in (default 1s).
	ThrottleWindow time.Duration
	// Throttle429s is how many 429s, on at least two destinations, within
	// ThrottleWindow make the tenant's quota the cause (default 3).
	Throttle429s int
	// ThrottleShare is the least share of the tenant's responses in the
	// window that must be 429s for that, in (0, 1] (default 0.2): sporadic
	// 429s in busy traffic stay lone.
	ThrottleShare float64
	// Destination429s is how many 429s for one destination within ten
	// ThrottleWindows hold that destination (not the tenant) for the
	// Retry-After (default 2).
	Destination429s int
	// ProcessTenants is how many tenants throttled within ThrottleWindow
	// make it the process's problem (8x8's per-source-IP limit); such 429s
	// are reported with ScopeProcess (default 3).
	ProcessTenants int
}

// Defaults of the 429 scope thresholds of Limits.
const (
	DefaultThrottleWindow  = time.Second
	DefaultThrottle429s    = 3
	DefaultThrottleShare   = 0.2
	DefaultDestination429s = 2
	DefaultProcessTenants  = 3
)

// Throttle returns the 429 scope thresholds of l, defaults filled in.
func (l Limits) Throttle() (window time.Duration, min429s int, share float64, dest429s, processTenants int) {
	window, min429s, share, dest429s, processTenants = l.ThrottleWindow, l.Throttle429s, l.ThrottleShare, l.Destination429s, l.ProcessTenants
	if window <= 0 {
		window = DefaultThrottleWindow
	}
	if min429s <= 0 {
		min429s = DefaultThrottle429s
	}
	if !(share > 0) {
		share = DefaultThrottleShare
	}
	if dest429s <= 0 {
		dest429s = DefaultDestination429s
	}
	if processTenants <= 0 {
		processTenants = DefaultProcessTenants
	}
	return
}

// Hard limits of Limits.
const (
	MaxRate           = 1e6
	MaxBurst          = 1_000_000
	MaxBreakerCount   = 1_000_000
	MaxBreakerOpenFor = 24 * time.Hour
	MaxBreakerWindow  = time.Hour
	MaxHaltFor        = 24 * time.Hour
)

// Rule maps outcomes to an action. It matches on Status (an exact HTTP
// status) or StatusClass ("4xx", "5xx"), on Code (an API body code), or
// on a status and a code together. In a config file, `status: 5xx` fills
// StatusClass and codes may be written by name ("InvalidMSISDN").
type Rule struct {
	// Status is the exact HTTP status to match, 100..599; 0 = any.
	Status int
	// StatusClass is "1xx" .. "5xx"; "" = none. Not set together with
	// Status.
	StatusClass string
	// Code is the API body code to match; 0 = any.
	Code envelope.Code
	// Action is what to do; required.
	Action Action
	// Reason is the human text shown in decisions and `policy explain`;
	// optional.
	Reason string
}

// Tenant overrides the global settings for one tenant. Zero fields inherit
// the global value field by field; Rules are consulted before the global
// rules.
type Tenant struct {
	// Semantics, when set, replaces Config.Semantics for this tenant.
	Semantics *Semantics
	// Retry overrides Config.Retry field by field.
	Retry Retry
	// Limits overrides Config.Limits field by field.
	Limits Limits
	// Rules come first in this tenant's resolution order.
	Rules []Rule
}

// clone returns a deep copy of c, so a Policy never shares slices or maps
// with its caller.
func (c Config) clone() Config {
	out := c
	out.Rules = append([]Rule(nil), c.Rules...)
	if c.Tenants != nil {
		out.Tenants = make(map[string]Tenant, len(c.Tenants))
		for name, t := range c.Tenants {
			if t.Semantics != nil {
				s := *t.Semantics
				t.Semantics = &s
			}
			t.Rules = append([]Rule(nil), t.Rules...)
			out.Tenants[name] = t
		}
	}
	return out
}

// merge returns r with its zero fields taken from base.
func (r Retry) merge(base Retry) Retry {
	ks, bs := r.knobs(), base.knobs()
	mergeKnobs(inUse(&ks), inUse(&bs))
	return r
}

// defaultRetry is the built-in Retry, every field set.
var defaultRetry = Retry{
	MaxAttempts:       DefaultMaxAttempts,
	BaseDelay:         DefaultBaseDelay,
	Multiplier:        DefaultMultiplier,
	MaxDelay:          DefaultMaxDelay,
	Deadline:          DefaultDeadline,
	AttemptTimeout:    DefaultAttemptTimeout,
	RetryAfterCeiling: DefaultRetryAfterCeiling,
}

// merge returns l with its zero fields taken from base.
func (l Limits) merge(base Limits) Limits {
	ks, bs := l.knobs(), base.knobs()
	mergeKnobs(inUse(&ks), inUse(&bs))
	return l
}

// withDefaults returns b with zero fields set to the defaults.
func (b BudgetConfig) withDefaults() BudgetConfig {
	if b.Ratio == 0 {
		b.Ratio = DefaultBudgetRatio
	}
	if b.MinPerSecond == 0 {
		b.MinPerSecond = DefaultBudgetMinPerSecond
	}
	if b.Window == 0 {
		b.Window = DefaultBudgetWindow
	}
	return b
}
