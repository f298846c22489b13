// Command compare sends the same SMS workload through octosend and through
// the stacks its users would otherwise assemble (a bare net/http loop,
// go-retryablehttp, go-retryablehttp + gobreaker + x/time/rate, failsafe-go)
// against the emulator on loopback, under five scenarios (clean, a fault
// mix, a 429 storm, a 5-second outage, a slow API) and six delivery
// scenarios, each with one 20s deadline for the whole run (faults429,
// outage64, outage1000, quota2000, quota2000full, dest429: see
// harness.Scenarios), and writes the numbers to bench/RESULTS.md and a
// chart to bench/results.svg.
//
// To run only the delivery scenarios and print the report without writing
// files:
//
//	go run ./bench/cmd/compare -scenarios faults429,outage64,outage1000,quota2000,quota2000full,dest429 -out ""
//
// The emulator runs in a child process (this same binary, re-executed), so
// the CPU time and allocations per message are the client's alone.
//
// Usage, from the repository root:
//
//	go run ./bench/cmd/compare [-messages 3000] [-concurrency 32] [-scenarios all] [-drivers all] [-out bench]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/octosend/octosend/bench/internal/emuproc"
	"github.com/octosend/octosend/bench/internal/harness"
)

func main() {
	emuproc.MaybeServe()
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	opts := harness.DefaultOptions()
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&opts.Messages, "messages", opts.Messages, "base messages per run (storm sends 40%, outage 60% of it)")
	fs.IntVar(&opts.Concurrency, "concurrency", opts.Concurrency, "concurrent senders per driver (scenarios that set their own keep it)")
	scenarios := fs.String("scenarios", "all", "comma-separated scenarios: clean,faults,storm,outage,slow,faults429,outage64,outage1000,quota2000,quota2000full,dest429")
	driverList := fs.String("drivers", "all", "comma-separated drivers: octosend,nethttp,retryablehttp,assembled,failsafe")
	out := fs.String("out", "bench", "directory for RESULTS.md and results.svg; empty = print the report only")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if opts.Messages < 1 || opts.Concurrency < 1 {
		fmt.Fprintln(stderr, "compare: -messages and -concurrency must be positive")
		return 2
	}
	scs, err := harness.Select(*scenarios)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}
	specs, err := harness.SelectDrivers(*driverList)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := emuproc.Start(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	defer p.Close()

	began := time.Now()
	if err := harness.Warmup(ctx, p, specs, opts); err != nil {
		fmt.Fprintln(stderr, "compare: warm-up:", err)
		return 1
	}
	var results []harness.Result
	for _, sc := range scs {
		rs, err := harness.RunScenario(ctx, p, specs, sc, opts, func(r harness.Result) {
			fmt.Fprintf(stderr, "%-13s %-17s %6.0f msg/s  %.2f req/msg  429s %5d  dup %3d  lost %d  misrep %d  failed %4d  undeliv %4d  outage %5d  p99 %7.1fms  %5.0f allocs/msg  %4.0fµs CPU/msg  (%.1fs)\n",
				r.Scenario, r.Driver, r.Goodput, r.Amplification, r.Got429, r.Duplicates, r.Lost, r.Misreported, r.Failed,
				r.Undelivered, r.Outage, float64(r.P99)/1e6, r.AllocsPerMsg, float64(r.CPUPerMsg)/1e3, r.Wall.Seconds())
		})
		if err != nil {
			fmt.Fprintf(stderr, "compare: %s: %v\n", sc.Name, err)
			return 1
		}
		results = append(results, rs...)
	}
	rep := harness.Report{
		Date: began.UTC(), Took: time.Since(began), Machine: harness.DescribeMachine(),
		Options: opts, Scenarios: scs, Drivers: specs, Results: results,
	}
	md := rep.Markdown()
	if *out == "" {
		fmt.Print(md)
		return 0
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(*out, "RESULTS.md"), []byte(md), 0o644); err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(*out, "results.svg"), rep.SVG(), 0o644); err != nil {
		fmt.Fprintln(stderr, "compare:", err)
		return 1
	}
	fmt.Fprintf(stderr, "compare: wrote %s and %s in %.0fs\n",
		filepath.Join(*out, "RESULTS.md"), filepath.Join(*out, "results.svg"), time.Since(began).Seconds())
	return 0
}
