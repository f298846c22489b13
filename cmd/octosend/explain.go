package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// limitLines renders l as the client applies it: a zero field (not set in
// the config) shows the default of the package that uses it, marked
// "(default)".
func limitLines(l policy.Limits) []string {
	dflt := func(set bool) string {
		if set {
			return ""
		}
		return " (default)"
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

	rate := l.Rate
	if rate == 0 {
		rate = ratelimit.DefaultRate
	}
	burst, burstNote := l.Burst, ""
	switch {
	case burst > 0:
	case l.Rate == 0:
		burst, burstNote = ratelimit.DefaultBurst, " (default)"
	default:
		burst, burstNote = max(1, int(math.Ceil(l.Rate/10))), " (default: rate/10)"
	}
	ratio := l.BreakerFailureRatio
	if ratio == 0 {
		ratio = breaker.DefaultFailureRatio
	}
	minReq := l.BreakerMinRequests
	if minReq == 0 {
		minReq = breaker.DefaultMinRequests
	}
	consecutive := strconv.Itoa(client.DefaultConsecutive)
	if l.BreakerConsecutive > 0 {
		consecutive = strconv.Itoa(l.BreakerConsecutive)
	}
	openFor := l.BreakerOpenFor
	if openFor == 0 {
		openFor = breaker.DefaultOpenFor
	}
	window := l.BreakerWindow
	if window == 0 {
		window = breaker.DefaultWindow
	}
	haltFor := l.HaltFor
	if haltFor == 0 {
		haltFor = client.DefaultHaltCooldown
	}
	tWindow, t429s, tShare, dest429s, procTenants := l.Throttle()
	return []string{
		"rate limit: " + num(rate) + "/s" + dflt(l.Rate != 0) + ", burst " + strconv.Itoa(burst) + burstNote,
		"breaker: failure ratio " + num(ratio) + dflt(l.BreakerFailureRatio != 0) +
			", min requests " + strconv.Itoa(minReq) + dflt(l.BreakerMinRequests != 0) +
			", consecutive " + consecutive + dflt(l.BreakerConsecutive != 0) +
			", open for " + openFor.String() + dflt(l.BreakerOpenFor != 0) +
			", window " + window.String() + dflt(l.BreakerWindow != 0),
		"halted tenant (bad key, 403) stopped for " + haltFor.String() + dflt(l.HaltFor != 0),
		"429 scope: window " + tWindow.String() + dflt(l.ThrottleWindow != 0) +
			", " + strconv.Itoa(t429s) + " 429s" + dflt(l.Throttle429s != 0) +
			" at share " + num(tShare) + dflt(l.ThrottleShare != 0) + " pause the tenant, " +
			strconv.Itoa(dest429s) + dflt(l.Destination429s != 0) + " for one number hold it, " +
			strconv.Itoa(procTenants) + " tenants" + dflt(l.ProcessTenants != 0) + " throttled are the process's",
	}
}

// explain writes the effective settings and table of tenant ("" = the
// global ones); known is false for a tenant the config does not name
// (--fallback), which gets the global policy.
func explain(w io.Writer, p *policy.Policy, tenant string, known bool) error {
	who := "every tenant"
	switch {
	case tenant != "" && known:
		who = "tenant " + tenant
	case tenant != "":
		who = "tenant " + tenant + " (not in the config: the global policy)"
	}
	fmt.Fprintf(w, "# policy for %s: semantics %s, max attempts %d, attempt timeout %s, deadline %s\n",
		who, p.Semantics(tenant), p.Retry(tenant).MaxAttempts, p.AttemptTimeout(tenant), durationOrNone(p.Deadline(tenant)))
	for _, l := range limitLines(p.Limits(tenant)) {
		fmt.Fprintf(w, "# %s\n", l)
	}
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
