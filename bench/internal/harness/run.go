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
	// Causes counts the failed messages by Outcome.Why.
	Causes map[string]int
	// FailedDelivered counts messages reported failed that the ledger has
	// (an accepted-then-500 the driver gave up on).
	FailedDelivered int

	P50, P99 time.Duration // per-message latency, from Send's start to its return

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
	outs := make([]drivers.Outcome, n)
	lats := make([]time.Duration, n)
	done := make([]bool, n)
	next := make(chan int, o.Concurrency)
	var wg sync.WaitGroup

	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start := time.Now()

	for range o.Concurrency {
		wg.Go(func() {
			for i := range next {
				t := time.Now()
				outs[i] = d.Send(ctx, msgs[i])
				lats[i] = time.Since(t)
				done[i] = true
			}
		})
	}
	for i := range msgs {
		if sc.Duration > 0 {
			at := start.Add(time.Duration(float64(sc.Duration) * float64(i) / float64(n)))
			if w := time.Until(at); w > 0 {
				time.Sleep(w)
			}
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()

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
		if done[i] {
			finished = append(finished, d)
		}
	}
	res.P50, res.P99 = quantiles(finished)
	res.AllocsPerMsg = float64(ms1.Mallocs-ms0.Mallocs) / float64(n)
	res.BytesPerMsg = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(n)
	res.CPUPerMsg = (cpu1 - cpu0) / time.Duration(n)
	return res, finished, ctx.Err()
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
