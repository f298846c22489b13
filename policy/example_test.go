package policy_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

func ExampleDefault() {
	p := policy.Default()
	d := p.Decide(policy.Outcome{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempt: 1})
	fmt.Println(d.Action, d.Retry)
	fmt.Println(d.Reason)
	// Output:
	// fail false
	// 1002 InvalidMSISDN: permanent, fix the number (E.164 expected); proves earlier attempts were refused too (clears Ambiguous)
}

func ExamplePolicy_Decide() {
	// Fix the jitter so the output is stable; production uses the default.
	p := policy.Default().WithRand(func() float64 { return 0.5 })

	// A 500 with code 2000: retried, counted against the breaker, and
	// flagged ambiguous (8x8 may have accepted the message).
	d := p.Decide(policy.Outcome{Status: 500, Code: envelope.CodeInternalError, Attempt: 2, Elapsed: time.Second})
	fmt.Println(d.Action, d.Retry, d.Delay, d.Ambiguous)

	// A 429 whose Retry-After does not fit the caller's deadline ends the
	// send at once instead of sleeping.
	d = p.Decide(policy.Outcome{Status: 429, Code: envelope.CodeTooManyRequests, Attempt: 1,
		RetryAfter: 5 * time.Second, HasDeadline: true, Remaining: 2 * time.Second})
	fmt.Println(d.Action, d.Retry, d.GiveUp, d.RetryAfter)
	// Output:
	// trip true 200ms true
	// backoff false retry-after beyond deadline 5s
}

