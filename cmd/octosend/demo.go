package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"maps"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/policy"
)

const demoUsage = `Usage: octosend demo [flags]

Starts the embedded 8x8 emulator on 127.0.0.1 with a fault mix (500/2000,
503, connection resets before and after the body, accepted-then-500, and 429s
from a per-tenant rate below the offered load), bulk-sends a generated
workload through the client, and prints what happened: accepted, failed by
reason, retries, 429s waited, breaker trips, duplicates and losses counted
from the emulator's ledger, throughput.

A message is lost when it was reported accepted but is not in the ledger, or
has no outcome at all; the demo exits 1 if any is lost, or if a message
reported failed and not ambiguous was delivered anyway.

Flags:
  --messages N       messages to send (default 20000)
  --tenants N        sub-accounts the messages are spread over (default 3)
  --concurrency N    sends in flight at once (default 64)
  --semantics S      at_least_once (default: retries ambiguous failures, may
                     duplicate) or at_most_once (never risks a duplicate)
  --rate N           emulator's per-tenant requests per second (default 700;
                     the client offers 1700/s per tenant, so 429s happen)
  --seed N           seed of the workload and of the fault sequence (default 1)
  --progress MODE    auto, bar, plain or none (default auto)
  --dlr              receive delivery receipts (default true): the emulator
                     posts them (5% undelivered, 5% redelivered late) to a
                     webhook on 127.0.0.1:0, a dlr.Reconciler resolves every
                     send, and the report says how many ambiguous sends were
                     resolved, duplicates confirmed, messages delivered,
                     undeliverable or still pending; the demo exits 1 if a
                     verdict differs from the emulator's receipts
  --dlr-wait D       how long to wait for receipts after the last send
                     (default 30s; ends as soon as nothing more can come)
  --metrics-addr H:P serve Prometheus /metrics on H:P while the demo runs
                     (e.g. 127.0.0.1:9464): the client's metrics and the
                     emulator's (octosend.emulator.*)
`

