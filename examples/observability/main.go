// Command observability shows what octosend's OpenTelemetry metrics (module
// github.com/octosend/octosend/telemetry) say during an outage and a 429
// storm, and draws it.
//
// It sends a steady load for two tenants to the embedded 8x8 emulator
// through an instrumented client, in five phases: normal, an outage (every
// request answered 503, no Retry-After), recovery, a 429 storm (60% of
// requests answered 429), recovery. Every sample interval it collects the
// metrics with an SDK ManualReader, as a Prometheus scrape would, and at
// the end it prints the totals, checks them against the emulator's ledger
// and writes an SVG chart of the run:
//
//	go run ./examples/observability                 # 5 phases of 2s, writes observability.svg
//	go run ./examples/observability -phase 4s -out /tmp/run.svg
//
// In a real program, hand telemetry.New your own MeterProvider (an OTLP
// or Prometheus exporter) and TracerProvider instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/telemetry"
)

func main() {
	phase := flag.Duration("phase", 2*time.Second, "length of each of the five phases")
	rate := flag.Int("rate", 300, "messages offered per second (over two tenants)")
	out := flag.String("out", "observability.svg", "where to write the chart")
	flag.Parse()
	res, err := run(context.Background(), os.Stdout, config{Phase: *phase, Rate: *rate})
	if err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(res.SVG()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "observability:", err)
		os.Exit(1)
	}
	fmt.Printf("chart written to %s\n", *out)
}

// config is a run's shape.
type config struct {
	Phase time.Duration // each of the five phases
	Rate  int           // messages offered per second
}

var tenants = []string{"acme_hq", "acme_promo"}

// phases are the run's phases, in order, with the fault each injects.
var phases = []string{"normal", "outage (503)", "recovery", "429 storm", "recovery"}

// result is a finished run: its samples and its end state.
type result struct {
	cfg     config
	samples []sample
	loadEnd time.Duration // when the load stopped; held and throttled sends drain after
	sent    int64         // sends started
	failed  int64         // sends that returned an error
	unique  int           // distinct messages in the emulator's ledger
	stats   emulator.Stats
}

func run(ctx context.Context, w io.Writer, cfg config) (*result, error) {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "demo-key-not-secret"})
	if err != nil {
		return nil, err
	}
	defer srv.Close()

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	tel, err := telemetry.New(telemetry.Options{MeterProvider: mp, TracerProvider: noop.NewTracerProvider(), MaxTenants: len(tenants)})
	if err != nil {
		return nil, err
	}
	defer tel.Close()
	cfg2 := client.Config{APIKey: "demo-key-not-secret", BaseURL: srv.URL()}
	tel.Instrument(&cfg2)
	c, err := client.New(cfg2)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	tel.ObserveRates(c)

	start := time.Now()
	at := func(i int) time.Time { return start.Add(time.Duration(i) * cfg.Phase) }
	if err := srv.SetOutage([]emulator.Window{{Start: at(1), End: at(2), NoRetryAfter: true}}); err != nil {
		return nil, err
	}
	res := &result{cfg: cfg}
	end := at(len(phases))

	// The storm: random 429s with a 1s Retry-After during phase 4.
	go func() {
		sleepUntil(ctx, at(3))
		_ = srv.SetFaults(emulator.Faults{P429: 0.6, RetryAfter: time.Second})
		sleepUntil(ctx, at(4))
		_ = srv.SetFaults(emulator.Faults{})
	}()

	// The sampler: a collection every interval, as a scrape would, until
	// the last send is done.
	interval := cfg.Phase / 8
	sendsDone, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				if s, err := collect(reader, now.Sub(start)); err == nil {
					res.samples = append(res.samples, s)
				}
			case <-sendsDone:
				return
			}
		}
	}()

	// The load: cfg.Rate messages a second, each its own send (at most
	// 512 in flight: sends held at an open breaker wait there).
	var wg sync.WaitGroup
	inflight := make(chan struct{}, 512)
	tick := time.NewTicker(10 * time.Millisecond)
	per, carry := float64(cfg.Rate)/100, 0.0
	for now := range tick.C {
		if !now.Before(end) || ctx.Err() != nil {
			break
		}
		for carry += per; carry >= 1; carry-- {
			i := atomic.AddInt64(&res.sent, 1)
			inflight <- struct{}{}
			wg.Go(func() {
				defer func() { <-inflight }()
				tenant := tenants[i%int64(len(tenants))]
				_, err := c.SendSMS(ctx, tenant, client.SMS{Destination: "+659" + strconv.FormatInt(1000000+i, 10), Text: "Your code is 1234"})
				if err != nil {
					atomic.AddInt64(&res.failed, 1)
				}
			})
		}
	}
	tick.Stop()
	res.loadEnd = time.Since(start)
	wg.Wait()
	close(sendsDone)
	<-sampled
	if s, err := collect(reader, time.Since(start)); err == nil {
		res.samples = append(res.samples, s) // the end state, every send done
	}
	res.unique, res.stats = srv.Ledger().Unique(), srv.Stats()
	res.report(w)
	return res, nil
}

func sleepUntil(ctx context.Context, t time.Time) {
	select {
	case <-time.After(time.Until(t)):
	case <-ctx.Done():
	}
}

// report prints the totals the metrics give and what the emulator saw.
func (r *result) report(w io.Writer) {
	last := r.samples[len(r.samples)-1]
	fmt.Fprintf(w, "messages sent       %d over %d phases of %s; the last send ended at %s\n",
		r.sent, len(phases), r.cfg.Phase, last.At.Round(100*time.Millisecond))
	fmt.Fprintf(w, "accepted (metrics)  %d   emulator's ledger: %d distinct messages\n", last.Accepted, r.unique)
	fmt.Fprintf(w, "failed (metrics)    %d   send errors: %d\n", last.Failed, r.failed)
	fmt.Fprintf(w, "attempts            %d   emulator: %d requests\n", last.Attempts(), r.stats.Requests)
	fmt.Fprintf(w, "503s                %d   emulator: %d\n", last.Status503, r.stats.Responses[503])
	fmt.Fprintf(w, "429s                %d   emulator: %d\n", last.Status429, r.stats.Responses[429])
	fmt.Fprintf(w, "retries             %d   %d of them held by the retry budget first\n", last.Retries, last.BudgetHeld)
	fmt.Fprintf(w, "breaker opens       %d\n", last.BreakerOpens)
	fmt.Fprintf(w, "tenant pauses       %d\n", last.Pauses)
	fmt.Fprintf(w, "lowest rate         %.0f req/s (%s's adaptive limit, during the storm)\n", r.lowestRate(), tenants[0])
}

// lowestRate is the lowest adaptive rate any sample saw.
func (r *result) lowestRate() float64 {
	low := -1.0
	for _, s := range r.samples {
		if s.HasRate && (low < 0 || s.Rate < low) {
			low = s.Rate
		}
	}
	return low
}
