package harness

import (
	"context"
	"slices"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/bench/internal/emuproc"
)

// RunScenario runs scenario sc for every driver of specs and returns one
// Result per driver, in specs order. With sc.Rounds > 1 the workload is
// split into that many rounds, the drivers take turns round by round (in
// an order rotated each round), and each driver's rounds are merged: a
// burst of noise from other processes on the machine then hits every
// driver alike instead of one. progress, when not nil, is called after each
// driver's last round.
//
// The Goodput of a merged result is the median of its rounds' goodputs: a
// pause of the whole machine during one round (other tenants of a shared
// box) then moves no driver's figure much.
func RunScenario(ctx context.Context, p *emuproc.Proc, specs []drivers.Spec, sc Scenario, o Options, progress func(Result)) ([]Result, error) {
	rounds := max(1, sc.Rounds)
	total := sc.messages(o.Messages)
	per := max(1, total/rounds)
	results := make([]Result, len(specs))
	lats := make([][]time.Duration, len(specs))
	goodputs := make([][]float64, len(specs))
	for r := range rounds {
		n := per
		if r == rounds-1 {
			n = total - per*(rounds-1)
		}
		for k := range specs {
			i := (k + r) % len(specs)
			res, l, err := runOnce(ctx, p, specs[i], sc, o, n)
			if err != nil {
				return nil, err
			}
			if r == 0 {
				results[i] = res
			} else {
				results[i] = merge(results[i], res)
			}
			lats[i] = append(lats[i], l...)
			goodputs[i] = append(goodputs[i], res.Goodput)
			if r == rounds-1 {
				results[i].P50, results[i].P99 = quantiles(lats[i])
				results[i].Goodput = median(goodputs[i])
				if rounds > 1 {
					results[i].GoodputLow, results[i].GoodputHigh = goodputs[i][0], goodputs[i][len(goodputs[i])-1]
				}
				if progress != nil {
					progress(results[i])
				}
			}
		}
	}
	return results, nil
}

// merge adds round b to the accumulated result a. Rates and per-message
// figures are recomputed from the sums; latency quantiles are left to the
// caller, which has the raw latencies.
func merge(a, b Result) Result {
	n := a.Messages + b.Messages
	out := a
	out.Messages = n
	out.Wall = a.Wall + b.Wall
	out.Accepted += b.Accepted
	out.Failed += b.Failed
	out.Permanent += b.Permanent
	out.NoOutcome += b.NoOutcome
	out.Confirmed += b.Confirmed
	out.Goodput = float64(out.Confirmed) / out.Wall.Seconds()
	out.Requests += b.Requests
	out.Amplification = float64(out.Requests) / float64(n)
	out.Wasted += b.Wasted
	out.Got429 += b.Got429
	out.Got5xx += b.Got5xx
	out.Outage += b.Outage
	out.Duplicates += b.Duplicates
	out.Lost += b.Lost
	out.FailedDelivered += b.FailedDelivered
	out.Undelivered += b.Undelivered
	out.NotSent += b.NotSent
	out.Misreported += b.Misreported
	if len(b.Causes) > 0 {
		causes := make(map[string]int, len(a.Causes)+len(b.Causes))
		for k, v := range a.Causes {
			causes[k] += v
		}
		for k, v := range b.Causes {
			causes[k] += v
		}
		out.Causes = causes
	}
	wa, wb := float64(a.Messages)/float64(n), float64(b.Messages)/float64(n)
	out.AllocsPerMsg = a.AllocsPerMsg*wa + b.AllocsPerMsg*wb
	out.BytesPerMsg = a.BytesPerMsg*wa + b.BytesPerMsg*wb
	out.CPUPerMsg = time.Duration(float64(a.CPUPerMsg)*wa + float64(b.CPUPerMsg)*wb)
	return out
}

// Warmup sends a few hundred clean messages through every driver, not
// recorded, so that the first measured run does not pay for the child's
// and this process's cold start (page faults, heap growth, first dials).
func Warmup(ctx context.Context, p *emuproc.Proc, specs []drivers.Spec, o Options) error {
	sc := Scenario{Name: "warmup"}
	for _, spec := range specs {
		if _, _, err := runOnce(ctx, p, spec, sc, o, 300); err != nil {
			return err
		}
	}
	return nil
}

// median returns the median of xs, which it sorts; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}
