package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestParseRefusesNonCoreTags: a value with an explicit tag outside YAML's
// core schema, or a core tag that does not fit the value, is a
// *ConfigError naming the file, line, key and tag, never decoded as if
// the tag were not there.
func TestParseRefusesNonCoreTags(t *testing.T) {
	tests := []struct {
		in, key, msg string
		line         int
	}{
		{"retry:\n  deadline: !!binary MnM=\n", "retry.deadline", "unsupported YAML tag !!binary", 2},
		{"rules:\n  - {status: 500, action: fail, reason: !!binary aGVsbG8=}\n", "rules[0].reason", "unsupported YAML tag !!binary", 2},
		{"retry: !!binary {max_attempts: 2}\n", "retry", "unsupported YAML tag !!binary", 1},
		{"retry: !foo {max_attempts: 2}\n", "retry", "unsupported YAML tag !foo", 1},
		{"rules: !foo [{status: 500, action: fail}]\n", "rules", "unsupported YAML tag !foo", 1},
		{"rules:\n  - !foo {status: 500, action: fail}\n", "rules[0]", "unsupported YAML tag !foo", 2},
		{"rules:\n  - {status: !foo 500, action: fail}\n", "rules[0].status", "unsupported YAML tag !foo", 2},
		{"tenants: !!set {acme: null}\n", "tenants", "unsupported YAML tag !!set", 1},
		{"tenants:\n  acme:\n    semantics: !!timestamp 2001-12-14\n", "tenants.acme.semantics", "unsupported YAML tag !!timestamp", 3},
		{"!foo {retry: {deadline: 2s}}\n", "", "unsupported YAML tag !foo", 1},
		{"%TAG !e! tag:example.com,2000:\n---\nretry: !e!x {deadline: 2s}\n", "retry", "unsupported YAML tag tag:example.com,2000:x", 3},
		{"retry: !<tag:yaml.org,2002:binary> {deadline: 2s}\n", "retry", "unsupported YAML tag !!binary", 1},
		{"tenants:\n  acme: {limits: {rate: !!python/object:os.system 5}}\n", "tenants.acme.limits.rate", "unsupported YAML tag !!python/object:os.system", 2},
		{"tenants: {!foo acme: {}}\n", "tenants", "unsupported YAML tag !foo", 1},
		{"retry: !!str {max_attempts: 2}\n", "retry", "YAML tag !!str does not fit a mapping", 1},
		{"rules: !!map [{status: 500, action: fail}]\n", "rules", "YAML tag !!map does not fit a list", 1},
		{"retry:\n  deadline: !!null 5s\n", "retry.deadline", `value "5s" does not fit its YAML tag !!null`, 2},
		{"retry: {max_attempts: !!int abc}\n", "retry.max_attempts", `value "abc" does not fit its YAML tag !!int`, 1},
		{"budget: {disabled: !!bool maybe}\n", "budget.disabled", `value "maybe" does not fit its YAML tag !!bool`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			_, err := Parse("tags.yaml", []byte(tt.in))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) = %v, want a *ConfigError", tt.in, err)
			}
			if ce.File != "tags.yaml" || ce.Line != tt.line || ce.Key != tt.key || !strings.HasPrefix(ce.Msg, tt.msg) {
				t.Errorf("Parse(%q):\n got %s:%d key %q msg %q\nwant %s:%d key %q msg %q...",
					tt.in, ce.File, ce.Line, ce.Key, ce.Msg, "tags.yaml", tt.line, tt.key, tt.msg)
			}
		})
	}
}

// TestParseAcceptsCoreTags: core tags that fit their values, the
// non-specific "!" and verbatim core tags decode as the untagged values.
func TestParseAcceptsCoreTags(t *testing.T) {
	for _, in := range []string{
		"rules: [{status: !!str 503, action: !!str fail}]\n",
		"rules: !!seq [!!map {status: !!int 503, action: ! fail}]\n",
		"retry: {max_attempts: !!int 3, multiplier: !!float 2}\n",
		"budget: {ratio: !!float 0.5, disabled: !!bool false}\nretry: !!null\n",
		"retry: !<tag:yaml.org,2002:map> {deadline: !<tag:yaml.org,2002:str> 2s}\n",
	} {
		if _, err := Parse("tags.yaml", []byte(in)); err != nil {
			t.Errorf("Parse(%q) = %v, want nil", in, err)
		}
	}
}

// TestCheckReportsEveryTag: Check keeps going past a refused tag.
func TestCheckReportsEveryTag(t *testing.T) {
	const file = "retry:\n  deadline: !!binary MnM=\n  max_delay: !foo 1s\nrules:\n  - {status: 500, action: fail, reason: !!binary aGk=}\n"
	ce := checkErrs(t, "tags.yaml", file)
	if ce == nil || len(ce.Errs) != 3 {
		t.Fatalf("Check = %v, want 3 problems", ce)
	}
	for i, line := range []int{2, 3, 5} {
		if e := ce.Errs[i]; e.Line != line || !strings.Contains(e.Msg, "unsupported YAML tag") {
			t.Errorf("problem %d = %v, want an unsupported tag at line %d", i, e, line)
		}
	}
}
