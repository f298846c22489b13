package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

func TestPolicyCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("semantics: at_most_once\nrules:\n  - status: 503\n    action: retry\n    reason: r\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("retry:\n  max_attempts: 5\nrules:\n  - status: 500\n    action: retyr\n"), 0o644)
	tests := []struct {
		args       []string
		want       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"policy", "check", good}, exitOK, "good.yaml: ok (1 rules, 0 tenants)", ""},
		{[]string{"policy", "check", "../../examples/policy.yaml"}, exitOK, ": ok", ""},
		{[]string{"policy", "check", bad}, exitUsage, "", "bad.yaml:5: rules[0].action"},
		{[]string{"policy", "check", filepath.Join(dir, "missing.yaml")}, exitUsage, "", "missing.yaml"},
		{[]string{"policy", "check"}, exitUsage, "", "want exactly one FILE"},
		{[]string{"policy"}, exitUsage, "", "want a subcommand"},
		{[]string{"policy", "frob"}, exitUsage, "", `unknown subcommand "frob"`},
		{[]string{"policy", "explain", "--config", bad}, exitUsage, "", "bad.yaml:5"},
	}
	for _, tt := range tests {
		c, out, errb := testCLI(nil)
		if got := c.run(context.Background(), tt.args); got != tt.want {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tt.args, got, tt.want, errb)
		}
		if !strings.Contains(out.String(), tt.wantStdout) || !strings.Contains(errb.String(), tt.wantStderr) {
			t.Errorf("%q: stdout %q stderr %q; want %q / %q", tt.args, out, errb, tt.wantStdout, tt.wantStderr)
		}
	}
}

func TestPolicyExplain(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yaml")
	os.WriteFile(cfg, []byte("tenants:\n  acme-otp:\n    semantics: at_most_once\n    rules:\n      - code: 1002\n        action: halt\n        reason: numbers come from a broken import\n"), 0o644)
	c, out, errb := testCLI(nil)
	if code := c.run(context.Background(), []string{"policy", "explain"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	rows := map[string]bool{}
	for _, l := range strings.Split(out.String(), "\n") {
		rows[strings.Join(strings.Fields(l), " ")] = true
	}
	for _, want := range []string{
		"STATUS CODE NAME ACTION SOURCE REASON",
		"* 1002 InvalidMSISDN fail default permanent, fix the number (E.164 expected); proves earlier attempts were refused too (clears Ambiguous)",
	} {
		if !rows[want] {
			t.Errorf("explain lacks row %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"429 - Too Many Requests backoff default", "- - transport reset retry default", "5xx - - trip default"} {
		found := false
		for r := range rows {
			found = found || strings.HasPrefix(r, want)
		}
		if !found {
			t.Errorf("explain lacks a row starting %q", want)
		}
	}

	c, out, _ = testCLI(nil)
	if code := c.run(context.Background(), []string{"policy", "explain", "--config", cfg, "--tenant", "acme-otp"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	if !strings.Contains(got, "tenant acme-otp: semantics at_most_once") {
		t.Errorf("explain --tenant lacks the tenant's semantics:\n%s", got)
	}
	var row string
	for _, l := range strings.Split(got, "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[1] == "1002" && f[4] == "tenant:acme-otp" {
			row = l
		}
	}
	if !strings.Contains(row, "halt") || !strings.Contains(row, "numbers come from a broken import") {
		t.Errorf("explain --tenant: no tenant row for 1002 (got %q)\n%s", row, got)
	}
}

func TestPolicyCheckReportsAll(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "three.yaml")
	os.WriteFile(bad, []byte("retry:\n  max_attempts: 50\nlimits:\n  rate: 0\nrules:\n  - status: 500\n    action: retyr\n"), 0o644)
	c, out, errb := testCLI(nil)
	if code := c.run(context.Background(), []string{"policy", "check", bad}); code != exitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	want := []string{"three.yaml:2: retry.max_attempts", "three.yaml:4: limits.rate", "three.yaml:7: rules[0].action"}
	if len(lines) != len(want) || out.Len() != 0 {
		t.Fatalf("stderr has %d lines, want %d (one per problem):\n%s", len(lines), len(want), errb)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d: %q, want it to name %q", i+1, lines[i], w)
		}
	}

	// Bounded: a file with 60 problems prints 20 and says there are more.
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range 60 {
		fmt.Fprintf(&b, "  - status: %d\n    action: nope\n", 400+i)
	}
	many := filepath.Join(t.TempDir(), "many.yaml")
	os.WriteFile(many, []byte(b.String()), 0o644)
	c, _, errb = testCLI(nil)
	if code := c.run(context.Background(), []string{"policy", "check", many}); code != exitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	lines = strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 21 || !strings.Contains(lines[20], "more problems not shown") {
		t.Errorf("want 20 problems and a last line saying more exist, got %d lines:\n%s", len(lines), errb)
	}
}

func TestPolicyExplainTenant(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(cfg, []byte("tenants:\n  acme-otp:\n    limits:\n      rate: 200\n"), 0o644)
	tests := []struct {
		args       []string
		want       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"--config", cfg, "--tenant", "nosuch"}, exitUsage, "", `unknown tenant "nosuch"`},
		{[]string{"--config", cfg, "--tenant", "nosuch"}, exitUsage, "", "it names acme-otp"},
		{[]string{"--tenant", "nosuch"}, exitUsage, "", "no tenants"},
		{[]string{"--config", cfg, "--tenant", "nosuch", "--fallback"}, exitOK, "tenant nosuch (not in the config: the global policy)", ""},
		{[]string{"--config", cfg, "--tenant", "nosuch", "--fallback"}, exitOK, "rate limit: 1700/s (default)", ""},
		{[]string{"--config", cfg, "--tenant", "acme-otp"}, exitOK, "rate limit: 200/s, burst 20 (default: rate/10)", ""},
		{[]string{"--fallback"}, exitUsage, "", "--fallback needs --tenant"},
	}
	for _, tt := range tests {
		c, out, errb := testCLI(nil)
		args := append([]string{"policy", "explain"}, tt.args...)
		if got := c.run(context.Background(), args); got != tt.want {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, got, tt.want, errb)
		}
		if !strings.Contains(out.String(), tt.wantStdout) || !strings.Contains(errb.String(), tt.wantStderr) {
			t.Errorf("%q: stdout %q stderr %q; want %q / %q", args, out, errb, tt.wantStdout, tt.wantStderr)
		}
	}
}

