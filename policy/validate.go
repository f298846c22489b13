package policy

import (
	"math"
	"regexp"
	"slices"
	"strconv"

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
	ks := r.knobs()
	if err := checkKnobs(key, inUse(&ks)); err != nil {
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
	ks := b.knobs()
	return checkKnobs(key, inUse(&ks))
}

func checkLimits(key string, l Limits) *ConfigError {
	ks := l.knobs()
	return checkKnobs(key, inUse(&ks))
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