func (c *cli) demo(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	n := fs.Int("messages", 20000, "")
	tenants := fs.Int("tenants", 3, "")
	concurrency := fs.Int("concurrency", 64, "")
	semText := fs.String("semantics", "at_least_once", "")
	rate := fs.Float64("rate", 700, "")
	seed := fs.Int64("seed", 1, "")
	progressMode := fs.String("progress", "auto", "")
	withDLR := fs.Bool("dlr", true, "")
	dlrWait := fs.Duration("dlr-wait", defaultDLRWait, "")
	metricsAddr := fs.String("metrics-addr", "", "")
	pos, err := c.parseFlags(fs, demoUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) > 0 {
		return c.usageErr("demo", "unexpected argument %q", pos[0])
	}
	var sem policy.Semantics
	if err := sem.UnmarshalText([]byte(*semText)); err != nil {
		return c.usageErr("demo", "--semantics %q: want at_least_once or at_most_once", *semText)
	}
	switch {
	case *n < 1 || *n > 10_000_000:
		return c.usageErr("demo", "--messages %d: want 1..10000000", *n)
	case *tenants < 1 || *tenants > 1000:
		return c.usageErr("demo", "--tenants %d: want 1..1000", *tenants)
	case *concurrency < 1 || *concurrency > 10000:
		return c.usageErr("demo", "--concurrency %d: want 1..10000", *concurrency)
	case !(*rate >= 0):
		return c.usageErr("demo", "--rate: want a number >= 0")
	case *dlrWait < 0:
		return c.usageErr("demo", "--dlr-wait %s: want 0 or more", *dlrWait)
	}
	switch *progressMode {
	case "auto", "bar", "plain", "none":
	default:
		return c.usageErr("demo", "unknown --progress %q (want auto, bar, plain or none)", *progressMode)
	}

	key := randomKey()
	faults := demoFaults()
	var (
		dl     *demoDLR
		dlrCfg emulator.DLR
		cnt    clientCounters
	)
	if *withDLR {
		if dl, dlrCfg, err = startDemoDLR(); err != nil {
			return c.fail("demo", exitUsage, err)
		}
		defer dl.close()
		cnt.outcomes = dl.store
	}
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: key, Rate: *rate, Faults: faults, Seed: *seed, DLR: dlrCfg})
	if err != nil {
		return c.fail("demo", exitUsage, err)
	}
	defer srv.Close()
	pol, err := policy.New(policy.Config{Semantics: sem})
	if err != nil {
		return c.fail("demo", exitUsage, err)
	}
	var metrics *metricsServer
	if *metricsAddr != "" {
		if metrics, err = c.startMetrics("demo", *metricsAddr, true); err != nil {
			return c.fail("demo", exitUsage, err)
		}
		if err := metrics.observeEmulator(srv); err != nil {
			c.closeMetrics(metrics)
			return c.fail("demo", exitUsage, err)
		}
	}
	stats := &bulkStats{}
	stats.Total.Store(int64(*n))
	var trips atomic.Int64
	cnt.stats, cnt.breakerTrips, cnt.tel = stats, func() { trips.Add(1) }, metrics.clientTelemetry()
	cl, err := newClient(&commonFlags{apiKey: key, baseURL: srv.URL(), region: "apac"}, pol, cnt)
	if err != nil {
		c.closeMetrics(metrics)
		return c.fail("demo", exitUsage, err)
	}
	defer cl.Close()
	defer c.closeMetrics(metrics) // before the client and the emulator close

	fmt.Fprintf(c.stderr, "octosend demo: %d messages over %d tenants to the emulator at %s\n", *n, *tenants, srv.URL())
	fmt.Fprintf(c.stderr, "  faults: %s; 429 above %s req/s per tenant\n", describeFaults(faults), strconv.FormatFloat(*rate, 'g', -1, 64))
	fmt.Fprintf(c.stderr, "  semantics %s, concurrency %d\n", sem, *concurrency)

	outcomes := make([]record, *n)
	run := &bulkRun{
		In: newWorkload(*n, *tenants, *seed), Send: clientSend(cl), Concurrency: *concurrency,
		Results: newResultsWriter(discard{}, time.Hour), Stats: stats,
		OnRecord: func(r *record) { outcomes[r.Line-1] = *r },
	}
	stop, hard := make(chan struct{}), make(chan struct{})
	abort, cancel := abortAfter(ctx, stop, hard, 5*time.Second)
	defer cancel()
	sigDone := make(chan struct{})
	defer close(sigDone)
	signals, stopSignals := c.notify()
	defer stopSignals()
	go c.watchSignals(signals, stop, hard, sigDone, 5*time.Second)

	progDone, progExited := make(chan struct{}), make(chan struct{})
	if p := c.newProgress(&bulkOptions{progress: *progressMode, progressInterval: 2 * time.Second}, stats); p != nil {
		go func() { defer close(progExited); p.run(progDone) }()
	} else {
		close(progExited)
	}
	start := time.Now()
	runErr := run.Run(stop, abort)
	elapsed := time.Since(start)
	close(progDone)
	<-progExited
	if runErr != nil {
		return c.fail("demo", exitUsage, runErr)
	}

	rep := reconcile(outcomes, srv.Ledger())
	rep.Retries, rep.Throttled, rep.BreakerTrips = stats.Retries.Load(), stats.Throttled.Load(), trips.Load()
	rep.Elapsed = elapsed
	rep.print(c.stdout)
	ok := rep.ok()
	if dl != nil {
		fmt.Fprintf(c.stderr, "octosend demo: waiting up to %s for the receipts (Ctrl-C stops waiting)\n", *dlrWait)
		drep := dl.finish(srv, outcomes, *dlrWait, stop)
		drep.print(c.stdout)
		ok = ok && drep.Mismatched == 0
	}
	printEmulatorStats(c, srv)
	if !ok {
		return exitFailed
	}
	return exitOK
}

// randomKey is the demo's throwaway API key (never printed).
func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func describeFaults(f emulator.Faults) string {
	pct := func(p float64) string { return strconv.FormatFloat(100*p, 'g', -1, 64) + "%" }
	return pct(f.P500) + " 500/2000, " + pct(f.P503) + " 503, " + pct(f.PResetBefore) + " reset before body, " +
		pct(f.PResetAfter) + " reset after body, " + pct(f.PAcceptedThen500) + " accepted-then-500"
}

// workload generates the demo's messages: round-robin over the tenants,
// random valid destinations, deterministic clientMessageIds.
type workload struct {
	n, tenants int
	i          int
	seed       int64
	rng        *mrand.Rand
}

func newWorkload(n, tenants int, seed int64) *workload {
	return &workload{n: n, tenants: tenants, seed: seed, rng: mrand.New(mrand.NewPCG(uint64(seed), 0x6f63746f))}
}

func (w *workload) next() (message, error) {
	if w.i >= w.n {
		return message{}, io.EOF
	}
	w.i++
	return message{
		Line:            w.i,
		Destination:     "+659" + strconv.Itoa(1000000+w.rng.IntN(9000000)),
		Text:            "octosend demo message " + strconv.Itoa(w.i),
		ClientMessageID: "demo-" + strconv.FormatInt(w.seed, 10) + "-" + strconv.Itoa(w.i),
		SubAccount:      "demo-tenant-" + strconv.Itoa(1+(w.i-1)%w.tenants),
	}, nil
}

