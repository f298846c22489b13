package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"* 1002 InvalidMSISDN fail default permanent, fix the number (E.164 expected)",
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
