package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/emulator"
)

const emulatorUsage = `Usage: octosend emulator [flags]

Runs the 8x8 API emulator (a local look-alike with fault injection and a
ledger of accepted messages) until Ctrl-C, then prints its statistics. It
prints its base URL on stdout: point --base-url (or OCTOSEND_BASE_URL) at it.
Only loopback addresses are accepted.

Flags:
  --addr HOST:PORT    listen address (default 127.0.0.1:8088; port 0 picks one)
  --api-key KEY       bearer token every request must carry (default
                      $OCTOSEND_API_KEY; empty accepts any request)
  --rate N            per-sub-account requests per second before 429 (0 = unlimited)
  --burst N           per-sub-account bucket size (0 = ceil(rate))
  --retry-after D     Retry-After advertised by 429s (0 = computed from the bucket)
  --fault-mix MIX     random faults: "demo", "none", or KIND=P pairs separated by
                      commas, e.g. 500=0.01,503=0.01,429=0.005,reset-before-body=0.005,
                      reset-after-body=0.005,accepted-then-500=0.005,latency=0.05
                      (kinds: 500 503 429 reset-before-body reset-after-body
                      accepted-then-500 accepted-then-reset garbage truncated latency)
  --latency D         fixed latency added to every request
  --latency-max D     upper bound of a random latency fault (default 50ms)
  --seed N            seed of the fault PRNG (same seed, same fault sequence)
  --ledger FILE       on exit, write the ledger of accepted messages to FILE as
                      JSONL, one line per distinct message, oldest first:
                      {"clientMessageId":"...","umid":"...","copies":1,"tenant":"acme","first":"..."}
                      (copies over 1 = duplicates; no destination is written)
  --ledger-cap N      at most N entries in --ledger and in the ledger endpoint
                      (default 1000000); a summary line says when some were left out
  --dlr-url URL       POST delivery receipts for every accepted copy to URL (the
                      account webhook; a message's dlrCallbackUrl overrides it),
                      as 8x8 does: SMS "sent" then "delivered" or "undelivered",
                      redelivered at 1, 10, 30 and 90 s when the webhook fails
  --dlr-auth VALUE    Authorization header of the receipts (default
                      $OCTOSEND_DLR_AUTH); never printed
  --dlr-delay D       mean gap before each receipt (default 1s)
  --dlr-undelivered P share of messages that end undelivered (default 0)
  --dlr-error-codes L their DLR error codes, e.g. 1,15,36,46 (the default)
  --dlr-repeat P      share of messages whose first receipt comes again, late
  --dlr-scale F       multiply the delays and the redelivery schedule (default 1)
  --metrics-addr H:P  serve Prometheus /metrics on H:P (e.g. 127.0.0.1:9464):
                      octosend_emulator_requests_total, _responses_total by
                      status, _faults_total by kind, _throttled, _resets, _accepted

While it runs, GET /_emulator/ledger (with the API key when --api-key is set)
answers the same JSONL, read-only; ?limit=N asks for fewer lines, and the
X-Emulator-Ledger-Total / X-Emulator-Ledger-Truncated headers say whether the
answer is the whole ledger.
`

// demoFaults is the fault mix of `octosend demo` and of --fault-mix demo:
// every way a send can fail, at rates the client must absorb.
func demoFaults() emulator.Faults {
	return emulator.Faults{
		P500:             0.01,
		P503:             0.01,
		PResetBefore:     0.005,
		PResetAfter:      0.005,
		PAcceptedThen500: 0.005,
	}
}

// parseFaultMix parses --fault-mix: a preset name or KIND=P pairs.
func parseFaultMix(s string) (emulator.Faults, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return emulator.Faults{}, nil
	case "demo":
		return demoFaults(), nil
	}
	var f emulator.Faults
	fields := map[emulator.FaultKind]*float64{
		emulator.Fault500:               &f.P500,
		emulator.Fault503:               &f.P503,
		emulator.Fault429:               &f.P429,
		emulator.FaultResetBeforeBody:   &f.PResetBefore,
		emulator.FaultResetAfterBody:    &f.PResetAfter,
		emulator.FaultAcceptedThen500:   &f.PAcceptedThen500,
		emulator.FaultAcceptedThenReset: &f.PAcceptedThenReset,
		emulator.FaultGarbage:           &f.PGarbage,
		emulator.FaultTruncated:         &f.PTruncated,
		emulator.FaultLatency:           &f.PLatency,
	}
	seen := map[emulator.FaultKind]bool{}
	for _, pair := range trimList(s) {
		name, val, ok := strings.Cut(pair, "=")
		if !ok {
			return emulator.Faults{}, fmt.Errorf("fault mix: %q: want KIND=PROBABILITY", pair)
		}
		name = strings.TrimSpace(name)
		switch strings.ToLower(name) { // short aliases
		case "reset-before":
			name = "reset-before-body"
		case "reset-after":
			name = "reset-after-body"
		}
		kind, ok := emulator.ParseFaultKind(name)
		p := fields[kind]
		if !ok || p == nil {
			return emulator.Faults{}, fmt.Errorf("fault mix: unknown fault kind %q (want one of %s)", name, faultKindNames(fields))
		}
		if seen[kind] {
			return emulator.Faults{}, fmt.Errorf("fault mix: %s given twice", name)
		}
		seen[kind] = true
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || !(v >= 0 && v <= 1) {
			return emulator.Faults{}, fmt.Errorf("fault mix: %s=%s: want a probability in [0, 1]", name, val)
		}
		*p = v
	}
	return f, nil
}

func faultKindNames(m map[emulator.FaultKind]*float64) string {
	var names []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}

