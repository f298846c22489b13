package policy

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/octosend/octosend/envelope"
)

// Keys of each mapping, in the order the example file documents them.
var (
	configKeys = []string{"semantics", "retry", "budget", "limits", "rules", "tenants"}
	retryKeys  = []string{"max_attempts", "base_delay", "multiplier", "max_delay", "deadline", "attempt_timeout", "retry_after_ceiling"}
	budgetKeys = []string{"ratio", "min_per_second", "window", "disabled"}
	limitsKeys = []string{"rate", "burst", "breaker_failure_ratio", "breaker_min_requests", "breaker_consecutive", "breaker_open_for", "breaker_window", "halt_for",
		"throttle_window", "throttle_429s", "throttle_share", "destination_429s", "process_tenants"}
	ruleKeys   = []string{"status", "status_class", "code", "action", "reason"}
	tenantKeys = []string{"semantics", "retry", "limits", "rules"}
)

func (d *decoder) config(n *yaml.Node, c *Config) *ConfigError {
	return d.mapping(n, "", configKeys, func(key, path string, v *yaml.Node) *ConfigError {
		switch key {
		case "semantics":
			return d.semantics(v, path, &c.Semantics)
		case "retry":
			return d.retry(v, path, &c.Retry)
		case "budget":
			return d.budget(v, path, &c.Budget)
		case "limits":
			return d.limits(v, path, &c.Limits)
		case "rules":
			return d.rules(v, path, &c.Rules)
		default: // tenants
			return d.tenants(v, path, &c.Tenants)
		}
	})
}

func (d *decoder) retry(n *yaml.Node, path string, r *Retry) *ConfigError {
	return d.mapping(n, path, retryKeys, func(key, path string, v *yaml.Node) *ConfigError {
		switch key {
		case "max_attempts":
			return d.count(v, path, &r.MaxAttempts)
		case "base_delay":
			return d.duration(v, path, &r.BaseDelay)
		case "multiplier":
			return d.number(v, path, &r.Multiplier)
		case "max_delay":
			return d.duration(v, path, &r.MaxDelay)
		case "deadline":
			return d.duration(v, path, &r.Deadline)
		case "attempt_timeout":
			return d.duration(v, path, &r.AttemptTimeout)
		default: // retry_after_ceiling
			return d.duration(v, path, &r.RetryAfterCeiling)
		}
	})
}

func (d *decoder) budget(n *yaml.Node, path string, b *BudgetConfig) *ConfigError {
	return d.mapping(n, path, budgetKeys, func(key, path string, v *yaml.Node) *ConfigError {
		switch key {
		case "ratio":
			return d.number(v, path, &b.Ratio)
		case "min_per_second":
			return d.number(v, path, &b.MinPerSecond)
		case "window":
			return d.duration(v, path, &b.Window)
		default: // disabled
			return d.boolean(v, path, &b.Disabled)
		}
	})
}

func (d *decoder) limits(n *yaml.Node, path string, l *Limits) *ConfigError {
	return d.mapping(n, path, limitsKeys, func(key, path string, v *yaml.Node) *ConfigError {
		switch key {
		case "rate":
			return d.number(v, path, &l.Rate)
		case "burst":
			return d.count(v, path, &l.Burst)
		case "breaker_failure_ratio":
			return d.number(v, path, &l.BreakerFailureRatio)
		case "breaker_min_requests":
			return d.count(v, path, &l.BreakerMinRequests)
		case "breaker_consecutive":
			return d.count(v, path, &l.BreakerConsecutive)
		case "breaker_open_for":
			return d.duration(v, path, &l.BreakerOpenFor)
		case "breaker_window":
			return d.duration(v, path, &l.BreakerWindow)
		case "halt_for":
			return d.duration(v, path, &l.HaltFor)
		case "throttle_window":
			return d.duration(v, path, &l.ThrottleWindow)
		case "throttle_429s":
			return d.count(v, path, &l.Throttle429s)
		case "throttle_share":
			return d.number(v, path, &l.ThrottleShare)
		case "destination_429s":
			return d.count(v, path, &l.Destination429s)
		default: // process_tenants
			return d.count(v, path, &l.ProcessTenants)
		}
	})
}

