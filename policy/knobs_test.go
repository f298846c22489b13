package policy

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// allKeys returns the keys of every mapping of the config file.
func allKeys() [][]string {
	return [][]string{configKeys, retryKeys, budgetKeys, limitsKeys, ruleKeys, tenantKeys}
}

// TestKnobs checks the knobs methods against the structs they describe:
// every field of Config, Retry, BudgetConfig, Limits, Rule and Tenant is
// filled by exactly one knob (a rule's "status" fills Status), the decoder
// has a case for every knob's field, keys are unique, and no knob hides
// behind an empty one (inUse stops there).
func TestKnobs(t *testing.T) {
	t.Run("Config", func(t *testing.T) { checkKnobsOf(t, new(Config)) })
	t.Run("Retry", func(t *testing.T) { checkKnobsOf(t, new(Retry)) })
	t.Run("BudgetConfig", func(t *testing.T) { checkKnobsOf(t, new(BudgetConfig)) })
	t.Run("Limits", func(t *testing.T) { checkKnobsOf(t, new(Limits)) })
	t.Run("Rule", func(t *testing.T) { checkKnobsOf(t, new(Rule)) })
	t.Run("Tenant", func(t *testing.T) { checkKnobsOf(t, new(Tenant)) })
}

func checkKnobsOf[S any, P interface {
	*S
	knobs() [maxKnobs]knob
}](t *testing.T, v P) {
	arr := v.knobs()
	ks := inUse(&arr)
	n := 0
	for _, k := range arr {
		if k.key != "" {
			n++
		}
	}
	if n != len(ks) {
		t.Errorf("%d knobs, %d of them before the first empty one", n, len(ks))
	}
	rv := reflect.ValueOf(v).Elem()
	filled := map[any]string{} // pointer to a field of v -> key
	keys := map[string]bool{}
	null := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	for _, k := range ks {
		if keys[k.key] {
			t.Errorf("key %q declared twice", k.key)
		}
		keys[k.key] = true
		if err := (&decoder{lines: map[string]int{}}).value(null, k.key, k.field); err != nil {
			t.Errorf("%s: field %T: %v", k.key, k.field, err)
		}
		p := k.field
		switch f := p.(type) {
		case statusClass:
			p = f.s
		case *Rule:
			p = &f.Status
		}
		if prev, dup := filled[p]; dup {
			t.Errorf("%s and %s fill the same field", prev, k.key)
		}
		filled[p] = k.key
		switch p.(type) {
		case *int, *float64, *time.Duration:
		default:
			if k.limit != (limit{}) {
				t.Errorf("%s: a limit on a %T, which check ignores", k.key, p)
			}
		}
	}
	for i := range rv.NumField() {
		name := rv.Type().Field(i).Name
		key, ok := filled[rv.Field(i).Addr().Interface()]
		if !ok {
			t.Errorf("field %s.%s has no knob: the config file cannot set it", rv.Type().Name(), name)
			continue
		}
		// Config's doc promises the key is the field's name in snake_case.
		if want := snake(name); key != want {
			t.Errorf("field %s.%s has key %q; Config's doc says %q", rv.Type().Name(), name, key, want)
		}
	}
}

// snake returns a Go field name in snake_case: "Throttle429s" is
// "throttle_429s", "MinPerSecond" "min_per_second".
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		upper := r >= 'A' && r <= 'Z'
		digit := r >= '0' && r <= '9'
		if i > 0 && (upper || digit && !(name[i-1] >= '0' && name[i-1] <= '9')) {
			b.WriteByte('_')
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestReadmeConfigReference checks that README.md's config reference
// names every key of the file.
func TestReadmeConfigReference(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i := strings.Index(doc, "## Config reference")
	if i < 0 {
		t.Fatal("README.md has no Config reference section")
	}
	ref := doc[i:]
	if j := strings.Index(ref[1:], "\n## "); j >= 0 {
		ref = ref[:j+1]
	}
	for _, keys := range allKeys() {
		for _, k := range keys {
			if !strings.Contains(ref, k) && !(strings.HasPrefix(k, "breaker_") && strings.Contains(ref, "breaker_*")) {
				t.Errorf("README.md's config reference does not name key %q", k)
			}
		}
	}
}

// TestMergeSection: a zero setting takes the base's value, a set one keeps
// its own, for every kind of setting.
func TestMergeKnobs(t *testing.T) {
	got := Limits{Rate: 5, HaltFor: time.Second}.merge(Limits{Rate: 9, Burst: 3, HaltFor: time.Minute, ThrottleShare: 0.5})
	want := Limits{Rate: 5, Burst: 3, HaltFor: time.Second, ThrottleShare: 0.5}
	if got != want {
		t.Errorf("merge = %+v, want %+v", got, want)
	}
	var b BudgetConfig
	from, to := (&BudgetConfig{Disabled: true, Window: time.Minute}).knobs(), b.knobs()
	mergeKnobs(inUse(&to), inUse(&from))
	if !b.Disabled || b.Window != time.Minute || b.Ratio != 0 {
		t.Errorf("budget merge = %+v", b)
	}
}
