// Command multitenant sends a high-volume mixed workload for several
// tenants (8x8 sub-accounts) from one process, with per-tenant limits and
// retry policy from a config file, and prints a summary per tenant.
//
// It runs against the embedded 8x8 emulator, with a few injected faults and
// a per-tenant quota, so it needs no account:
//
//	go run ./examples/multitenant                      # the embedded tenants.yaml
//	go run ./examples/multitenant -config my.yaml -n 20000
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/policy"
)

//go:embed tenants.yaml
var defaultConfig []byte

var tenants = []string{"acme-otp", "acme-marketing", "acme-alerts"}

func main() {
	config := flag.String("config", "", "policy file (default: the embedded tenants.yaml)")
	n := flag.Int("n", 3000, "messages to send")
	concurrency := flag.Int("concurrency", 32, "sends in flight")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *config, *n, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "multitenant:", err)
		os.Exit(1)
	}
}

// tally counts the outcomes of one tenant's sends.
type tally struct {
	accepted, failed, ambiguous, retries int
}

// add counts the outcome of one send, accepted or not: its retries (the
// attempts beyond the first) and whether it is ambiguous (failed but
// maybe delivered, or accepted but maybe twice) count for every send.
func (t *tally) add(res client.Result, err error) {
	attempts, ambiguous := res.Attempts, res.Ambiguous
	if err != nil {
		t.failed++
		attempts, ambiguous = failure(err)
	} else {
		t.accepted++
	}
	if attempts > 1 {
		t.retries += attempts - 1
	}
	if ambiguous {
		t.ambiguous++
	}
}

// failure returns the attempts and the ambiguous flag of a failed send,
// from whichever of the client's error types carries them.
func failure(err error) (attempts int, ambiguous bool) {
	var (
		apiErr  *client.APIError
		sendErr *client.SendError
		respErr *client.ResponseError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Attempts, apiErr.Ambiguous
	case errors.As(err, &sendErr):
		return sendErr.Attempts, sendErr.Ambiguous
	case errors.As(err, &respErr):
		return respErr.Attempts, respErr.Ambiguous
	}
	return 0, false
}

func run(ctx context.Context, w io.Writer, configPath string, n, concurrency int) error {
	pol, err := loadPolicy(configPath)
	if err != nil {
		return err
	}
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{
		APIKey: "example-key",
		Rate:   200, // per tenant, below the config's 400/s and 800/s: 429s will happen
		Faults: emulator.Faults{P500: 0.01, P503: 0.01, PResetAfter: 0.005},
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	c, err := client.New(client.Config{APIKey: "example-key", BaseURL: srv.URL(), Policy: pol})
	if err != nil {
		return err
	}
	defer c.Close()

	var (
		mu    sync.Mutex
		byTen = map[string]*tally{}
		jobs  = make(chan int)
		wg    sync.WaitGroup
		start = time.Now()
	)
	for _, t := range tenants {
		byTen[t] = &tally{}
	}
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				tenant := tenants[i%len(tenants)]
				res, err := c.SendSMS(ctx, tenant, client.SMS{
					Destination:     "+65" + strconv.Itoa(91000000+i),
					Text:            "Message " + strconv.Itoa(i),
					ClientMessageID: tenant + "-" + strconv.Itoa(i),
				})
				mu.Lock()
				byTen[tenant].add(res, err)
				mu.Unlock()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)

	fmt.Fprintf(w, "%d messages in %s (%.0f/s)\n", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	fmt.Fprintf(w, "%-16s %-14s %9s %7s %8s %10s\n", "tenant", "semantics", "accepted", "failed", "retries", "ambiguous")
	sort.Strings(tenants)
	for _, t := range tenants {
		s := byTen[t]
		fmt.Fprintf(w, "%-16s %-14s %9d %7d %8d %10d\n", t, pol.Semantics(t), s.accepted, s.failed, s.retries, s.ambiguous)
	}
	st := srv.Stats()
	fmt.Fprintf(w, "emulator: %d requests, %d throttled (429), %d duplicates in the ledger\n",
		st.Requests, st.Throttled, srv.Ledger().Duplicates())
	return nil
}

// loadPolicy reads the policy file, or the embedded one when path is "".
func loadPolicy(path string) (*policy.Policy, error) {
	if path != "" {
		return policy.Load(path)
	}
	cfg, err := policy.Parse("tenants.yaml", defaultConfig)
	if err != nil {
		return nil, err
	}
	return policy.New(cfg)
}
