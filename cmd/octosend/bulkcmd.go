package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

const bulkUsage = `Usage: octosend bulk --subaccount ID [flags] INPUT

Sends every message of INPUT (a file, or - for stdin) with the configured
concurrency, per-tenant rate limits, breakers and retry policy, and writes
one JSON line per input message to the results file:

  {"line":12,"clientMessageId":"...","subaccount":"acme","status":"accepted",
   "umid":"...","attempts":1,"ambiguous":false}
  {"line":13,...,"status":"failed","code":1002,"httpStatus":400,"attempts":1,
   "ambiguous":false,"error":"..."}

INPUT is JSONL, one object per line with the keys destination, text, source,
clientMessageId and subaccount (only destination and text required), or CSV
whose header names those columns. The format follows the file extension
(.jsonl/.ndjson/.json or .csv), else the first character; a JSON array is
refused (exit 2; jq -c '.[]' turns it into JSONL). A bad line is recorded as
failed, naming its line and problem; a CSV record over 1 MiB is fatal (exit 2).
Without --subaccount, the first message must name its subaccount (else exit
2 before anything is sent). A message without
clientMessageId gets one derived from the content read (a digest of every
line up to its own, and its line number), never from the file's path: the
same content, moved, through a symlink or on stdin, derives the same ids, so
--resume recognizes it. A line without subaccount uses --subaccount.

Ctrl-C (SIGINT) or SIGTERM stops sending: messages not yet sent are written as
failed with error "canceled"; sends in flight get --grace to finish (Ctrl-C
again aborts them). Exactly one results line per input message, always.

--resume continues an interrupted run: lines already in the results file are
skipped, canceled ones are sent again, and a message that was in flight when
the process died (kill -9, crash) is written as failed and ambiguous instead
of being sent twice. The journal of in-flight lines is OUT.journal; it is
removed when a run completes. While a run goes on it holds OUT.lock, so a
second bulk on the same results file is refused. An input that cannot be read
(a directory, an I/O error) is refused before any output is created, and a
run that fails before writing a record removes the empty outputs it created.

Flags:
  --subaccount ID        sub-account of lines that name none
  --out FILE             results file (default results.jsonl); must not exist
                         unless --resume
  --resume               continue the run that wrote --out
  --resend-interrupted   with --resume, send messages that were in flight at a
                         crash again (the same clientMessageId; may duplicate)
  --config FILE          policy config (YAML or JSON)
  --concurrency N        sends in flight at once (default 64)
  --format F             auto (default), jsonl or csv
  --grace D              after Ctrl-C, how long sends in flight may take (default 10s)
  --fsync-interval D     fsync the results file at most this often (default 1s;
                         0 = after every line). Each line reaches the kernel at once
                         either way, so a crashed process loses nothing.
  --progress MODE        auto (bar on a terminal, plain lines otherwise), bar,
                         plain or none; progress goes to stderr
  --progress-interval D  how often plain progress lines are printed (default 5s)
  --metrics-addr H:P     serve Prometheus /metrics on H:P while the run lasts
                         (e.g. 127.0.0.1:9464): sends, attempts, retries,
                         429s, breakers, rates, latencies (see README)
  --api-key KEY          API key (default $OCTOSEND_API_KEY); never printed
  --base-url URL         API base URL (default $OCTOSEND_BASE_URL, else the region's)
  --region R             apac (default), us, eu or id

` + bulkDLRUsage + `Exit status: 0 every message accepted, 1 some failed or canceled, 2 usage,
config or input error.
`

// bulkOptions are the parsed flags of bulk.
type bulkOptions struct {
	common            commonFlags
	subAccount        string
	out               string
	resume            bool
	resendInterrupted bool
	format            inputFormat
	grace             time.Duration
	fsyncInterval     time.Duration
	progress          string
	progressInterval  time.Duration
	input             string
	dlr               dlrOptions
	metricsAddr       string
}

