package policy

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxProblems is how many problems Check reports when its max is 0.
const DefaultMaxProblems = 20

// ConfigErrors is what Check returns for an invalid config: its problems,
// each a *ConfigError naming the file, line and key, in the order of the
// file, at most the max given to Check.
type ConfigErrors struct {
	Errs []*ConfigError
	// More reports that the file has more problems than Errs holds.
	More bool
}

// Error returns the first problem and how many more there are.
func (e *ConfigErrors) Error() string {
	if len(e.Errs) == 0 {
		return "policy: invalid config"
	}
	s := e.Errs[0].Error()
	switch n := len(e.Errs) - 1; {
	case e.More:
		s += " (and more than " + strconv.Itoa(n) + " other problems)"
	case n > 0:
		s += " (and " + strconv.Itoa(n) + " other problems)"
	}
	return s
}

// Unwrap returns the problems, for errors.As and errors.Is.
func (e *ConfigErrors) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, ce := range e.Errs {
		out[i] = ce
	}
	return out
}

// CheckFile reads the config file at path like Load and checks it with
// Check. It returns nil when Load would succeed, a *ConfigErrors when the
// file is invalid, or the (wrapped) error of opening or reading it.
func CheckFile(path string, max int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return fmt.Errorf("policy: read %s: %w", path, err)
	}
	return Check(path, data, max)
}

// Check decodes and validates a config file's contents like Parse, but
// does not stop at the first problem: it returns a *ConfigErrors holding
// every problem it finds, up to max (0 = DefaultMaxProblems), or nil
// when Parse and New would accept data. A syntax error ends the check
// (what follows it cannot be read). A problem that follows from one
// already reported (a rule without an action, after its action failed to
// decode) is left out. Check never panics.
func Check(name string, data []byte, max int) (err error) {
	if max <= 0 {
		max = DefaultMaxProblems
	}
	if _, perr := Parse(name, data); perr == nil {
		return nil // the common case, and the one Parse decides alone
	} else if ce, ok := perr.(*ConfigError); !ok || ce.Err != nil {
		return &ConfigErrors{Errs: []*ConfigError{asConfigError(perr)}} // too large, or a panic
	}
	defer func() {
		if r := recover(); r != nil {
			err = &ConfigErrors{Errs: []*ConfigError{{File: name, Msg: fmt.Sprintf("cannot parse: %v", r), Err: errPanic}}}
		}
	}()
	root, cerr := parseTree(name, data)
	if cerr != nil {
		cerr.File = name
		return &ConfigErrors{Errs: []*ConfigError{cerr}}
	}
	d := &decoder{lines: map[string]int{}, col: collector{max: max}}
	var cfg Config
	if root != nil {
		if cerr := d.config(root, &cfg); cerr != nil && !d.col.more {
			d.col.errs = append(d.col.errs, cerr)
		}
	}
	errs := d.col.errs
	if !d.col.more {
		decoded := len(errs)
		for _, ve := range validateAll(&cfg) {
			if len(errs) == max {
				d.col.more = true
				break
			}
			if !follows(ve, errs[:decoded]) && !slices.ContainsFunc(errs, func(e *ConfigError) bool { return e.Key == ve.Key && e.Msg == ve.Msg }) {
				ve.Line = d.lineOf(ve.Key)
				errs = append(errs, ve)
			}
		}
	}
	for _, e := range errs {
		e.File = name
	}
	slices.SortStableFunc(errs, func(a, b *ConfigError) int { return lineOrder(a.Line) - lineOrder(b.Line) })
	return &ConfigErrors{Errs: errs, More: d.col.more}
}

func asConfigError(err error) *ConfigError {
	if ce, ok := err.(*ConfigError); ok {
		return ce
	}
	return &ConfigError{Msg: err.Error(), Err: err}
}

// lineOrder sorts problems without a line last.
func lineOrder(line int) int {
	if line <= 0 {
		return 1 << 30
	}
	return line
}

