package harness

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/bench/internal/emuproc"
	"github.com/octosend/octosend/emulator"
)

// Options are the settings shared by every run.
type Options struct {
	Messages    int // base message count (scaled per scenario)
	Concurrency int // sending goroutines
	Settings    drivers.Settings
	APIKey      string
	SubAccount  string
}

// DefaultOptions returns the settings of `go run ./bench/cmd/compare`.
func DefaultOptions() Options {
	return Options{
		Messages:    3000,
		Concurrency: 32,
		Settings:    drivers.DefaultSettings(),
		APIKey:      "bench-key",
		SubAccount:  "bench_acme",
	}
}

// Result is the accounting of one driver in one scenario.
type Result struct {
	Scenario, Driver string
	Messages         int
	Wall             time.Duration

	Accepted  int // the driver reported accepted
	Failed    int // the driver reported failure
	Permanent int // failures whose final answer was 1002 or 3038
	NoOutcome int // messages the driver never reported on

	// Confirmed counts messages reported accepted and present in the
	// ledger; Goodput is Confirmed per second of wall time.
	Confirmed int
	Goodput   float64
	// GoodputLow and GoodputHigh are the lowest and highest goodput of
	// the rounds, when the scenario ran in rounds (else both 0).
	GoodputLow, GoodputHigh float64
	// Requests is what the emulator received; Amplification is Requests
	// per message.
	Requests      int64
	Amplification float64
	// Wasted counts requests for messages whose final answer was 1002 /
	// 3038 that came after the first such answer (permanent: retrying
	// cannot help).
	Wasted int
	// Got429 counts 429 answers; Got5xx 500/503 answers.
	Got429, Got5xx int64
	// Outage counts requests answered by the outage window.
	Outage int64
	// Duplicates is the ledger's extra acceptances (sum of count-1).
	Duplicates int
	// Lost counts messages reported accepted but absent from the ledger,
	// plus messages with no outcome.
	Lost int
	// Undelivered counts messages the ledger does not confirm as
	// delivered and reported: Messages - Confirmed (refused numbers, give-
	// ups, messages past the scenario's deadline).
	Undelivered int
	// NotSent counts messages never handed to the driver because the
	// scenario's deadline had passed (they count as failed and
	// undelivered, with the cause CauseNotSent).
	NotSent int
	// Misreported counts messages reported failed, without the driver's
	// Ambiguous flag, that the ledger holds (Lost covers the other way
	// round).
	Misreported int
	// Causes counts the failed messages by Outcome.Why.
	Causes map[string]int
	// FailedDelivered counts messages reported failed that the ledger has
	// (an accepted-then-500 the driver gave up on).
	FailedDelivered int

	P50, P99 time.Duration // per-message latency, from Send's start to its return

	// SteadyGoodput is the goodput once the first SteadyAfter of the run
	// are over: messages reported accepted that returned after it, per
	// second of the rest of the run (0 for a run shorter than twice
	// SteadyAfter). In a quota scenario it is the rate the driver holds
	// once it has found the quota, apart from what finding it cost.
	SteadyGoodput float64

	AllocsPerMsg, BytesPerMsg float64       // runtime.MemStats deltas / messages
	CPUPerMsg                 time.Duration // user+system CPU of this process / messages
}

// Run sends scenario sc's workload through the driver of spec against the
// emulator child p and accounts for every message.
func Run(ctx context.Context, p *emuproc.Proc, spec drivers.Spec, sc Scenario, o Options) (Result, error) {
	res, _, err := runOnce(ctx, p, spec, sc, o, sc.messages(o.Messages))
	return res, err
}

