package policy

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// bigConfig writes tenants of the form line (with %d for the index) until
// the file nears MaxConfigSize; it returns the file and the tenant count.
func bigConfig(line func(i int) string) ([]byte, int) {
	var b strings.Builder
	b.WriteString("tenants:\n")
	n := 0
	for {
		l := line(n)
		if b.Len()+len(l) > MaxConfigSize {
			break
		}
		b.WriteString(l)
		n++
	}
	return []byte(b.String()), n
}

// TestParseLargeFileWithoutAliases: a legitimate file just under the size
// cap, with tens of thousands of tenants and no alias, parses. (Before
// aliases were counted on their own, every value counted against a
// 200,000 cap, and such files were refused.)
func TestParseLargeFileWithoutAliases(t *testing.T) {
	shapes := map[string]func(int) string{
		"limits": func(i int) string { return "  t-" + strconv.Itoa(100000+i) + ": {limits: {rate: 50}}\n" },
		"rule": func(i int) string {
			return "  t-" + strconv.Itoa(100000+i) + ": {rules: [{status: 500, action: fail}]}\n"
		},
		"mixed": func(i int) string {
			return "  t-" + strconv.Itoa(100000+i) + ": {retry: {max_attempts: 2}, limits: {rate: 9}}\n"
		},
		"four-rules": func(i int) string {
			return "  t" + strconv.Itoa(100000+i) + ": {rules: [{code: 1, action: ok}, {code: 2, action: ok}, {code: 3, action: ok}, {code: 4, action: ok}]}\n"
		},
	}
	for name, line := range shapes {
		t.Run(name, func(t *testing.T) {
			data, n := bigConfig(line)
			cfg, err := Parse("big.yaml", data)
			if err != nil {
				t.Fatalf("Parse(%d bytes, %d tenants, no aliases) = %v", len(data), n, err)
			}
			if len(cfg.Tenants) != n {
				t.Errorf("got %d tenants, want %d", len(cfg.Tenants), n)
			}
		})
	}
}

// aliasedRules is a file whose first tenant writes a list of `rules`
// rules under an anchor and whose other aliases tenants repeat it: each
// alias adds 5*rules values (a rule is a mapping with two keys and two
// values; the list node is replaced by the alias).
func aliasedRules(rules, aliases int) []byte {
	var b strings.Builder
	b.WriteString("tenants:\n  t-anchor:\n    rules: &r\n")
	for i := range rules {
		b.WriteString("      - {status: " + strconv.Itoa(400+i) + ", action: fail}\n")
	}
	for i := range aliases {
		b.WriteString("  t-" + strconv.Itoa(100000+i) + ": {rules: *r}\n")
	}
	return []byte(b.String())
}

// TestParseAliasLimitCountsWhatAliasesAdd pins the limit to the values
// aliases add: exactly MaxAliasValues passes, one alias more does not.
func TestParseAliasLimitCountsWhatAliasesAdd(t *testing.T) {
	const rules = 20 // each alias adds 100 values
	ok := MaxAliasValues / (5 * rules)
	if _, err := Parse("at-limit.yaml", aliasedRules(rules, ok)); err != nil {
		t.Fatalf("Parse(aliases adding exactly %d values) = %v", MaxAliasValues, err)
	}
	_, err := Parse("over.yaml", aliasedRules(rules, ok+1))
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "aliases expand to over") {
		t.Fatalf("Parse(aliases adding %d values) = %v, want the alias limit", MaxAliasValues+5*rules, err)
	}
	wantLine := 3 + rules + ok + 1 // the alias that crosses the limit
	if ce.File != "over.yaml" || ce.Line != wantLine {
		t.Errorf("error at %s:%d, want over.yaml:%d", ce.File, ce.Line, wantLine)
	}
}

// TestParseAliasBombBounded: nested anchors that each double the last
// ("billion laughs") would expand to 2^60 values; Parse refuses them in
// time and memory proportional to the file, not the expansion.
func TestParseAliasBombBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n  - &a0 {status: 500, action: fail}\n")
	for i := 1; i <= 60; i++ {
		b.WriteString("  - &a" + strconv.Itoa(i) + " [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]\n")
	}
	b.WriteString("tenants: {t-1: {rules: *a60}}\n")
	data := []byte(b.String())
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err := Parse("bomb.yaml", data)
	runtime.ReadMemStats(&m1)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "aliases expand to over") {
		t.Fatalf("Parse(billion laughs) = %v, want the alias limit", err)
	}
	if got := m1.TotalAlloc - m0.TotalAlloc; got > 1<<20 {
		t.Errorf("refusing a %d-byte bomb allocated %d bytes, want under 1 MiB", len(data), got)
	}
	if got := m1.Mallocs - m0.Mallocs; got > 10_000 {
		t.Errorf("refusing a %d-byte bomb made %d allocations, want under 10,000", len(data), got)
	}
}

// TestParseAliasBombWide is the older shape: one 20-rule list repeated by
// 20,000 aliases (2,000,000 values).
func TestParseAliasBombWide(t *testing.T) {
	_, err := Parse("bomb.yaml", aliasedRules(20, 20000))
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "aliases expand to over") {
		t.Fatalf("Parse(alias bomb) = %v, want the alias limit", err)
	}
}

// TestParseAliasCycle: yaml.v3 lets an anchored value contain an alias to
// itself; that is an error naming the alias, not an endless value.
func TestParseAliasCycle(t *testing.T) {
	for _, in := range []string{
		"rules: &t [*t]\n",
		"tenants: &t {aaa: *t}\n",
		"tenants:\n  aaa: &t\n    rules: [{status: 500, action: fail, reason: *t}]\n",
	} {
		_, err := Parse("cycle.yaml", []byte(in))
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "alias *t refers to a value that contains it") || ce.Line == 0 {
			t.Errorf("Parse(%q) = %v, want the cycle named with its line", in, err)
		}
	}
}

// TestParseAliasesStillWork: ordinary aliases decode as before.
func TestParseAliasesStillWork(t *testing.T) {
	cfg, err := Parse("a.yaml", aliasedRules(2, 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tenants) != 4 {
		t.Fatalf("got %d tenants, want 4", len(cfg.Tenants))
	}
	for name, tn := range cfg.Tenants {
		if len(tn.Rules) != 2 || tn.Rules[1].Status != 401 {
			t.Errorf("tenant %s rules = %+v", name, tn.Rules)
		}
	}
}