func (d *decoder) rules(n *yaml.Node, path string, rules *[]Rule) *ConfigError {
	n, err := d.resolve(n, path)
	if err != nil {
		return err
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return errAt(n, path, "want a list of rules, got "+describe(n))
	}
	out := make([]Rule, 0, len(n.Content))
	for i, item := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		d.lines[ip] = item.Line
		var r Rule
		err := d.mapping(item, ip, ruleKeys, func(key, path string, v *yaml.Node) *ConfigError {
			switch key {
			case "status":
				return d.status(v, path, &r)
			case "status_class":
				return d.statusClass(v, path, &r.StatusClass)
			case "code":
				return d.code(v, path, &r.Code)
			case "action":
				return d.action(v, path, &r.Action)
			default: // reason
				return d.str(v, path, &r.Reason)
			}
		})
		if err != nil {
			if err := d.col.keep(err); err != nil {
				return err
			}
		}
		out = append(out, r)
	}
	*rules = out
	return nil
}

func (d *decoder) tenants(n *yaml.Node, path string, tenants *map[string]Tenant) *ConfigError {
	m := map[string]Tenant{}
	err := d.mapping(n, path, nil, func(name, path string, v *yaml.Node) *ConfigError {
		var t Tenant
		err := d.mapping(v, path, tenantKeys, func(key, path string, v *yaml.Node) *ConfigError {
			switch key {
			case "semantics":
				var s Semantics
				if err := d.semantics(v, path, &s); err != nil {
					return err
				}
				if !isNull(v) {
					t.Semantics = &s
				}
				return nil
			case "retry":
				return d.retry(v, path, &t.Retry)
			case "limits":
				return d.limits(v, path, &t.Limits)
			default: // rules
				return d.rules(v, path, &t.Rules)
			}
		})
		m[name] = t
		return err
	})
	if err != nil {
		return err
	}
	if len(m) > 0 {
		*tenants = m
	}
	return nil
}

// scalar resolves n and checks it is a scalar; null returns (nil, nil).
func (d *decoder) scalar(n *yaml.Node, path, want string) (*yaml.Node, *ConfigError) {
	n, err := d.resolve(n, path)
	if err != nil {
		return nil, err
	}
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, errAt(n, path, "want "+want+", got "+describe(n))
	}
	return n, nil
}

const zeroMsg = " must be over 0; leave the key out for the default"

// count decodes a positive integer.
func (d *decoder) count(n *yaml.Node, path string, out *int) *ConfigError {
	n, err := d.scalar(n, path, "an integer")
	if n == nil || err != nil {
		return err
	}
	if n.Tag != "!!int" {
		return errAt(n, path, "want an integer, got "+describe(n))
	}
	v, perr := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if perr != nil || v > math.MaxInt32 || v < math.MinInt32 {
		return errAt(n, path, "integer "+n.Value+" out of range")
	}
	if v == 0 {
		return errAt(n, path, lastKey(path)+zeroMsg)
	}
	*out = int(v)
	return nil
}

// number decodes a positive finite number.
func (d *decoder) number(n *yaml.Node, path string, out *float64) *ConfigError {
	n, err := d.scalar(n, path, "a number")
	if n == nil || err != nil {
		return err
	}
	if n.Tag != "!!int" && n.Tag != "!!float" {
		return errAt(n, path, "want a number, got "+describe(n))
	}
	var v float64
	if derr := n.Decode(&v); derr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errAt(n, path, "want a finite number, got "+describe(n))
	}
	if v == 0 {
		return errAt(n, path, lastKey(path)+zeroMsg)
	}
	*out = v
	return nil
}

// duration decodes a positive duration string ("250ms", "1m30s").
func (d *decoder) duration(n *yaml.Node, path string, out *time.Duration) *ConfigError {
	n, err := d.scalar(n, path, "a duration")
	if n == nil || err != nil {
		return err
	}
	if n.Tag != "!!str" {
		return errAt(n, path, "want a duration string with a unit, like \"250ms\" or \"2s\", got "+describe(n))
	}
	v, perr := time.ParseDuration(n.Value)
	if perr != nil {
		return errAt(n, path, "invalid duration "+strconv.Quote(n.Value)+" (want a number and a unit, like \"250ms\" or \"2s\")")
	}
	if v == 0 {
		return errAt(n, path, lastKey(path)+zeroMsg)
	}
	*out = v
	return nil
}