func (c *cli) bulk(ctx context.Context, args []string) int {
	var o bulkOptions
	fs := flag.NewFlagSet("bulk", flag.ContinueOnError)
	o.common.register(fs, true)
	fs.StringVar(&o.subAccount, "subaccount", "", "")
	fs.StringVar(&o.out, "out", "results.jsonl", "")
	fs.BoolVar(&o.resume, "resume", false, "")
	fs.BoolVar(&o.resendInterrupted, "resend-interrupted", false, "")
	format := fs.String("format", "auto", "")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "")
	fs.DurationVar(&o.fsyncInterval, "fsync-interval", time.Second, "")
	fs.StringVar(&o.progress, "progress", "auto", "")
	fs.DurationVar(&o.progressInterval, "progress-interval", 5*time.Second, "")
	o.dlr.register(fs)
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "")
	pos, err := c.parseFlags(fs, bulkUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) != 1 {
		return c.usageErr("bulk", "want exactly one INPUT file (or - for stdin)")
	}
	o.input = pos[0]
	if o.format, err = parseFormat(*format); err != nil {
		return c.usageErr("bulk", "%v", err)
	}
	switch o.progress {
	case "auto", "bar", "plain", "none":
	default:
		return c.usageErr("bulk", "unknown --progress %q (want auto, bar, plain or none)", o.progress)
	}
	switch {
	case o.grace < 0:
		return c.usageErr("bulk", "--grace %s: want 0 or more", o.grace)
	case o.fsyncInterval < 0:
		return c.usageErr("bulk", "--fsync-interval %s: want 0 or more (0 = after every line)", o.fsyncInterval)
	case o.progressInterval <= 0:
		return c.usageErr("bulk", "--progress-interval %s: want more than 0", o.progressInterval)
	}
	if o.resendInterrupted && !o.resume {
		return c.usageErr("bulk", "--resend-interrupted needs --resume")
	}
	if err := o.common.resolve(c.getenv); err != nil {
		return c.usageErr("bulk", "%v", err)
	}
	if err := o.dlr.resolve(c.getenv); err != nil {
		return c.usageErr("bulk", "%v", err)
	}
	return c.runBulkCommand(ctx, &o)
}

// runBulkCommand runs a parsed bulk command line.
func (c *cli) runBulkCommand(ctx context.Context, o *bulkOptions) int {
	stats := &bulkStats{}
	dl, err := c.startBulkDLR(o)
	if err != nil {
		return c.fail("bulk", exitUsage, err)
	}
	defer dl.close()
	var metrics *metricsServer
	if o.metricsAddr != "" {
		m, err := c.startMetrics("bulk", o.metricsAddr, true)
		if err != nil {
			return c.fail("bulk", exitUsage, err)
		}
		metrics = m
	}
	send, closeSender, err := c.newBulkSender(&o.common, stats, dl.recorder(), metrics.clientTelemetry())
	if err != nil {
		c.closeMetrics(metrics)
		return c.fail("bulk", exitUsage, err)
	}
	defer closeSender()
	defer c.closeMetrics(metrics) // before the client closes: its rates are still there

	// Open the input before any output exists: a directory, an unreadable
	// file or an unreadable stdin is refused with nothing left behind.
	in, closeIn, err := c.openInput(o)
	if err != nil {
		return c.fail("bulk", exitUsage, err)
	}
	defer closeIn()

	unlock, err := lockResults(o.out)
	if err != nil {
		return c.fail("bulk", exitUsage, err)
	}
	defer unlock()

	// Read the previous run's leftovers (or refuse to clobber them). From
	// here on, a run that fails with nothing written removes the empty
	// results file and journal it created.
	left := noteOutputs(o.out)
	failEmpty := func(err error) int {
		left.removeEmpty()
		return c.fail("bulk", exitUsage, err)
	}
	st := &resumeState{}
	if o.resume {
		if st, err = prepareResume(o.out); err != nil {
			return failEmpty(err)
		}
	} else if err := checkFresh(o.out); err != nil {
		return c.fail("bulk", exitUsage, err)
	}

	// Count the input first (for the ETA) and check it matches the results
	// being resumed, so nothing is sent when it does not.
	if o.input != "-" {
		total, err := countInput(o, st.Done)
		if err != nil {
			return failEmpty(err)
		}
		stats.Total.Store(int64(total))
	}

	rf, err := os.OpenFile(o.out, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return failEmpty(fmt.Errorf("results: %w", err))
	}
	results := newResultsWriter(rf, o.fsyncInterval)
	jn, err := openJournal(journalPath(o.out))
	if err != nil {
		results.Close()
		return failEmpty(err)
	}

	stop, hard := make(chan struct{}), make(chan struct{})
	abort, cancel := abortAfter(ctx, stop, hard, o.grace)
	defer cancel()
	sigDone := make(chan struct{})
	defer close(sigDone)
	signals, stopSignals := c.notify()
	defer stopSignals()
	go c.watchSignals(signals, stop, hard, sigDone, o.grace)

	run := &bulkRun{
		In: in, Send: send, Concurrency: o.common.concurrency, Results: results, Journal: jn,
		Stats: stats, Done: st.Done, Interrupted: st.Interrupted, ResendInterrupted: o.resendInterrupted,
		OnRecord: dl.onRecord(),
	}
	if n := len(st.Done); n > 0 || len(st.Interrupted) > 0 || st.Resend > 0 {
		fmt.Fprintf(c.stderr, "octosend bulk: resuming %s: %d lines done, %d canceled to send again, %d interrupted by a crash\n",
			o.out, n, st.Resend, len(st.Interrupted))
	}
	progDone := make(chan struct{})
	progExited := make(chan struct{})
	if p := c.newProgress(o, stats); p != nil {
		go func() { defer close(progExited); p.run(progDone) }()
	} else {
		close(progExited)
	}
	start := time.Now()
	runErr := run.Run(stop, abort)
	close(progDone)
	<-progExited
	elapsed := time.Since(start)

	closeErr := results.Close()
	jn.Close()
	if runErr == nil && closeErr == nil {
		// Every line has its record: the journal has nothing left to say.
		if err := os.Remove(journalPath(o.out)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			closeErr = err
		}
	}
	c.printBulkSummary(o, stats, elapsed, st.PrevFailed)
	if closeErr == nil {
		closeErr = c.finishBulkDLR(o, dl, stop)
	}
	if runErr != nil {
		return failEmpty(runErr)
	}
	if closeErr != nil {
		return failEmpty(closeErr)
	}
	if stats.Failed.Load() > 0 || st.PrevFailed > 0 {
		return exitFailed
	}
	return exitOK
}

