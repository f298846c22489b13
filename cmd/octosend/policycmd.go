package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/octosend/octosend/policy"
)

const policyUsage = `Usage:
  octosend policy explain [--config FILE] [--tenant T [--fallback]]
  octosend policy check FILE

explain prints the effective policy: semantics, attempts, timeouts, the rate
limit, breaker and 429 settings (the built-in default values filled in and
marked "default"), and the table: for every HTTP status, API code and
transport failure, the action the client takes and why, with where the rule
comes from (default, config, tenant:T). Without --config it shows the
built-in policy; with --tenant, that tenant's overrides applied. A tenant the
config does not name is an error (exit 2) unless --fallback asks for the
global policy such a tenant gets.

check validates a policy file (YAML or JSON) and reports every problem, up to
20, one per line, each naming the file, line and key, e.g.
"policy: p.yaml:12: rules[3].action: unknown action". Exit status: 0 valid,
2 invalid or unreadable.
`

func (c *cli) policy(_ context.Context, args []string) int {
	if len(args) == 0 {
		return c.usageErr("policy", "want a subcommand: explain or check")
	}
	switch args[0] {
	case "explain":
		return c.policyExplain(args[1:])
	case "check":
		return c.policyCheck(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.stdout, policyUsage)
		return exitOK
	}
	return c.usageErr("policy", "unknown subcommand %q (want explain or check)", args[0])
}

func (c *cli) policyCheck(args []string) int {
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	pos, err := c.parseFlags(fs, policyUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) != 1 {
		return c.usageErr("policy check", "want exactly one FILE")
	}
	if err := policy.CheckFile(pos[0], policy.DefaultMaxProblems); err != nil {
		var all *policy.ConfigErrors
		if !errors.As(err, &all) {
			fmt.Fprintln(c.stderr, err)
			return exitUsage
		}
		for _, e := range all.Errs {
			fmt.Fprintln(c.stderr, e)
		}
		if all.More {
			fmt.Fprintf(c.stderr, "policy: %s: more problems not shown (the first %d are)\n", pos[0], len(all.Errs))
		}
		return exitUsage
	}
	p, err := policy.Load(pos[0])
	if err != nil { // CheckFile accepted it, so only a changed file gets here
		fmt.Fprintln(c.stderr, err)
		return exitUsage
	}
	cfg := p.Config()
	fmt.Fprintf(c.stdout, "%s: ok (%d rules, %d tenants)\n", pos[0], len(cfg.Rules), len(cfg.Tenants))
	return exitOK
}

func (c *cli) policyExplain(args []string) int {
	fs := flag.NewFlagSet("policy explain", flag.ContinueOnError)
	config := fs.String("config", "", "")
	tenant := fs.String("tenant", "", "")
	fallback := fs.Bool("fallback", false, "")
	pos, err := c.parseFlags(fs, policyUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) > 0 {
		return c.usageErr("policy explain", "unexpected argument %q", pos[0])
	}
	p := policy.Default()
	if *config != "" {
		if p, err = policy.Load(*config); err != nil {
			fmt.Fprintln(c.stderr, err)
			return exitUsage
		}
	}
	if *fallback && *tenant == "" {
		return c.usageErr("policy explain", "--fallback needs --tenant")
	}
	known := *tenant == "" || slices.Contains(p.Tenants(), *tenant)
	if !known && !*fallback {
		where := "the built-in policy has no tenants (no --config)"
		if *config != "" {
			where = *config + " names no tenant " + strconv.Quote(*tenant)
			if ts := p.Tenants(); len(ts) > 0 {
				where += " (it names " + strings.Join(ts, ", ") + ")"
			}
		}
		return c.fail("policy explain", exitUsage, fmt.Errorf("unknown tenant %q: %s; add --fallback to see the global policy such a tenant gets", *tenant, where))
	}
	if err := explain(c.stdout, p, *tenant, known); err != nil {
		return c.fail("policy explain", exitFailed, err)
	}
	return exitOK
}
