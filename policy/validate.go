package policy

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/octosend/octosend/envelope"
)

// tenantPattern is 8x8's rule for sub-account ids (docs/8x8-api.md, "Common to both APIs").
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9\-._&]{3,50}$`)

// MaxCode is the largest body code a rule may name by number.
const MaxCode = 99999

// validate checks c and returns the first problem as a *ConfigError (no
// File or Line: Parse adds them). Map keys are visited in sorted order so
// the error is deterministic.
func validate(c *Config) *ConfigError {
	if err := checkSemantics("semantics", c.Semantics); err != nil {
		return err
	}
	if err := checkRetry("retry", c.Retry, true); err != nil {
		return err
	}
	if err := checkBudget("budget", c.Budget); err != nil {
		return err
	}
	if err := checkLimits("limits", c.Limits); err != nil {
		return err
	}
	if err := checkRules("rules", c.Rules); err != nil {
		return err
	}
	names := make([]string, 0, len(c.Tenants))
	for name := range c.Tenants {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !tenantPattern.MatchString(name) {
			return &ConfigError{Key: "tenants." + name, Msg: "tenant name must be an 8x8 sub-account id (3-50 of A-Z a-z 0-9 - . _ &)"}
		}
		if err := checkTenant(c, c.Tenants[name]); err != nil {
			err.Key = "tenants." + name + "." + err.Key
			return err
		}
	}
	return nil
}

// checkTenant validates one tenant's overrides; the keys of its errors
// are relative to the tenant ("retry.deadline"), so that checking
// thousands of tenants builds no key strings.
func checkTenant(c *Config, t Tenant) *ConfigError {
	if t.Semantics != nil {
		if err := checkSemantics("semantics", *t.Semantics); err != nil {
			return err
		}
	}
	if err := checkRetry("retry", t.Retry, false); err != nil {
		return err
	}
	// The merged settings must hold together too (base <= max).
	merged := t.Retry.merge(c.Retry).merge(defaultRetry)
	if merged.BaseDelay > merged.MaxDelay {
		return &ConfigError{Key: "retry.base_delay", Msg: "base_delay " + merged.BaseDelay.String() + " is over max_delay " + merged.MaxDelay.String()}
	}
	if err := checkLimits("limits", t.Limits); err != nil {
		return err
	}
	return checkRules("rules", t.Rules)
}

func checkSemantics(key string, s Semantics) *ConfigError {
	if s > AtMostOnce {
		return &ConfigError{Key: key, Msg: "unknown semantics " + strconv.Itoa(int(s)) + " (want at_least_once or at_most_once)"}
	}
	return nil
}

func checkRetry(key string, r Retry, global bool) *ConfigError {
	if r.MaxAttempts < 0 || r.MaxAttempts > MaxAttemptsLimit {
		return &ConfigError{Key: key + ".max_attempts", Msg: "max_attempts " + strconv.Itoa(r.MaxAttempts) + " out of range (want 1.." + strconv.Itoa(MaxAttemptsLimit) + ")"}
	}
	if err := checkDuration(key, ".base_delay", r.BaseDelay, MaxDelayLimit); err != nil {
		return err
	}
	if err := checkDuration(key, ".max_delay", r.MaxDelay, MaxDelayLimit); err != nil {
		return err
	}
	if m := r.Multiplier; m != 0 && !(m >= 1 && m <= MaxMultiplier) {
		return &ConfigError{Key: key + ".multiplier", Msg: "multiplier " + formatFloat(m) + " out of range (want 1..10)"}
	}
	if err := checkDuration(key, ".deadline", r.Deadline, DeadlineLimit); err != nil {
		return err
	}
	if err := checkDuration(key, ".attempt_timeout", r.AttemptTimeout, AttemptTimeoutLimit); err != nil {
		return err
	}
	if err := checkDuration(key, ".retry_after_ceiling", r.RetryAfterCeiling, RetryAfterCeilingLimit); err != nil {
		return err
	}
	if global {
		m := r.merge(defaultRetry)
		if m.BaseDelay > m.MaxDelay {
			return &ConfigError{Key: key + ".base_delay", Msg: "base_delay " + m.BaseDelay.String() + " is over max_delay " + m.MaxDelay.String()}
		}
	}
	return nil
}

func checkBudget(key string, b BudgetConfig) *ConfigError {
	if r := b.Ratio; r != 0 && !(r > 0 && r <= 1) {
		return &ConfigError{Key: key + ".ratio", Msg: "ratio " + formatFloat(r) + " out of range (want over 0, at most 1)"}
	}
	if m := b.MinPerSecond; m != 0 && !(m > 0 && m <= MaxBudgetMinPerSecond) {
		return &ConfigError{Key: key + ".min_per_second", Msg: "min_per_second " + formatFloat(m) + " out of range (want over 0, at most 1e6)"}
	}
	if b.Window != 0 && b.Window < time.Second {
		return &ConfigError{Key: key + ".window", Msg: "window " + b.Window.String() + " is under 1s"}
	}
	return checkDuration(key, ".window", b.Window, MaxBudgetWindow)
}

func checkLimits(key string, l Limits) *ConfigError {
	if r := l.Rate; r != 0 && !(r > 0 && r <= MaxRate) {
		return &ConfigError{Key: key + ".rate", Msg: "rate " + formatFloat(r) + " out of range (want over 0, at most 1e6 per second)"}
	}
	if err := checkCount(key, ".burst", l.Burst, MaxBurst); err != nil {
		return err
	}
	if r := l.BreakerFailureRatio; r != 0 && !(r > 0 && r <= 1) {
		return &ConfigError{Key: key + ".breaker_failure_ratio", Msg: "breaker_failure_ratio " + formatFloat(r) + " out of range (want over 0, at most 1)"}
	}
	if err := checkCount(key, ".breaker_min_requests", l.BreakerMinRequests, MaxBreakerCount); err != nil {
		return err
	}
	if err := checkCount(key, ".breaker_consecutive", l.BreakerConsecutive, MaxBreakerCount); err != nil {
		return err
	}
	if err := checkDuration(key, ".breaker_open_for", l.BreakerOpenFor, MaxBreakerOpenFor); err != nil {
		return err
	}
	if err := checkDuration(key, ".breaker_window", l.BreakerWindow, MaxBreakerWindow); err != nil {
		return err
	}
	if err := checkDuration(key, ".halt_for", l.HaltFor, MaxHaltFor); err != nil {
		return err
	}
	if err := checkDuration(key, ".throttle_window", l.ThrottleWindow, MaxBreakerWindow); err != nil {
		return err
	}
	if r := l.ThrottleShare; r != 0 && !(r > 0 && r <= 1) {
		return &ConfigError{Key: key + ".throttle_share", Msg: "throttle_share " + formatFloat(r) + " out of range (want over 0, at most 1)"}
	}
	for _, c := range []struct {
		k string
		n int
	}{{".throttle_429s", l.Throttle429s}, {".destination_429s", l.Destination429s}, {".process_tenants", l.ProcessTenants}} {
		if err := checkCount(key, c.k, c.n, MaxBreakerCount); err != nil {
			return err
		}
	}
	return nil
}

func checkRules(key string, rules []Rule) *ConfigError {
	type match struct {
		status int
		class  string
		code   envelope.Code
	}
	var seen map[match]int // for long lists; short ones are scanned
	if len(rules) > 8 {
		seen = make(map[match]int, len(rules))
	}
	for i, r := range rules {
		k := lazyKey{key, i}
		if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
			return &ConfigError{Key: k.sub(".status"), Msg: "status " + strconv.Itoa(r.Status) + " out of range (want 100..599 or a class like 5xx)"}
		}
		if r.StatusClass != "" {
			if classIndex(r.StatusClass) == 0 {
				return &ConfigError{Key: k.sub(".status_class"), Msg: "unknown status class " + strconv.Quote(r.StatusClass) + " (want 1xx, 2xx, 3xx, 4xx or 5xx)"}
			}
			if r.Status != 0 {
				return &ConfigError{Key: k.sub(".status_class"), Msg: "status and status_class are both set; keep one"}
			}
		}
		if r.Code < 0 || r.Code > MaxCode {
			return &ConfigError{Key: k.sub(".code"), Msg: "code " + strconv.Itoa(int(r.Code)) + " out of range (want 1..99999 or a code name)"}
		}
		if r.Code != 0 && ((r.Status != 0 && r.Status < 400) || (r.StatusClass != "" && classIndex(r.StatusClass) < 4)) {
			return &ConfigError{Key: k.sub(".code"), Msg: "a code never matches on a status below 400 (error envelopes come with 4xx and 5xx only)"}
		}
		if r.Status == 0 && r.StatusClass == "" && r.Code == 0 {
			return &ConfigError{Key: k.sub(""), Msg: "rule matches nothing: set status, code or both"}
		}
		if !r.Action.Valid() {
			if r.Action == 0 {
				return &ConfigError{Key: k.sub(".action"), Msg: "missing action (want one of " + actionList + ")"}
			}
			return &ConfigError{Key: k.sub(".action"), Msg: "unknown action " + strconv.Itoa(int(r.Action)) + " (want one of " + actionList + ")"}
		}
		if len(r.Reason) > maxReasonLen {
			return &ConfigError{Key: k.sub(".reason"), Msg: "reason over " + strconv.Itoa(maxReasonLen) + " bytes"}
		}
		m := match{r.Status, r.StatusClass, r.Code}
		j, dup := -1, false
		if seen != nil {
			j, dup = seen[m]
			seen[m] = i
		} else {
			for jj, q := range rules[:i] {
				if (match{q.Status, q.StatusClass, q.Code}) == m {
					j, dup = jj, true
					break
				}
			}
		}
		if dup {
			return &ConfigError{Key: k.sub(""), Msg: "same match as " + key + "[" + strconv.Itoa(j) + "]; the first would always win"}
		}
	}
	return nil
}

// lazyKey is the key of list item key[i], made into a string only for an
// error.
type lazyKey struct {
	key string
	i   int
}

func (k lazyKey) sub(field string) string {
	return k.key + "[" + strconv.Itoa(k.i) + "]" + field
}

const maxReasonLen = 300

// checkDuration and checkCount take the key of the value as a parent key
// and a ".field" suffix, joined only for an error: validating a large
// config builds no strings.
func checkDuration(key, field string, d, max time.Duration) *ConfigError {
	if d < 0 {
		return &ConfigError{Key: key + field, Msg: "negative duration " + d.String()}
	}
	if d > max {
		return &ConfigError{Key: key + field, Msg: d.String() + " is over the limit of " + max.String()}
	}
	return nil
}

func checkCount(key, field string, n, max int) *ConfigError {
	if n < 0 || n > max {
		return &ConfigError{Key: key + field, Msg: strconv.Itoa(n) + " out of range (want 1.." + strconv.Itoa(max) + ")"}
	}
	return nil
}

func formatFloat(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// classIndex returns 1..5 for "1xx".."5xx", else 0.
func classIndex(s string) int {
	if len(s) != 3 || s[0] < '1' || s[0] > '5' || s[1] != 'x' || s[2] != 'x' {
		return 0
	}
	return int(s[0] - '0')
}
