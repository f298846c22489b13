package policy

import (
	"errors"
	"math"
	"testing"
	"time"
)

// TestSettingLimits pins the range of every kind of setting and its error
// message, at and just past each bound, from a file (Parse) and from code
// (New, which also sees the negative and non-finite values a file cannot
// write).
func TestSettingLimits(t *testing.T) {
	files := []struct {
		name, yaml, key, msg string // msg "" = accepted
	}{
		{"max_attempts at the limit", "retry: {max_attempts: 20}", "", ""},
		{"max_attempts over", "retry: {max_attempts: 21}", "retry.max_attempts", "max_attempts 21 out of range (want 1..20)"},
		{"multiplier at 1", "retry: {multiplier: 1}", "", ""},
		{"multiplier under 1", "retry: {multiplier: 0.5}", "retry.multiplier", "multiplier 0.5 out of range (want 1..10)"},
		{"multiplier at 10", "retry: {multiplier: 10}", "", ""},
		{"multiplier over 10", "retry: {multiplier: 10.5}", "retry.multiplier", "multiplier 10.5 out of range (want 1..10)"},
		{"base_delay at the limit", "retry: {base_delay: 1h, max_delay: 1h}", "", ""},
		{"max_delay over", "retry: {max_delay: 61m}", "retry.max_delay", "1h1m0s is over the limit of 1h0m0s"},
		{"negative deadline", "retry: {deadline: -5s}", "retry.deadline", "negative duration -5s"},
		{"attempt_timeout over", "retry: {attempt_timeout: 2h}", "retry.attempt_timeout", "2h0m0s is over the limit of 1h0m0s"},
		{"retry_after_ceiling over", "retry: {retry_after_ceiling: 2h}", "retry.retry_after_ceiling", "2h0m0s is over the limit of 1h0m0s"},
		{"base over max", "retry: {base_delay: 2s, max_delay: 1s}", "retry.base_delay", "base_delay 2s is over max_delay 1s"},
		{"ratio at 1", "budget: {ratio: 1}", "", ""},
		{"ratio over 1", "budget: {ratio: 1.5}", "budget.ratio", "ratio 1.5 out of range (want over 0, at most 1)"},
		{"negative ratio", "budget: {ratio: -0.1}", "budget.ratio", "ratio -0.1 out of range (want over 0, at most 1)"},
		{"min_per_second over", "budget: {min_per_second: 2e6}", "budget.min_per_second", "min_per_second 2e+06 out of range (want over 0, at most 1e6)"},
		{"window at 1s", "budget: {window: 1s}", "", ""},
		{"window under 1s", "budget: {window: 500ms}", "budget.window", "window 500ms is under 1s"},
		{"negative window", "budget: {window: -2s}", "budget.window", "window -2s is under 1s"},
		{"window over", "budget: {window: 2h}", "budget.window", "2h0m0s is over the limit of 1h0m0s"},
		{"rate at the limit", "limits: {rate: 1e6}", "", ""},
		{"rate over", "limits: {rate: 1000001}", "limits.rate", "rate 1.000001e+06 out of range (want over 0, at most 1e6 per second)"},
		{"burst at the limit", "limits: {burst: 1000000}", "", ""},
		{"burst over", "limits: {burst: 1000001}", "limits.burst", "1000001 out of range (want 1..1000000)"},
		{"negative burst", "limits: {burst: -1}", "limits.burst", "-1 out of range (want 1..1000000)"},
		{"breaker_failure_ratio over", "limits: {breaker_failure_ratio: 1.01}", "limits.breaker_failure_ratio", "breaker_failure_ratio 1.01 out of range (want over 0, at most 1)"},
		{"breaker_min_requests over", "limits: {breaker_min_requests: 1000001}", "limits.breaker_min_requests", "1000001 out of range (want 1..1000000)"},
		{"breaker_open_for over", "limits: {breaker_open_for: 25h}", "limits.breaker_open_for", "25h0m0s is over the limit of 24h0m0s"},
		{"halt_for over", "limits: {halt_for: 25h}", "limits.halt_for", "25h0m0s is over the limit of 24h0m0s"},
		{"throttle_window over", "limits: {throttle_window: 2h}", "limits.throttle_window", "2h0m0s is over the limit of 1h0m0s"},
		{"throttle_share over", "limits: {throttle_share: 2}", "limits.throttle_share", "throttle_share 2 out of range (want over 0, at most 1)"},
		{"process_tenants over", "limits: {process_tenants: 1000001}", "limits.process_tenants", "1000001 out of range (want 1..1000000)"},
		{"a tenant's setting", "tenants: {acme: {limits: {burst: -3}}}", "tenants.acme.limits.burst", "-3 out of range (want 1..1000000)"},
		{"a tenant's retry", "tenants: {acme: {retry: {max_attempts: 99}}}", "tenants.acme.retry.max_attempts", "max_attempts 99 out of range (want 1..20)"},
		{"zero from a file", "limits: {burst: 0}", "limits.burst", "burst must be over 0; leave the key out for the default"},
		{"disabled", "budget: {disabled: true}", "", ""},
		{"disabled not a bool", "budget: {disabled: 1}", "budget.disabled", "want true or false, got int 1"},
	}
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.yaml))
			checkLimitError(t, err, tt.key, tt.msg)
		})
	}
	codes := []struct {
		name     string
		cfg      Config
		key, msg string
	}{
		{"negative max_attempts", Config{Retry: Retry{MaxAttempts: -1}}, "retry.max_attempts", "max_attempts -1 out of range (want 1..20)"},
		{"NaN multiplier", Config{Retry: Retry{Multiplier: math.NaN()}}, "retry.multiplier", "multiplier NaN out of range (want 1..10)"},
		{"infinite rate", Config{Limits: Limits{Rate: math.Inf(1)}}, "limits.rate", "rate +Inf out of range (want over 0, at most 1e6 per second)"},
		{"negative halt_for", Config{Limits: Limits{HaltFor: -time.Second}}, "limits.halt_for", "negative duration -1s"},
		{"first of two in order", Config{Limits: Limits{Rate: -1, Burst: -1}}, "limits.rate", "rate -1 out of range (want over 0, at most 1e6 per second)"},
	}
	for _, tt := range codes {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			checkLimitError(t, err, tt.key, tt.msg)
		})
	}
}

func checkLimitError(t *testing.T, err error, key, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *ConfigError", err)
	}
	if ce.Key != key || ce.Msg != msg {
		t.Errorf("ConfigError{Key: %q, Msg: %q}, want {%q, %q}", ce.Key, ce.Msg, key, msg)
	}
}
