package policy

import (
	"strconv"
	"time"
)

// The config file's keys are declared here and only here: the knobs
// method of each struct a mapping of the file decodes into lists its keys,
// in the order the docs show them, each with the field it fills and, for a
// setting, the range validation accepts. The decoder's lists of known keys
// and its dispatch, validation of the settings, merging a tenant's settings
// over the global ones and Check's per-setting probes all walk these lists;
// TestKnobs checks that every field has its knob, and TestExampleFiles and
// TestReadmeConfigReference that examples/policy.yaml and README.md show
// every key. Adding a setting is a field in config.go and a line here.
//
// A knobs method returns its list in an array, the unused tail empty (see
// inUse), so that it lives on the caller's stack and walking it allocates
// nothing: loading ten thousand tenants must not cost ten thousand heap
// copies of their settings.

// A knob is one key of a mapping of the config file and the field it
// fills. What the value may be follows from the field's type (see
// decoder.value): a setting is an int (a positive integer), a float64 (a
// positive finite number), a time.Duration (a positive duration string)
// or a bool; the other fields are sections, lists and names.
type knob struct {
	key   string
	field any // a pointer to the field
	limit limit
}

// A limit is the range validation accepts for a setting; zero means any
// value the decoder accepts. A zero setting always passes: it means the
// default.
type limit struct {
	// min and max bound the value: counts are 1..max; numbers over min
	// (or from it, with minIncluded) up to max; durations up to max, and
	// from min when min is over 0. Durations are in nanoseconds.
	min, max    float64
	minIncluded bool
	// want is a number's range as its error message states it.
	want string
	// named makes a count's error message start with its key.
	named bool
}

// maxKnobs bounds the knobs of a struct (Limits has 13): the size of the
// array a knobs method returns.
const maxKnobs = 16

// statusClass marks the field a rule's status_class fills: a string that
// decodes as a status class, not as free text.
type statusClass struct{ s *string }

func upTo(max int) limit             { return limit{max: float64(max)} }
func namedUpTo(max int) limit        { return limit{max: float64(max), named: true} }
func within(max time.Duration) limit { return limit{max: float64(max)} }

func (c *Config) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{key: "semantics", field: &c.Semantics},
		{key: "retry", field: &c.Retry},
		{key: "budget", field: &c.Budget},
		{key: "limits", field: &c.Limits},
		{key: "rules", field: &c.Rules},
		{key: "tenants", field: &c.Tenants},
	}
}

func (r *Retry) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{"max_attempts", &r.MaxAttempts, namedUpTo(MaxAttemptsLimit)},
		{"base_delay", &r.BaseDelay, within(MaxDelayLimit)},
		{"multiplier", &r.Multiplier, limit{min: 1, minIncluded: true, max: MaxMultiplier, want: "want 1..10"}},
		{"max_delay", &r.MaxDelay, within(MaxDelayLimit)},
		{"deadline", &r.Deadline, within(DeadlineLimit)},
		{"attempt_timeout", &r.AttemptTimeout, within(AttemptTimeoutLimit)},
		{"retry_after_ceiling", &r.RetryAfterCeiling, within(RetryAfterCeilingLimit)},
	}
}

func (b *BudgetConfig) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{"ratio", &b.Ratio, limit{max: 1, want: "want over 0, at most 1"}},
		{"min_per_second", &b.MinPerSecond, limit{max: MaxBudgetMinPerSecond, want: "want over 0, at most 1e6"}},
		{"window", &b.Window, limit{min: float64(time.Second), max: float64(MaxBudgetWindow)}},
		{key: "disabled", field: &b.Disabled},
	}
}

func (l *Limits) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{"rate", &l.Rate, limit{max: MaxRate, want: "want over 0, at most 1e6 per second"}},
		{"burst", &l.Burst, upTo(MaxBurst)},
		{"breaker_failure_ratio", &l.BreakerFailureRatio, limit{max: 1, want: "want over 0, at most 1"}},
		{"breaker_min_requests", &l.BreakerMinRequests, upTo(MaxBreakerCount)},
		{"breaker_consecutive", &l.BreakerConsecutive, upTo(MaxBreakerCount)},
		{"breaker_open_for", &l.BreakerOpenFor, within(MaxBreakerOpenFor)},
		{"breaker_window", &l.BreakerWindow, within(MaxBreakerWindow)},
		{"halt_for", &l.HaltFor, within(MaxHaltFor)},
		{"throttle_window", &l.ThrottleWindow, within(MaxBreakerWindow)},
		{"throttle_429s", &l.Throttle429s, upTo(MaxBreakerCount)},
		{"throttle_share", &l.ThrottleShare, limit{max: 1, want: "want over 0, at most 1"}},
		{"destination_429s", &l.Destination429s, upTo(MaxBreakerCount)},
		{"process_tenants", &l.ProcessTenants, upTo(MaxBreakerCount)},
	}
}

