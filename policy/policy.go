package policy

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/octosend/octosend/envelope"
)

// Policy is a compiled, immutable retry policy: the default table plus a
// Config's rules, settings and tenant overrides. Build one with New (or
// Default, Load); a *Policy is safe for concurrent use, and swapping one
// at run time goes through Live.
//
// New flattens the global resolution order (config rules, built-in
// table, class defaults) into lookup arrays once, so Decide costs two
// array reads and, when tenants are configured, one map lookup, whatever
// the number of rules. A tenant's own rules are an overlay on those arrays
// (a few small maps: one or two more lookups for that tenant's sends), so
// a configured tenant costs its settings and its rules, about 1 KiB with
// one rule, whatever the number of tenants and of the codes they name.
type Policy struct {
	cfg      Config // as given to New, deep-copied
	global   tenantPolicy
	tenants  map[string]*tenantPolicy
	rules    *ruleSet // Config.Rules
	codes    *codeIndex
	budget   BudgetConfig
	rand     func() float64
	defaults *builtinTables
}

// tenantPolicy is the resolved view of one tenant (or of the global
// settings, for sends without a known tenant).
type tenantPolicy struct {
	name      string
	semantics Semantics
	retry     Retry // every field set
	limits    Limits
	rules     *ruleSet  // the tenant's own rules, an overlay on res; nil for none
	res       *resolver // the flattened global resolution order
	caps      *backoffCaps
}

// backoffCaps holds the backoff cap of each retry (fillCaps); tenants
// with the global retry settings share the global one.
type backoffCaps [MaxAttemptsLimit]time.Duration

// New validates cfg and compiles it into a Policy. It returns a
// *ConfigError (without File or Line) when cfg is invalid; it never
// panics. New copies cfg: changing it afterwards does not change the
// Policy.
func New(cfg Config) (*Policy, error) {
	cfg = cfg.clone()
	if err := validate(&cfg); err != nil {
		return nil, err
	}
	p := &Policy{
		cfg:      cfg,
		rules:    newRuleSet(cfg.Rules, "config"),
		budget:   cfg.Budget.withDefaults(),
		rand:     rand.Float64,
		defaults: builtin,
	}
	p.global = tenantPolicy{
		semantics: cfg.Semantics,
		retry:     cfg.Retry.merge(defaultRetry),
		limits:    cfg.Limits,
	}
	p.global.fillCaps()
	p.codes = &codeIndex{}
	for _, d := range defaultCodes {
		p.codes.add(envelope.Code(d.code))
	}
	for _, r := range cfg.Rules {
		p.codes.add(r.Code)
	}
	p.global.res = newResolver(p.codes, p.rules, builtin.defaults)
	if len(cfg.Tenants) > 0 {
		p.tenants = make(map[string]*tenantPolicy, len(cfg.Tenants))
		for name, t := range cfg.Tenants {
			tp := &tenantPolicy{
				name:      name,
				semantics: cfg.Semantics,
				retry:     t.Retry.merge(p.global.retry),
				limits:    t.Limits.merge(cfg.Limits),
			}
			if t.Semantics != nil {
				tp.semantics = *t.Semantics
			}
			tp.res = p.global.res
			if len(t.Rules) > 0 {
				tp.rules = newRuleSet(t.Rules, "tenant:"+name)
			}
			if tp.retry == p.global.retry {
				tp.caps = p.global.caps
			} else {
				tp.fillCaps()
			}
			p.tenants[name] = tp
		}
	}
	return p, nil
}

// fillCaps precomputes the backoff cap of each retry: the retry after
// attempt n waits up to min(BaseDelay * Multiplier^(n-1), MaxDelay).
func (t *tenantPolicy) fillCaps() {
	t.caps = new(backoffCaps)
	base, maxd := float64(t.retry.BaseDelay), float64(t.retry.MaxDelay)
	for i := range t.caps {
		c := base * math.Pow(t.retry.Multiplier, float64(i))
		if !(c < maxd) { // also catches +Inf
			c = maxd
		}
		t.caps[i] = time.Duration(c)
	}
}

var defaultPolicy = sync.OnceValue(func() *Policy {
	p, err := New(Config{})
	if err != nil { // the built-in config is valid; a test proves it
		panic("policy: default config invalid: " + err.Error())
	}
	return p
})

// Default returns the built-in policy: the default table, at-least-once
// delivery and the default retry settings. It is shared and immutable.
func Default() *Policy { return defaultPolicy() }

// WithRand returns a copy of p that draws jitter from f, which must
// return values in [0, 1) (values outside are clamped) and be safe for
// concurrent use if the Policy is. Tests pass a fixed sequence; the
// default is math/rand/v2's Float64. A nil f restores the default.
func (p *Policy) WithRand(f func() float64) *Policy {
	q := *p
	if f == nil {
		f = rand.Float64
	}
	q.rand = f
	return &q
}

// tenant returns the resolved settings of name, or the global ones.
func (p *Policy) tenant(name string) *tenantPolicy {
	if name != "" && p.tenants != nil {
		if t, ok := p.tenants[name]; ok {
			return t
		}
	}
	return &p.global
}

// Semantics returns the delivery semantics of tenant.
func (p *Policy) Semantics(tenant string) Semantics { return p.tenant(tenant).semantics }

// Limits returns tenant's rate-limit and breaker settings: its overrides
// over the global Limits. Zero fields mean the using package's default.
func (p *Policy) Limits(tenant string) Limits { return p.tenant(tenant).limits }

// AttemptTimeout returns the time limit of one attempt of tenant.
func (p *Policy) AttemptTimeout(tenant string) time.Duration {
	return p.tenant(tenant).retry.AttemptTimeout
}

// Deadline returns the overall deadline of one send of tenant. It is never
// zero: zero in the config means DefaultDeadline.
func (p *Policy) Deadline(tenant string) time.Duration { return p.tenant(tenant).retry.Deadline }

// Retry returns tenant's retry settings with every default filled in.
func (p *Policy) Retry(tenant string) Retry { return p.tenant(tenant).retry }

// Budget returns the client-wide retry budget's settings with defaults
// filled in.
func (p *Policy) Budget() BudgetConfig { return p.budget }

// Config returns a copy of the Config p was built from.
func (p *Policy) Config() Config { return p.cfg.clone() }

// Tenants returns the names of the tenants with overrides, sorted.
func (p *Policy) Tenants() []string {
	names := make([]string, 0, len(p.tenants))
	for n := range p.tenants {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