func ExampleNew() {
	otp := policy.AtMostOnce
	p, err := policy.New(policy.Config{
		Retry: policy.Retry{MaxAttempts: 3},
		Rules: []policy.Rule{{Status: 503, Action: policy.ActionBackoff, Reason: "overloaded: slow down"}},
		Tenants: map[string]policy.Tenant{
			"acme-otp": {Semantics: &otp},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Decide(policy.Outcome{Status: 503, Attempt: 1}).Reason)
	d := p.Decide(policy.Outcome{Tenant: "acme-otp", Transport: policy.TransportTimeout, Attempt: 1})
	fmt.Println(d.Retry, d.GiveUp)
	// Output:
	// 503 Service Unavailable: overloaded: slow down
	// false ambiguous failure under at-most-once
}

func ExampleParse() {
	cfg, err := policy.Parse("policy.yaml", []byte(`
retry:
  max_attempts: 4
  base_delay: 250ms
rules:
  - {status: 5xx, action: trip}
  - {code: TemplateNotFound, action: halt}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Retry.MaxAttempts, cfg.Retry.BaseDelay, cfg.Rules[0].StatusClass, int(cfg.Rules[1].Code))

	_, err = policy.Parse("bad.yaml", []byte("retry:\n  max_attempts: 50\n"))
	fmt.Println(err)
	// Output:
	// 4 250ms 5xx 3038
	// policy: bad.yaml:2: retry.max_attempts: max_attempts 50 out of range (want 1..20)
}

func ExampleLoad() {
	p, err := policy.Load("../examples/policy.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Semantics("acme-otp"), p.Deadline("acme-otp"), p.Limits("acme-otp").Rate)
	// Output:
	// at_most_once 10s 200
}

func ExampleNewLive() {
	live := policy.NewLive(policy.Default())
	strict, _ := policy.New(policy.Config{Rules: []policy.Rule{{StatusClass: "5xx", Action: policy.ActionFail}}})

	fmt.Println(live.Load().Decide(policy.Outcome{Status: 502, Attempt: 1}).Action)
	live.Store(strict) // e.g. on SIGHUP, after policy.Load succeeded
	fmt.Println(live.Load().Decide(policy.Outcome{Status: 502, Attempt: 1}).Action)
	// Output:
	// trip
	// fail
}

func ExampleLive_Reload() {
	var live policy.Live // the zero value holds Default()
	err := live.Reload("../examples/policy.json")
	fmt.Println(err, live.Load().Retry("acme-marketing").Deadline)
	// Output:
	// <nil> 5m0s
}

func ExamplePolicy_Table() {
	p, _ := policy.New(policy.Config{Tenants: map[string]policy.Tenant{
		"acme": {Rules: []policy.Rule{{Code: envelope.CodeTemplateNotFound, Action: policy.ActionHalt, Reason: "campaign template missing"}}},
	}})
	for _, e := range p.Table("acme") {
		if e.Code == envelope.CodeTemplateNotFound || e.Status == 429 {
			fmt.Printf("%s -> %s (%s)\n", e.Match(), e.Action, e.Source)
		}
	}
	// Output:
	// 429 Too Many Requests -> backoff (default)
	// 3038 TemplateNotFound -> halt (tenant:acme)
}

func ExamplePolicy_WithRand() {
	p := policy.Default().WithRand(func() float64 { return 0 })
	d := p.Decide(policy.Outcome{Transport: policy.TransportConnect, Attempt: 1})
	fmt.Println(d.Retry, d.Delay)
	// Output:
	// true 0s
}

func ExamplePolicy_Limits() {
	p, _ := policy.New(policy.Config{
		Limits:  policy.Limits{Rate: 1700, Burst: 170},
		Tenants: map[string]policy.Tenant{"acme": {Limits: policy.Limits{Rate: 50}}},
	})
	fmt.Printf("%+v\n", p.Limits("acme"))
	// Output:
	// {Rate:50 Burst:170 BreakerFailureRatio:0 BreakerMinRequests:0 BreakerConsecutive:0 BreakerOpenFor:0s BreakerWindow:0s HaltFor:0s ThrottleWindow:0s Throttle429s:0 ThrottleShare:0 Destination429s:0 ProcessTenants:0}
}

func ExamplePolicy_Semantics() {
	fmt.Println(policy.Default().Semantics("anyone"))
	// Output:
	// at_least_once
}

func ExamplePolicy_AttemptTimeout() {
	p := policy.Default()
	fmt.Println(p.AttemptTimeout(""), p.Deadline(""), p.Retry("").MaxAttempts)
	// Output:
	// 10s 30s 5
}

func ExamplePolicy_Config() {
	p, _ := policy.Load("../examples/policy.yaml")
	fmt.Println(len(p.Config().Rules), p.Tenants())
	// Output:
	// 3 [acme-marketing acme-otp]
}

func ExampleParseAction() {
	a, ok := policy.ParseAction("backoff")
	fmt.Println(a, ok, a.Retryable())
	var b policy.Action
	fmt.Println(b.UnmarshalText([]byte("retyr")))
	// Output:
	// backoff true true
	// policy: unknown action "retyr" (want one of ok, retry, backoff, fail, trip, halt)
}

func ExampleTransport_Ambiguous() {
	for _, t := range []policy.Transport{policy.TransportConnect, policy.TransportTimeout, policy.TransportCanceled} {
		fmt.Println(t, t.Ambiguous())
	}
	// Output:
	// connect false
	// timeout true
	// canceled false
}

func ExampleConfigError() {
	_, err := policy.Parse("p.json", []byte("{\n  \"rules\": [{\"status\": 500, \"action\": \"retyr\"}]\n}"))
	var ce *policy.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(ce.File, ce.Line, ce.Key)
	}
	fmt.Println(err)
	// Output:
	// p.json 2 rules[0].action
	// policy: p.json:2: rules[0].action: unknown action "retyr" (want one of ok, retry, backoff, fail, trip, halt)
}

func ExamplePolicy_Deadline() {
	p, _ := policy.New(policy.Config{
		Retry:   policy.Retry{Deadline: time.Minute},
		Tenants: map[string]policy.Tenant{"acme-otp": {Retry: policy.Retry{Deadline: 10 * time.Second}}},
	})
	fmt.Println(p.Deadline("acme-otp"), p.Deadline("acme-bulk"))
	// Output:
	// 10s 1m0s
}

func ExamplePolicy_Retry() {
	r := policy.Default().Retry("")
	fmt.Println(r.MaxAttempts, r.BaseDelay, r.Multiplier, r.MaxDelay, r.RetryAfterCeiling)
	// Output:
	// 5 200ms 2 10s 20s
}

func ExamplePolicy_Budget() {
	p, _ := policy.New(policy.Config{Budget: policy.BudgetConfig{Ratio: 0.2}})
	b := p.Budget() // defaults filled in, for the client's retry budget
	fmt.Println(b.Ratio, b.MinPerSecond, b.Window)
	// Output:
	// 0.2 10 10s
}

func ExampleEntry_Match() {
	for _, e := range []policy.Entry{
		{Status: 503},
		{StatusClass: "5xx"},
		{Code: envelope.CodeInvalidMSISDN},
		{Status: 500, Code: envelope.CodeInternalError},
		{Transport: policy.TransportReset},
	} {
		fmt.Println(e.Match())
	}
	// Output:
	// 503 Service Unavailable
	// 5xx
	// 1002 InvalidMSISDN
	// 500/2000 InternalError
	// transport reset
}

func ExampleSemantics_UnmarshalText() {
	var s policy.Semantics
	err := s.UnmarshalText([]byte("at_most_once"))
	fmt.Println(s, err)
	// Output:
	// at_most_once <nil>
}

func ExampleGiveUp_String() {
	d := policy.Default().Decide(policy.Outcome{Status: 503, Attempt: policy.DefaultMaxAttempts})
	fmt.Println(d.Action, d.Retry, d.GiveUp)
	// Output:
	// trip false attempts exhausted
}