func (d *decoder) boolean(n *yaml.Node, path string, out *bool) *ConfigError {
	n, err := d.scalar(n, path, "true or false")
	if n == nil || err != nil {
		return err
	}
	if n.Tag != "!!bool" || n.Decode(out) != nil {
		return errAt(n, path, "want true or false, got "+describe(n))
	}
	return nil
}

func (d *decoder) str(n *yaml.Node, path string, out *string) *ConfigError {
	n, err := d.scalar(n, path, "a string")
	if n == nil || err != nil {
		return err
	}
	if n.Tag != "!!str" {
		return errAt(n, path, "want a string, got "+describe(n))
	}
	*out = n.Value
	return nil
}

func (d *decoder) semantics(n *yaml.Node, path string, out *Semantics) *ConfigError {
	var s string
	if err := d.str(n, path, &s); err != nil || s == "" && isNull(n) {
		return err
	}
	if out.UnmarshalText([]byte(s)) != nil {
		return errAt(n, path, "unknown semantics "+strconv.Quote(s)+" (want at_least_once or at_most_once)")
	}
	return nil
}

func (d *decoder) action(n *yaml.Node, path string, out *Action) *ConfigError {
	var s string
	if err := d.str(n, path, &s); err != nil || s == "" && isNull(n) {
		return err
	}
	a, ok := ParseAction(s)
	if !ok {
		return errAt(n, path, "unknown action "+strconv.Quote(s)+" (want one of "+actionList+")")
	}
	*out = a
	return nil
}

// status decodes a rule's status: a number (503) or a class ("5xx").
func (d *decoder) status(n *yaml.Node, path string, r *Rule) *ConfigError {
	n, err := d.scalar(n, path, "a status")
	if n == nil || err != nil {
		return err
	}
	if n.Tag == "!!str" && classIndex(strings.ToLower(n.Value)) != 0 {
		r.StatusClass = strings.ToLower(n.Value)
		return nil
	}
	v, perr := strconv.Atoi(n.Value)
	if (n.Tag != "!!int" && n.Tag != "!!str") || perr != nil {
		return errAt(n, path, "want an HTTP status (like 503) or a class (like 5xx), got "+describe(n))
	}
	if v < 100 || v > 599 {
		return errAt(n, path, "status "+n.Value+" out of range (want 100..599 or a class like 5xx)")
	}
	r.Status = v
	return nil
}

func (d *decoder) statusClass(n *yaml.Node, path string, out *string) *ConfigError {
	var s string
	if err := d.str(n, path, &s); err != nil || s == "" && isNull(n) {
		return err
	}
	s = strings.ToLower(s)
	if classIndex(s) == 0 {
		return errAt(n, path, "unknown status class "+strconv.Quote(s)+" (want 1xx, 2xx, 3xx, 4xx or 5xx)")
	}
	*out = s
	return nil
}

// code decodes a body code: a number (1002) or a name ("InvalidMSISDN").
func (d *decoder) code(n *yaml.Node, path string, out *envelope.Code) *ConfigError {
	n, err := d.scalar(n, path, "a code")
	if n == nil || err != nil {
		return err
	}
	if n.Tag == "!!int" {
		v, perr := strconv.Atoi(n.Value)
		if perr != nil || v < 1 || v > MaxCode {
			return errAt(n, path, "code "+n.Value+" out of range (want 1..99999 or a code name)")
		}
		*out = envelope.Code(v)
		return nil
	}
	if n.Tag != "!!str" {
		return errAt(n, path, "want a code number or name, got "+describe(n))
	}
	c, ok := envelope.ParseCode(n.Value)
	if !ok || c < 1 || c > MaxCode {
		return errAt(n, path, "unknown code "+strconv.Quote(n.Value)+" (want a number or an envelope code name like \"InvalidMSISDN\")")
	}
	*out = c
	return nil
}

// lastKey returns the last segment of a key path.
func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
