package harness

import (
	"fmt"
	"strings"
)

// peerWin is one metric on which a peer beats octosend.
type peerWin struct {
	name   string
	better func(peer, subject *Result) bool
	show   func(*Result) string
}

var peerWins = []peerWin{
	{"goodput", func(p, s *Result) bool { return p.Goodput > s.Goodput*1.05 },
		func(r *Result) string { return fmt.Sprintf("%.0f msg/s", r.Goodput) }},
	{"messages accepted", func(p, s *Result) bool { return p.Accepted > s.Accepted },
		func(r *Result) string { return fmt.Sprintf("%d", r.Accepted) }},
	{"messages undelivered", func(p, s *Result) bool { return p.Undelivered < s.Undelivered },
		func(r *Result) string { return fmt.Sprintf("%d", r.Undelivered) }},
	{"requests answered by the outage", func(p, s *Result) bool { return p.Outage < s.Outage },
		func(r *Result) string { return fmt.Sprintf("%d", r.Outage) }},
	{"requests per message", func(p, s *Result) bool { return p.Amplification < s.Amplification-0.005 },
		func(r *Result) string { return fmt.Sprintf("%.2f", r.Amplification) }},
	{"429s received", func(p, s *Result) bool { return p.Got429 < s.Got429 },
		func(r *Result) string { return fmt.Sprintf("%d", r.Got429) }},
	{"duplicates", func(p, s *Result) bool { return p.Duplicates < s.Duplicates },
		func(r *Result) string { return fmt.Sprintf("%d", r.Duplicates) }},
	{"p99 latency", func(p, s *Result) bool { return p.P99 < s.P99*95/100 },
		func(r *Result) string { return fmtDur(r.P99) }},
	{"p50 latency", func(p, s *Result) bool { return p.P50 < s.P50*95/100 },
		func(r *Result) string { return fmtDur(r.P50) }},
	{"allocations per message", func(p, s *Result) bool { return p.AllocsPerMsg < s.AllocsPerMsg*0.95 },
		func(r *Result) string { return fmt.Sprintf("%.0f", r.AllocsPerMsg) }},
	{"bytes per message", func(p, s *Result) bool { return p.BytesPerMsg < s.BytesPerMsg*0.95 },
		func(r *Result) string { return fmt.Sprintf("%.0f B", r.BytesPerMsg) }},
	{"CPU per message", func(p, s *Result) bool { return p.CPUPerMsg < s.CPUPerMsg*90/100 },
		func(r *Result) string { return fmtDur(r.CPUPerMsg) }},
}

func (r *Report) writePeerWins(b *strings.Builder) {
	fmt.Fprintf(b, "## Where a peer wins\n\n")
	fmt.Fprintf(b, "Every metric of this run on which some peer beats octosend with its defaults (goodput and latency by more than 5%%, "+
		"CPU by more than 10%%, allocations by more than 5%%; counts by any amount). "+
		"A peer that sends fewer requests because it gives up sooner shows up here too: read it with its `failed` column.\n\n")
	n := 0
	for _, sc := range r.Scenarios {
		s := r.result(sc.Name, Subject)
		if s == nil {
			continue
		}
		for _, pw := range peerWins {
			var who []string
			for _, p := range r.scenarioResults(sc.Name) {
				if !IsSubject(p.Driver) && pw.better(p, s) {
					who = append(who, fmt.Sprintf("`%s` %s", p.Driver, pw.show(p)))
				}
			}
			if len(who) > 0 {
				fmt.Fprintf(b, "- %s, %s: octosend %s; %s.\n", sc.Name, pw.name, pw.show(s), strings.Join(who, ", "))
				n++
			}
		}
	}
	if n == 0 {
		fmt.Fprintf(b, "No peer beats octosend on any metric in this run.\n")
	}
	fmt.Fprintf(b, "\n")
}
