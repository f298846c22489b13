package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/octosend/octosend/policy"
)

const policyUsage = `Usage:
  octosend policy explain [--config FILE] [--tenant T]
  octosend policy check FILE

explain prints the effective policy table: for every HTTP status, API code
and transport failure, the action the client takes and why, with where the
rule comes from (default, config, tenant:T). Without --config it shows the
built-in defaults; with --tenant, that tenant's overrides applied.

check validates a policy file (YAML or JSON). Errors name the file, line and
key, e.g. "policy: p.yaml:12: rules[3].action: unknown action". Exit status:
0 valid, 2 invalid or unreadable.
`

func (c *cli) policy(_ context.Context, args []string) int {
	if len(args) == 0 {
		return c.usageErr("policy", policyUsage, "want a subcommand: explain or check")
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
	return c.usageErr("policy", policyUsage, "unknown subcommand %q (want explain or check)", args[0])
}

func (c *cli) policyCheck(args []string) int {
	fs := flag.NewFlagSet("policy check", flag.ContinueOnError)
	pos, err := c.parseFlags(fs, policyUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) != 1 {
		return c.usageErr("policy check", policyUsage, "want exactly one FILE")
	}
	p, err := policy.Load(pos[0])
	if err != nil {
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
	pos, err := c.parseFlags(fs, policyUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) > 0 {
		return c.usageErr("policy explain", policyUsage, "unexpected argument %q", pos[0])
	}
	p := policy.Default()
	if *config != "" {
		if p, err = policy.Load(*config); err != nil {
			fmt.Fprintln(c.stderr, err)
			return exitUsage
		}
	}
	if err := explain(c.stdout, p, *tenant); err != nil {
		return c.fail("policy explain", exitFailed, err)
	}
	return exitOK
}

// explain writes the effective settings and table of tenant ("" = the
// global ones).
func explain(w io.Writer, p *policy.Policy, tenant string) error {
	who := "every tenant"
	if tenant != "" {
		who = "tenant " + tenant
	}
	lim := p.Limits(tenant)
	fmt.Fprintf(w, "# policy for %s: semantics %s, max attempts %d, attempt timeout %s, deadline %s\n",
		who, p.Semantics(tenant), p.Retry(tenant).MaxAttempts, p.AttemptTimeout(tenant), durationOrNone(p.Deadline(tenant)))
	fmt.Fprintf(w, "# limits (0 = package default): rate %g/s burst %d; breaker: failure ratio %g, min requests %d, consecutive %d, open for %s, window %s\n",
		lim.Rate, lim.Burst, lim.BreakerFailureRatio, lim.BreakerMinRequests,
		lim.BreakerConsecutive, lim.BreakerOpenFor, lim.BreakerWindow)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCODE\tNAME\tACTION\tSOURCE\tREASON")
	for _, e := range p.Table(tenant) {
		status, code, name := entryColumns(&e)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", status, code, name, e.Action, e.Source, entryReason(&e))
	}
	return tw.Flush()
}

// entryColumns renders the match of e as the STATUS, CODE and NAME columns.
func entryColumns(e *policy.Entry) (status, code, name string) {
	match := e.Match() // "503 Service Unavailable", "1002 InvalidMSISDN", "500/2000 InternalError", "5xx"
	if e.Status == 0 && e.StatusClass == "" && e.Code == 0 {
		return "-", "-", match
	}
	status, code, name = "*", "-", "-"
	switch {
	case e.Status != 0:
		status = strconv.Itoa(e.Status)
	case e.StatusClass != "":
		status = e.StatusClass
	}
	if e.Code != 0 {
		code = strconv.Itoa(int(e.Code))
	}
	if _, rest, ok := strings.Cut(match, " "); ok {
		name = rest
	}
	return status, code, name
}

// entryReason is the entry's reason without the match it starts with
// (the table shows the match in its own columns).
func entryReason(e *policy.Entry) string {
	if r, ok := strings.CutPrefix(e.Reason, e.Match()+": "); ok {
		return r
	}
	return e.Reason
}

func durationOrNone(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return d.String()
}