// knobs of a rule: its keys depend on each other, so checkRules validates
// a rule whole. "status" fills Status or StatusClass (503 or "5xx").
func (r *Rule) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{key: "status", field: r},
		{key: "status_class", field: statusClass{&r.StatusClass}},
		{key: "code", field: &r.Code},
		{key: "action", field: &r.Action},
		{key: "reason", field: &r.Reason},
	}
}

func (t *Tenant) knobs() [maxKnobs]knob {
	return [maxKnobs]knob{
		{key: "semantics", field: &t.Semantics},
		{key: "retry", field: &t.Retry},
		{key: "limits", field: &t.Limits},
		{key: "rules", field: &t.Rules},
	}
}

// inUse returns the knobs of ks, an array a knobs method returned.
func inUse(ks *[maxKnobs]knob) []knob {
	n := 0
	for n < len(ks) && ks[n].key != "" {
		n++
	}
	return ks[:n]
}

// The keys of each mapping, for the decoder and its "unknown key" errors.
var (
	configKeys = keys(new(Config).knobs())
	retryKeys  = keys(new(Retry).knobs())
	budgetKeys = keys(new(BudgetConfig).knobs())
	limitsKeys = keys(new(Limits).knobs())
	ruleKeys   = keys(new(Rule).knobs())
	tenantKeys = keys(new(Tenant).knobs())
)

func keys(ks [maxKnobs]knob) []string {
	var out []string
	for _, k := range inUse(&ks) {
		out = append(out, k.key)
	}
	return out
}

// checkKnobs validates settings ks in order and returns the first problem,
// keyed parent.<key>.
func checkKnobs(parent string, ks []knob) *ConfigError {
	for i := range ks {
		if err := ks[i].check(parent); err != nil {
			return err
		}
	}
	return nil
}

func (k *knob) check(parent string) *ConfigError {
	l := &k.limit
	if l.max == 0 {
		return nil
	}
	switch p := k.field.(type) {
	case *int:
		if n := *p; n < 0 || float64(n) > l.max {
			msg := strconv.Itoa(n) + " out of range (want 1.." + strconv.Itoa(int(l.max)) + ")"
			if l.named {
				msg = k.key + " " + msg
			}
			return &ConfigError{Key: parent + "." + k.key, Msg: msg}
		}
	case *float64:
		if v := *p; v != 0 && !((v > l.min || l.minIncluded && v == l.min) && v <= l.max) {
			return &ConfigError{Key: parent + "." + k.key, Msg: k.key + " " + formatFloat(v) + " out of range (" + l.want + ")"}
		}
	case *time.Duration:
		d, min, max := *p, time.Duration(l.min), time.Duration(l.max)
		switch {
		case min > 0 && d != 0 && d < min:
			return &ConfigError{Key: parent + "." + k.key, Msg: k.key + " " + d.String() + " is under " + min.String()}
		case d < 0:
			return &ConfigError{Key: parent + "." + k.key, Msg: "negative duration " + d.String()}
		case d > max:
			return &ConfigError{Key: parent + "." + k.key, Msg: d.String() + " is over the limit of " + max.String()}
		}
	}
	return nil
}

// mergeKnobs sets each zero setting of ks to its value in base, the same
// knobs of another value.
func mergeKnobs(ks, base []knob) {
	for i := range ks {
		switch p := ks[i].field.(type) {
		case *int:
			if *p == 0 {
				*p = *base[i].field.(*int)
			}
		case *float64:
			if *p == 0 {
				*p = *base[i].field.(*float64)
			}
		case *time.Duration:
			if *p == 0 {
				*p = *base[i].field.(*time.Duration)
			}
		case *bool:
			if !*p {
				*p = *base[i].field.(*bool)
			}
		}
	}
}

// eachSetting calls f, for each non-zero setting of v, with a copy of v
// holding that setting alone.
func eachSetting[S comparable, P interface {
	*S
	knobs() [maxKnobs]knob
}](v S, f func(S)) {
	var one S
	fromArr, toArr := P(&v).knobs(), P(&one).knobs()
	from, to := inUse(&fromArr), inUse(&toArr)
	for i := range from {
		one = *new(S)
		mergeKnobs(to[i:i+1], from[i:i+1])
		if one != *new(S) {
			f(one)
		}
	}
}
