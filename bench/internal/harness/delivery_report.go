package harness

import (
	"fmt"
	"slices"
	"strings"
)

// QuotaShare is the share of the emulator's quota octosend's goodput must
// reach in a GoalQuota scenario.
const QuotaShare = 0.90

// deliveryBest returns the peer that left the fewest messages undelivered
// in a scenario (ties: higher goodput), or nil when no peer ran.
func (r *Report) deliveryBest(scenario string) *Result {
	var best *Result
	for _, res := range r.scenarioResults(scenario) {
		if IsSubject(res.Driver) {
			continue
		}
		if best == nil || res.Undelivered < best.Undelivered ||
			(res.Undelivered == best.Undelivered && res.Goodput > best.Goodput) {
			best = res
		}
	}
	return best
}

// fewest429 returns the peer with the fewest 429s in a scenario, or nil.
func (r *Report) fewest429(scenario string) *Result {
	var best *Result
	for _, res := range r.scenarioResults(scenario) {
		if !IsSubject(res.Driver) && (best == nil || res.Got429 < best.Got429) {
			best = res
		}
	}
	return best
}

// bestBreakerPeer returns the breaker peer (BreakerPeers) whose run put
// the fewest requests on the outage, or nil.
func (r *Report) bestBreakerPeer(scenario string) *Result {
	var best *Result
	for _, res := range r.scenarioResults(scenario) {
		if slices.Contains(BreakerPeers, res.Driver) && (best == nil || res.Outage < best.Outage) {
			best = res
		}
	}
	return best
}

// writeDeliveryTargets writes, for every scenario and octosend
// configuration, the targets of issue 12: undelivered no more than the best
// peer's, nothing lost or misreported, and the scenario's Goals.
func (r *Report) writeDeliveryTargets(b *strings.Builder) bool {
	any := false
	for _, sc := range r.Scenarios {
		best := r.deliveryBest(sc.Name)
		for _, o := range r.subjects(sc.Name) {
			var parts []string
			if best != nil {
				p := fmt.Sprintf("undelivered %d of %d against %d for the best peer, `%s` (target no more): %s",
					o.Undelivered, o.Messages, best.Undelivered, best.Driver, verdict(o.Undelivered <= best.Undelivered))
				if o.Undelivered > best.Undelivered && len(o.Causes) > 0 {
					p += " (octosend's failures: " + fmtCauses(o.Causes) + ")"
				}
				parts = append(parts, p)
			}
			parts = append(parts, fmt.Sprintf("lost %d, misreported %d (target 0): %s",
				o.Lost, o.Misreported, verdict(o.Lost == 0 && o.Misreported == 0)))
			if sc.Goals&GoalGoodput != 0 && best != nil {
				ratio := 0.0
				if best.Goodput > 0 {
					ratio = o.Goodput / best.Goodput
				}
				parts = append(parts, fmt.Sprintf("goodput %.0f msg/s against `%s`'s %.0f, %.2f× (target at least 1×, aim 1.5×): %s",
					o.Goodput, best.Driver, best.Goodput, ratio, verdict(o.Goodput >= best.Goodput)))
			}
			if sc.Goals&GoalQuota != 0 && sc.Setup.Rate > 0 {
				share := o.Goodput / sc.Setup.Rate
				parts = append(parts, fmt.Sprintf("goodput %.0f msg/s, %.0f%% of the %.0f/s quota (target at least %.0f%%): %s",
					o.Goodput, 100*share, sc.Setup.Rate, 100*QuotaShare, verdict(share >= QuotaShare)))
				if o.SteadyGoodput > 0 {
					parts = append(parts, fmt.Sprintf("after the first %s (the controller's convergence): %.0f msg/s, %.0f%% of the quota",
						fmtDur(SteadyAfter), o.SteadyGoodput, 100*o.SteadyGoodput/sc.Setup.Rate))
				}
				if f := r.fewest429(sc.Name); f != nil {
					parts = append(parts, fmt.Sprintf("%d 429s (%.1f%% of %d requests) against the fewest of any peer, `%s`'s %d (target fewer): %s",
						o.Got429, pct(o.Got429, o.Requests), o.Requests, f.Driver, f.Got429, verdict(o.Got429 < f.Got429)))
				}
			}
			if sc.Goals&GoalOutage != 0 {
				if bp := r.bestBreakerPeer(sc.Name); bp != nil {
					parts = append(parts, fmt.Sprintf("%d requests answered by the outage against %d for the best breaker peer, `%s` (target no more): %s",
						o.Outage, bp.Outage, bp.Driver, verdict(o.Outage <= bp.Outage)))
				}
			}
			fmt.Fprintf(b, "- %s, `%s`: %s.\n", sc.Name, o.Driver, strings.Join(parts, "; "))
			any = true
		}
	}
	return any
}

// pct returns 100*n/of, 0 when of is 0.
func pct(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
