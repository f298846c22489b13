package policy

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/octosend/octosend/envelope"
)

// config decodes the file's root mapping into c. The keys of every
// mapping, and the fields they fill, are the knobs of knobs.go.
func (d *decoder) config(n *yaml.Node, c *Config) *ConfigError {
	ks := c.knobs()
	return d.section(n, "", configKeys, inUse(&ks))
}

// section decodes mapping n, at key path, into the fields of knobs ks,
// whose keys are keys.
func (d *decoder) section(n *yaml.Node, path string, keys []string, ks []knob) *ConfigError {
	return d.mapping(n, path, keys, func(key, path string, v *yaml.Node) *ConfigError {
		for i := range ks {
			if ks[i].key == key {
				return d.value(v, path, ks[i].field)
			}
		}
		return nil // mapping passes only known keys
	})
}

// value decodes n, the value of key path, into field, a knob's field, by
// the field's type.
func (d *decoder) value(n *yaml.Node, path string, field any) *ConfigError {
	switch p := field.(type) {
	case *int:
		return d.count(n, path, p)
	case *float64:
		return d.number(n, path, p)
	case *time.Duration:
		return d.duration(n, path, p)
	case *bool:
		return d.boolean(n, path, p)
	case *string:
		return d.str(n, path, p)
	case statusClass:
		return d.statusClass(n, path, p.s)
	case *envelope.Code:
		return d.code(n, path, p)
	case *Action:
		return d.action(n, path, p)
	case *Rule:
		return d.status(n, path, p)
	case *Semantics:
		return d.semantics(n, path, p)
	case **Semantics: // a tenant's: nil unless set
		var s Semantics
		if err := d.semantics(n, path, &s); err != nil {
			return err
		}
		if !isNull(n) {
			*p = &s
		}
		return nil
	case *Retry:
		ks := p.knobs()
		return d.section(n, path, retryKeys, inUse(&ks))
	case *BudgetConfig:
		ks := p.knobs()
		return d.section(n, path, budgetKeys, inUse(&ks))
	case *Limits:
		ks := p.knobs()
		return d.section(n, path, limitsKeys, inUse(&ks))
	case *[]Rule:
		return d.rules(n, path, p)
	case *map[string]Tenant:
		return d.tenants(n, path, p)
	}
	return errAt(n, path, "no decoder for this key") // TestKnobs rules this out
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
		// Decoded in place: the decoder is recursive (a tenant's rules), so
		// a local Rule handed to it would be moved to the heap.
		out = append(out, Rule{})
		ks := out[i].knobs()
		if err := d.section(item, ip, ruleKeys, inUse(&ks)); err != nil {
			if err := d.col.keep(err); err != nil {
				return err
			}
		}
	}
	*rules = out
	return nil
}

func (d *decoder) tenants(n *yaml.Node, path string, tenants *map[string]Tenant) *ConfigError {
	m := map[string]Tenant{}
	t := new(Tenant) // one for all tenants: see rules
	err := d.mapping(n, path, nil, func(name, path string, v *yaml.Node) *ConfigError {
		*t = Tenant{}
		ks := t.knobs()
		err := d.section(v, path, tenantKeys, inUse(&ks))
		m[name] = *t
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
	var v bool // decoded here, not into out, which would then escape
	if n.Tag != "!!bool" || n.Decode(&v) != nil {
		return errAt(n, path, "want true or false, got "+describe(n))
	}
	*out = v
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