// watchSignals turns the first SIGINT/SIGTERM into stop and the second
// into hard, until done closes.
func (c *cli) watchSignals(signals <-chan os.Signal, stop, hard, done chan struct{}, grace time.Duration) {
	for n := 0; n < 2; n++ {
		select {
		case <-signals:
		case <-done:
			return
		}
		if n == 0 {
			fmt.Fprintf(c.stderr, "\noctosend bulk: stopping: no new sends; sends in flight get %s (Ctrl-C again to abort them)\n", grace)
			close(stop)
		} else {
			fmt.Fprintln(c.stderr, "\noctosend bulk: aborting sends in flight")
			close(hard)
		}
	}
}

// openInput opens the bulk input (a path, or - for stdin).
func (c *cli) openInput(o *bulkOptions) (inputReader, func(), error) {
	var r io.Reader = c.stdin
	closeFn := func() {}
	if o.input != "-" {
		f, err := openInputFile(o.input)
		if err != nil {
			return nil, nil, err
		}
		r, closeFn = f, func() { f.Close() }
	}
	in, err := newInputReader(r, o.input, o.format, o.subAccount)
	if err == nil && o.subAccount == "" {
		in, err = requireSubAccount(in)
	}
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	return in, closeFn, nil
}

// countInput reads the input once to count its messages and to check that
// every line the results file has done is still there with the same
// clientMessageId.
func countInput(o *bulkOptions, done map[int]uint64) (int, error) {
	f, err := openInputFile(o.input)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return 0, nil // a pipe or device: read it once, during the run
	}
	in, err := newInputReader(f, o.input, o.format, o.subAccount)
	if err != nil {
		return 0, err
	}
	n, matched := 0, 0
	for {
		m, err := in.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		n++
		if h, ok := done[m.Line]; ok {
			if m.Err == nil && h != idHash(m.ClientMessageID) {
				return 0, fmt.Errorf("%w (line %d of %s)", errInputMismatch, m.Line, o.input)
			}
			matched++
		}
	}
	if matched != len(done) {
		return 0, fmt.Errorf("%w (%d lines of %s are in the results file but not in the input)", errInputMismatch, len(done)-matched, o.out)
	}
	return n, nil
}

func (c *cli) newProgress(o *bulkOptions, stats *bulkStats) *progress {
	tty := c.stderrTTY
	switch o.progress {
	case "none":
		return nil
	case "bar":
		tty = true
	case "plain":
		tty = false
	}
	interval := o.progressInterval
	if tty {
		interval = 200 * time.Millisecond
	}
	return newProgress(c.stderr, tty, c.width, interval, stats)
}

func (c *cli) printBulkSummary(o *bulkOptions, s *bulkStats, elapsed time.Duration, prevFailed int) {
	done := s.Done.Load()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	amb, ambAcc := s.Ambiguous.Load(), s.AmbiguousAccepted.Load()
	fmt.Fprintf(c.stderr, "octosend bulk: %d messages in %s (%.0f msg/s): %d accepted, %d failed (%d canceled), %d ambiguous (%d accepted, %d failed), %d retries",
		done, roundDuration(elapsed), rate, s.Accepted.Load(), s.Failed.Load(), s.Canceled.Load(), amb, ambAcc, amb-ambAcc, s.Retries.Load())
	if sk := s.Skipped.Load(); sk > 0 {
		fmt.Fprintf(c.stderr, "; %d already done (%d of them failed)", sk, prevFailed)
	}
	fmt.Fprintf(c.stderr, "; results in %s\n", o.out)
}