// ledger is the part of *emulator.Ledger the reconciliation reads.
type ledger interface {
	Count(subAccount, clientMessageID string) int
}

// demoReport is the reconciliation of reported outcomes with the ledger.
type demoReport struct {
	Messages, Accepted, Failed int
	FailedBy                   map[string]int // reason -> count
	// NoOutcome counts messages without a record; AcceptedMissing those
	// reported accepted that the ledger does not have. Their sum is the
	// number of lost messages.
	NoOutcome, AcceptedMissing int
	// Duplicated counts messages in the ledger more than once, and
	// DuplicatedFlagged those of them whose record says ambiguous;
	// ExtraCopies is the sum of (count-1).
	Duplicated, DuplicatedFlagged, ExtraCopies int
	// FailedDelivered counts messages reported failed that are in the
	// ledger; FailedDeliveredUnflagged those not marked ambiguous (a
	// client bug: it said "surely not sent").
	FailedDelivered, FailedDeliveredUnflagged int

	Retries, Throttled, BreakerTrips int64
	Elapsed                          time.Duration
}

// reconcile compares the records (one per message, indexed by line-1; a
// zero record is a missing outcome) with the ledger.
func reconcile(outcomes []record, l ledger) *demoReport {
	rep := &demoReport{Messages: len(outcomes), FailedBy: map[string]int{}}
	for i := range outcomes {
		r := &outcomes[i]
		if r.Line == 0 {
			rep.NoOutcome++
			continue
		}
		count := l.Count(r.SubAccount, r.ClientMessageID)
		if count > 1 {
			rep.Duplicated++
			rep.ExtraCopies += count - 1
			if r.Ambiguous {
				rep.DuplicatedFlagged++
			}
		}
		switch r.Status {
		case statusAccepted:
			rep.Accepted++
			if count == 0 {
				rep.AcceptedMissing++
			}
		default:
			rep.Failed++
			reason := r.reason
			if reason == "" {
				reason = r.Error
			}
			rep.FailedBy[reason]++
			if count > 0 {
				rep.FailedDelivered++
				if !r.Ambiguous {
					rep.FailedDeliveredUnflagged++
				}
			}
		}
	}
	return rep
}

// Lost is the number of lost messages.
func (r *demoReport) Lost() int { return r.NoOutcome + r.AcceptedMissing }

// ok reports whether the run kept its promises: nothing lost, no
// duplicate or delivered failure without the ambiguous flag.
func (r *demoReport) ok() bool {
	return r.Lost() == 0 && r.FailedDeliveredUnflagged == 0 && r.Duplicated == r.DuplicatedFlagged
}

func (r *demoReport) print(w io.Writer) {
	rate := 0.0
	if r.Elapsed > 0 {
		rate = float64(r.Messages) / r.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "\nmessages        %d\n", r.Messages)
	fmt.Fprintf(w, "accepted        %d\n", r.Accepted)
	fmt.Fprintf(w, "failed          %d\n", r.Failed)
	for _, reason := range slices.Sorted(maps.Keys(r.FailedBy)) {
		fmt.Fprintf(w, "  %-40s %d\n", reason, r.FailedBy[reason])
	}
	fmt.Fprintf(w, "retries         %d\n", r.Retries)
	fmt.Fprintf(w, "429s waited     %d\n", r.Throttled)
	fmt.Fprintf(w, "breaker trips   %d\n", r.BreakerTrips)
	fmt.Fprintf(w, "duplicates      %d messages delivered more than once (%d extra copies), %d of them flagged ambiguous\n",
		r.Duplicated, r.ExtraCopies, r.DuplicatedFlagged)
	fmt.Fprintf(w, "failed but delivered  %d (%d not flagged ambiguous)\n", r.FailedDelivered, r.FailedDeliveredUnflagged)
	fmt.Fprintf(w, "lost            %d (%d reported accepted but not delivered, %d without an outcome)\n",
		r.Lost(), r.AcceptedMissing, r.NoOutcome)
	fmt.Fprintf(w, "throughput      %.0f msg/s (%s)\n", rate, roundDuration(r.Elapsed))
	if r.ok() {
		fmt.Fprintln(w, "result          ok: no message lost, every duplicate and every delivered failure flagged ambiguous")
	} else {
		fmt.Fprintln(w, "result          FAILED: see lost / not flagged above")
	}
}