// checkLoopback refuses a listen address that is not on a loopback
// interface: the emulator accepts any traffic and must not be exposed.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q: not a loopback address; the emulator listens only on 127.0.0.1, ::1 or localhost", addr)
}

func (c *cli) emulator(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8088", "")
	apiKey := fs.String("api-key", "", "")
	rate := fs.Float64("rate", 0, "")
	burst := fs.Int("burst", 0, "")
	retryAfter := fs.Duration("retry-after", 0, "")
	mix := fs.String("fault-mix", "none", "")
	latency := fs.Duration("latency", 0, "")
	latencyMax := fs.Duration("latency-max", 50*time.Millisecond, "")
	seed := fs.Int64("seed", 1, "")
	ledgerPath := fs.String("ledger", "", "")
	ledgerCap := fs.Int("ledger-cap", emulator.DefaultLedgerCap, "")
	var dlrFlags emulatorDLRFlags
	dlrFlags.register(fs)
	metricsAddr := fs.String("metrics-addr", "", "")
	pos, err := c.parseFlags(fs, emulatorUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) > 0 {
		return c.usageErr("emulator", "unexpected argument %q", pos[0])
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--retry-after", *retryAfter}, {"--latency", *latency}, {"--latency-max", *latencyMax}} {
		if d.v < 0 {
			return c.usageErr("emulator", "%s %s: want 0 or more", d.name, d.v)
		}
	}
	if !(*rate >= 0) || *burst < 0 {
		return c.usageErr("emulator", "--rate and --burst: want 0 or more")
	}
	if *ledgerCap < 1 {
		return c.usageErr("emulator", "--ledger-cap %d: want 1 or more", *ledgerCap)
	}
	if err := checkLoopback(*addr); err != nil {
		return c.usageErr("emulator", "%v", err)
	}
	faults, err := parseFaultMix(*mix)
	if err != nil {
		return c.usageErr("emulator", "%v", err)
	}
	if faults.PLatency > 0 {
		faults.LatencyMax = *latencyMax
	}
	dlrCfg, err := dlrFlags.config(c.getenv)
	if err != nil {
		return c.usageErr("emulator", "%v", err)
	}
	key := *apiKey
	if key == "" {
		key = c.getenv("OCTOSEND_API_KEY")
	}
	cfg := emulator.Config{
		APIKey: key, Rate: *rate, Burst: *burst, RetryAfter: *retryAfter,
		Faults: faults, Latency: *latency, Seed: *seed, LedgerCap: *ledgerCap, DLR: dlrCfg,
	}
	// Create the ledger file now, so that a path that cannot be written is
	// a usage error at start, not a lost ledger at exit.
	var ledgerFile *os.File
	if *ledgerPath != "" {
		if ledgerFile, err = os.Create(*ledgerPath); err != nil {
			return c.fail("emulator", exitUsage, fmt.Errorf("--ledger: %w", err))
		}
		defer ledgerFile.Close()
	}
	srv, err := emulator.Listen(*addr, cfg)
	if err != nil {
		return c.fail("emulator", exitUsage, err)
	}
	defer srv.Close()
	if *metricsAddr != "" {
		m, err := c.startMetrics("emulator", *metricsAddr, false)
		if err != nil {
			return c.fail("emulator", exitUsage, err)
		}
		defer c.closeMetrics(m)
		if err := m.observeEmulator(srv); err != nil {
			return c.fail("emulator", exitUsage, err)
		}
	}
	auth := "any API key accepted"
	if key != "" {
		auth = "API key required"
	}
	// Take the signals before the URL tells anyone we are up, so that a
	// Ctrl-C sent as soon as the URL is read still stops us cleanly.
	signals, stopSignals := c.notify()
	defer stopSignals()
	fmt.Fprintln(c.stdout, srv.URL())
	fmt.Fprintf(c.stderr, "octosend emulator: listening on %s (%s); ledger at GET %s%s; Ctrl-C to stop\n", srv.URL(), auth, srv.URL(), emulator.LedgerPath)
	select {
	case <-signals:
	case <-ctx.Done():
	}
	srv.Close()
	printEmulatorStats(c, srv)
	if ledgerFile != nil {
		return c.writeLedger(srv.Ledger(), ledgerFile, *ledgerCap)
	}
	return exitOK
}

// writeLedger writes the ledger to f (at most limit entries) and closes it.
func (c *cli) writeLedger(l *emulator.Ledger, f *os.File, limit int) int {
	n, total, err := l.WriteJSONL(f, limit)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return c.fail("emulator", exitFailed, fmt.Errorf("--ledger: %w", err))
	}
	if n < total {
		fmt.Fprintf(c.stderr, "octosend emulator: ledger: %d of %d entries written to %s (--ledger-cap %d left %d out)\n", n, total, f.Name(), limit, total-n)
	} else {
		fmt.Fprintf(c.stderr, "octosend emulator: ledger: %d entries written to %s\n", n, f.Name())
	}
	return exitOK
}

func printEmulatorStats(c *cli, srv *emulator.Server) {
	st := srv.Stats()
	l := srv.Ledger()
	fmt.Fprintf(c.stderr, "octosend emulator: %d requests, %d messages accepted (%d unique, %d duplicates), %d throttled, %d resets\n",
		st.Requests, l.Accepted(), l.Unique(), l.Duplicates(), st.Throttled, st.Resets)
	for _, code := range slices.Sorted(maps.Keys(st.Responses)) {
		fmt.Fprintf(c.stderr, "  HTTP %d: %d\n", code, st.Responses[code])
	}
	for _, k := range slices.Sorted(maps.Keys(st.Faults)) {
		if n := st.Faults[k]; n > 0 {
			fmt.Fprintf(c.stderr, "  fault %s: %d\n", k, n)
		}
	}
	printEmulatorDLRStats(c, srv)
}