// runOnce is Run for n messages; it also returns the latencies of the
// messages that finished.
func runOnce(ctx context.Context, p *emuproc.Proc, spec drivers.Spec, sc Scenario, o Options, n int) (Result, []time.Duration, error) {
	res := Result{Scenario: sc.Name, Driver: spec.Name}
	msgs := Workload(n, sc.BadEvery)
	res.Messages = n

	setup := sc.Setup
	setup.APIKey = o.APIKey
	if err := p.Setup(ctx, setup); err != nil {
		return res, nil, err
	}
	settings := o.Settings
	if sc.Rate > 0 {
		settings.Rate, settings.Burst = sc.Rate, sc.Burst
	}
	d, err := spec.New(drivers.Env{
		BaseURL: p.URL(), APIKey: o.APIKey, SubAccount: o.SubAccount,
		Transport: drivers.NewTransport(), Settings: settings,
	})
	if err != nil {
		return res, nil, fmt.Errorf("harness: %s: %w", spec.Name, err)
	}
	concurrency := o.Concurrency
	if sc.Concurrency > 0 {
		concurrency = sc.Concurrency
	}
	outs := make([]drivers.Outcome, n)
	lats := make([]time.Duration, n)
	ends := make([]time.Duration, n) // since start
	done := make([]bool, n)
	skipped := make([]bool, n) // never handed to the driver: past the deadline
	next := make(chan int, concurrency)
	var wg sync.WaitGroup

	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start := time.Now()
	sendCtx := ctx
	if sc.Deadline > 0 {
		var cancel context.CancelFunc
		sendCtx, cancel = context.WithDeadline(ctx, start.Add(sc.Deadline))
		defer cancel()
	}

	for range concurrency {
		wg.Go(func() {
			for i := range next {
				if sendCtx.Err() != nil && ctx.Err() == nil {
					// Queued before the deadline, taken after it.
					outs[i] = drivers.Outcome{Err: sendCtx.Err(), Cause: CauseNotSent}
					done[i], skipped[i] = true, true
					continue
				}
				t := time.Now()
				outs[i] = d.Send(sendCtx, msgs[i])
				lats[i] = time.Since(t)
				ends[i] = time.Since(start)
				done[i] = true
			}
		})
	}
	dispatch(sendCtx, next, start, sc.Duration, n)
	close(next)
	wg.Wait()
	if ctx.Err() == nil {
		// The deadline passed with messages still queued: they count as
		// undelivered, not as lost.
		for i := range msgs {
			if !done[i] {
				outs[i] = drivers.Outcome{Err: sendCtx.Err(), Cause: CauseNotSent}
				done[i], skipped[i] = true, true
			}
			if skipped[i] {
				res.NotSent++
			}
		}
	}

	res.Wall = time.Since(start)
	cpu1 := cpuTime()
	runtime.ReadMemStats(&ms1)
	_ = d.Close()

	rep, err := p.Report(ctx)
	if err != nil {
		return res, nil, err
	}
	account(&res, msgs, outs, done, rep)
	if sc.Setup.OutageFor > 0 {
		res.Outage = rep.Stats.Faults[emulator.Fault503] // no random 503s in an outage scenario
	}
	finished := lats[:0]
	for i, d := range lats {
		if done[i] && !skipped[i] {
			finished = append(finished, d)
		}
	}
	res.P50, res.P99 = quantiles(finished)
	res.SteadyGoodput = steadyGoodput(outs, ends, done, skipped, res.Wall)
	res.AllocsPerMsg = float64(ms1.Mallocs-ms0.Mallocs) / float64(n)
	res.BytesPerMsg = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(n)
	res.CPUPerMsg = (cpu1 - cpu0) / time.Duration(n)
	return res, finished, ctx.Err()
}

// SteadyAfter is how much of a run SteadyGoodput leaves out: the "few
// seconds" within which issue 12 asks the rate controller to converge on
// a quota.
const SteadyAfter = 2 * time.Second

func steadyGoodput(outs []drivers.Outcome, ends []time.Duration, done, skipped []bool, wall time.Duration) float64 {
	if wall < 2*SteadyAfter {
		return 0
	}
	n := 0
	for i := range outs {
		if done[i] && !skipped[i] && outs[i].Err == nil && ends[i] >= SteadyAfter {
			n++
		}
	}
	return float64(n) / (wall - SteadyAfter).Seconds()
}

// CauseNotSent is the failure cause of a message the harness never handed
// to the driver because the scenario's deadline had passed.
const CauseNotSent = "not sent by the deadline"

// dispatch hands the indexes 0..n-1 to the senders: at once, or, with
// pace > 0, index i at start + pace*i/n (open-loop arrivals; an index
// whose time has come waits for a free sender). It stops when ctx ends.
func dispatch(ctx context.Context, next chan<- int, start time.Time, pace time.Duration, n int) {
	var timer *time.Timer
	for i := range n {
		if pace > 0 {
			at := start.Add(time.Duration(float64(pace) * float64(i) / float64(n)))
			if w := time.Until(at); w > 0 {
				if timer == nil {
					timer = time.NewTimer(w)
					defer timer.Stop()
				} else {
					timer.Reset(w)
				}
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
		}
		select {
		case next <- i:
		case <-ctx.Done():
			return
		}
	}
}

// account fills the counts of res from the outcomes and the child's report.
func account(res *Result, msgs []drivers.Message, outs []drivers.Outcome, done []bool, rep *emuproc.Report) {
	for i, m := range msgs {
		inLedger := rep.Ledger[m.ID] > 0
		switch {
		case !done[i]:
			res.NoOutcome++
			res.Lost++
		case outs[i].Accepted:
			res.Accepted++
			if inLedger {
				res.Confirmed++
			} else {
				res.Lost++
			}
		default:
			res.Failed++
			if res.Causes == nil {
				res.Causes = make(map[string]int)
			}
			res.Causes[outs[i].Why()]++
			if outs[i].Permanent() {
				res.Permanent++
				res.Wasted += rep.Wasted[m.ID]
			}
			if inLedger {
				res.FailedDelivered++
				if !outs[i].Ambiguous {
					res.Misreported++
				}
			}
		}
		if c := rep.Ledger[m.ID]; c > 1 {
			res.Duplicates += c - 1
		}
	}
	st := rep.Stats
	res.Requests = st.Requests
	res.Amplification = float64(st.Requests) / float64(len(msgs))
	res.Got429 = st.Responses[429]
	res.Got5xx = st.Responses[500] + st.Responses[503]
	res.Undelivered = len(msgs) - res.Confirmed
	res.Goodput = float64(res.Confirmed) / res.Wall.Seconds()
}

// quantiles returns the 50th and 99th percentiles of xs, which it sorts.
func quantiles(xs []time.Duration) (p50, p99 time.Duration) {
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	at := func(q float64) time.Duration { return xs[min(len(xs)-1, int(q*float64(len(xs))))] }
	return at(0.50), at(0.99)
}

// cpuTime returns the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