// TestPolicyExplainDefaults: without a config, explain shows the values
// the client really uses, not the zeros that mean "default".
func TestPolicyExplainDefaults(t *testing.T) {
	c, out, _ := testCLI(nil)
	if code := c.run(context.Background(), []string{"policy", "explain"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	for _, want := range []string{
		fmt.Sprintf("rate limit: %d/s (default), burst %d (default)", ratelimit.DefaultRate, ratelimit.DefaultBurst),
		fmt.Sprintf("failure ratio %g (default), min requests %d (default)", breaker.DefaultFailureRatio, breaker.DefaultMinRequests),
		"open for " + breaker.DefaultOpenFor.String() + " (default), window " + breaker.DefaultWindow.String() + " (default)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain lacks %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"rate 0/s", "burst 0", "ratio 0,", " 0s"} {
		if strings.Contains(got, bad) {
			t.Errorf("explain shows a zero (%q) instead of a default:\n%s", bad, got)
		}
	}
}

// TestExamplePolicyZeroComment: examples/policy.yaml must not promise that
// a limit of 0 means the default when the loader rejects it.
func TestExamplePolicyZeroComment(t *testing.T) {
	data, err := os.ReadFile("../../examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, perr := policy.Parse("p.yaml", []byte("limits:\n  rate: 0\n"))
	if perr == nil {
		t.Fatal("the loader now accepts limits.rate: 0; say so in examples/policy.yaml and change this test")
	}
	for i, l := range strings.Split(string(data), "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(l), "#"); ok && (strings.Contains(c, "0 or missing") || strings.Contains(c, "0 means the default") || strings.Contains(c, "0 = default")) {
			t.Errorf("examples/policy.yaml:%d says 0 means the default, but the loader rejects 0 (%v): %s", i+1, perr, l)
		}
	}
	if !strings.Contains(string(data), "0 is an error") {
		t.Errorf("examples/policy.yaml does not say that 0 is an error")
	}
}