// collector keeps the problems the decoder meets when it runs for Check.
// Its zero value keeps nothing: Parse stops at the first problem.
type collector struct {
	max  int // 0: not collecting
	errs []*ConfigError
	more bool // a problem was left out: max reached
}

// keep records err and returns nil, so decoding goes on with the next key;
// it returns err itself when not collecting, or when max problems are
// already kept (decoding then stops).
func (c *collector) keep(err *ConfigError) *ConfigError {
	if c.max == 0 {
		return err
	}
	if len(c.errs) >= c.max {
		c.more = true
		return err
	}
	c.errs = append(c.errs, err)
	return nil
}

// follows reports whether validation problem ve is about a key that a
// decode problem already covers (the same key, inside it, or around it).
func follows(ve *ConfigError, decoded []*ConfigError) bool {
	within := func(a, b string) bool {
		return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(a, b+"[")
	}
	for _, de := range decoded {
		if within(ve.Key, de.Key) || within(de.Key, ve.Key) {
			return true
		}
	}
	return false
}

// validateAll returns the problems validate finds in c, one for each
// setting, rule and tenant name rather than only the first: it runs
// validate on configs that each hold one piece of c (a key's value, a
// rule), then on c whole for what holds between pieces (base_delay over
// max_delay, two rules with the same match). Duplicates are not removed.
func validateAll(c *Config) []*ConfigError {
	var out []*ConfigError
	probe := func(p Config, rulePrefix string, rule int) {
		err := validate(&p)
		if err == nil {
			return
		}
		if rulePrefix != "" { // the probe's only rule is rules[0]
			if rest, ok := strings.CutPrefix(err.Key, rulePrefix+"[0]"); ok {
				err.Key = rulePrefix + "[" + strconv.Itoa(rule) + "]" + rest
			}
		}
		out = append(out, err)
	}
	probe(Config{Semantics: c.Semantics}, "", 0)
	eachSetting(c.Retry, func(r Retry) { probe(Config{Retry: alone(r)}, "", 0) })
	probe(Config{Retry: delays(c.Retry)}, "", 0)
	eachSetting(c.Budget, func(b BudgetConfig) { probe(Config{Budget: b}, "", 0) })
	eachSetting(c.Limits, func(l Limits) { probe(Config{Limits: l}, "", 0) })
	for i, r := range c.Rules {
		probe(Config{Rules: []Rule{r}}, "rules", i)
	}
	names := make([]string, 0, len(c.Tenants))
	for name := range c.Tenants {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t := c.Tenants[name]
		one := func(t Tenant) Config { return Config{Tenants: map[string]Tenant{name: t}} }
		probe(one(Tenant{Semantics: t.Semantics}), "", 0)
		eachSetting(t.Retry, func(r Retry) { probe(one(Tenant{Retry: alone(r)}), "", 0) })
		pair := one(Tenant{Retry: delays(t.Retry)})
		pair.Retry = delays(c.Retry)
		probe(pair, "", 0)
		eachSetting(t.Limits, func(l Limits) { probe(one(Tenant{Limits: l}), "", 0) })
		for i, r := range t.Rules {
			probe(one(Tenant{Rules: []Rule{r}}), "tenants."+name+".rules", i)
		}
	}
	probe(*c, "", 0)
	return out
}

// alone makes r, a Retry with one field set, pass the check between
// base_delay and max_delay (the delays probe checks that): a base_delay
// alone gets the largest max_delay, a max_delay alone the smallest
// base_delay.
func alone(r Retry) Retry {
	if r.BaseDelay != 0 && r.MaxDelay == 0 {
		r.MaxDelay = MaxDelayLimit
	}
	if r.MaxDelay != 0 && r.BaseDelay == 0 {
		r.BaseDelay = time.Nanosecond
	}
	return r
}

// delays returns r's base_delay and max_delay alone.
func delays(r Retry) Retry { return Retry{BaseDelay: r.BaseDelay, MaxDelay: r.MaxDelay} }
