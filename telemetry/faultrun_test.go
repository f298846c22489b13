package telemetry

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// faultRun is what a seeded fault run against the emulator left: the
// emulator, the client's results, and the client's own hook counts.
type faultRun struct {
	srv     *emulator.Server
	results []sendOutcome
	opens   int64 // breaker transitions to open, from the user's own hook
	held    int64 // OnRetry events flagged BudgetRefused, from the user's own hook
}

type sendOutcome struct {
	tenant, cmid string
	res          client.Result
	err          error
}

var runTenants = []string{"acme_hq", "acme_promo", "acme_otp"}

// runFaults sends n messages over three tenants, six at a time, through a
// client instrumented by tel, to an emulator with seeded faults (503s,
// accepted-then-500s, 429s), a per-tenant quota and a 3 s outage (from 0.5 s) that
// opens the breaker. Time is fake.
func runFaults(t *testing.T, n int, opts Options) (*faultRun, *Telemetry) {
	t.Helper()
	f := clock.NewFake(t0)
	srv := emulatortest.Start(t, emulator.Config{
		APIKey: testKey, Seed: 15, Now: f.Now, Rate: 40, Burst: 10,
		Faults: emulator.Faults{P503: 0.03, PAcceptedThen500: 0.03, P429: 0.03, RetryAfter: time.Second},
		Outage: []emulator.Window{{Start: t0.Add(500 * time.Millisecond), End: t0.Add(3500 * time.Millisecond), NoRetryAfter: true}},
	})
	tel, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tel.Close() })
	pol, err := policy.New(policy.Config{Retry: policy.Retry{MaxAttempts: 20, Deadline: time.Hour}, Limits: policy.Limits{Rate: 25, Burst: 5}})
	if err != nil {
		t.Fatal(err)
	}
	run := &faultRun{srv: srv, results: make([]sendOutcome, n)}
	cfg := client.Config{
		APIKey: testKey, BaseURL: srv.URL(), Clock: f, Policy: pol,
		Rand:    func() float64 { return 0.5 },
		Breaker: breaker.Config{Consecutive: 4},
		Hooks: client.Hooks{
			OnBreakerStateChange: func(ev client.BreakerEvent) {
				if ev.To == breaker.Open {
					atomic.AddInt64(&run.opens, 1)
				}
			},
			OnRetry: func(ev client.Event) {
				if ev.BudgetRefused {
					atomic.AddInt64(&run.held, 1)
				}
			},
		},
	}
	tel.Instrument(&cfg)
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) // after the test's collection: the rate gauge reads its limiter
	tel.ObserveRates(c)

	stop := autoAdvance(f, 10*time.Millisecond)
	defer stop()
	next := make(chan int)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for i := range next {
				o := sendOutcome{tenant: runTenants[i%len(runTenants)], cmid: "m-" + strconv.Itoa(i)}
				o.res, o.err = c.SendSMS(context.Background(), o.tenant, client.SMS{
					Destination: "+659" + strconv.Itoa(1000000+i), Text: "Your code is " + strconv.Itoa(100000+i), ClientMessageID: o.cmid,
				})
				run.results[i] = o
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Logf("the run took %v on the fake clock", f.Now().Sub(t0))
	return run, tel
}

// After a seeded fault run, the metrics say what the emulator's ledger
// and the client's results say, exactly: sends accepted and failed,
// duplicates, requests by status, 429s, retries, breaker opens.
func TestMetricsMatchLedgerAfterFaultRun(t *testing.T) {
	const n = 300
	mp, collect := newReader(t)
	run, _ := runFaults(t, n, Options{MeterProvider: mp, MaxTenants: 10})
	rm := collect()
	srv, st := run.srv, run.srv.Stats()

	var accepted, failed, ambiguousAccepted, retries int64
	for _, o := range run.results {
		if o.err != nil {
			failed++
			continue
		}
		accepted++
		retries += int64(o.res.Attempts - 1)
		if srv.Ledger().Count(o.tenant, o.cmid) > 1 {
			ambiguousAccepted++
			if !o.res.Ambiguous {
				t.Errorf("%s was delivered %d times but not flagged ambiguous", o.cmid, srv.Ledger().Count(o.tenant, o.cmid))
			}
		}
	}
	if accepted != n || failed != 0 {
		t.Fatalf("%d accepted and %d failed, want all %d accepted (the run's deadline allows it)", accepted, failed, n)
	}
	check := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: metrics say %d, want %d", what, got, want)
		}
	}
	check("sends accepted = ledger's unique messages", sum(t, rm, MetricSends, AttrOutcome.String("accepted")), int64(srv.Ledger().Unique()))
	check("sends accepted = client's results", sum(t, rm, MetricSends, AttrOutcome.String("accepted")), accepted)
	check("sends failed", sum(t, rm, MetricSends, AttrOutcome.String("failed")), failed)
	check("messages", sum(t, rm, MetricMessages), n)
	check("accepted ambiguous = messages the ledger has more than once",
		sum(t, rm, MetricSends, AttrOutcome.String("accepted"), AttrAmbiguous.Bool(true)), ambiguousAccepted)
	// Only accepted-then-500 answers 500 here, and each leaves one extra copy.
	check("500s = ledger's duplicates", sum(t, rm, MetricAttempts, AttrHTTPStatus.Int(500)), int64(srv.Ledger().Duplicates()))
	check("attempts = emulator's requests", sum(t, rm, MetricAttempts), st.Requests)
	for status, cnt := range st.Responses {
		check("attempts with status "+strconv.Itoa(status), sum(t, rm, MetricAttempts, AttrHTTPStatus.Int(status)), cnt)
	}
	check("429s by scope = emulator's 429s", sum(t, rm, MetricThrottles), st.Responses[429])
	check("retries = client's attempts beyond the first", sum(t, rm, MetricRetries), retries)
	check("breaker opens = the client's hook", sum(t, rm, MetricBreakerChanges, AttrBreakerTo.String("open")), run.opens)
	check("budget holds = the client's hook", sum(t, rm, MetricBudgetRefusals, AttrBudgetResult.String("held")), run.held)
	check("request durations recorded", int64(histCount(t, rm, MetricRequestLatency)), st.Requests)
	check("send durations recorded", int64(histCount(t, rm, MetricSendDuration)), n)
	if w := int64(histCount(t, rm, MetricLimiterWait)); w == 0 || w > st.Requests {
		t.Errorf("%d limiter waits recorded, want some (the client's rate is below the offered load) and at most one per request (%d)", w, st.Requests)
	}
	if run.opens == 0 || st.Responses[429] == 0 || srv.Ledger().Duplicates() == 0 {
		t.Errorf("the run had %d breaker opens, %d 429s, %d duplicates: the faults did not bite", run.opens, st.Responses[429], srv.Ledger().Duplicates())
	}
	for tenant := range values(t, rm, MetricSends, AttrTenant) {
		want := int64(n / len(runTenants))
		check("sends of "+tenant, sum(t, rm, MetricSends, AttrTenant.String(tenant)), want)
	}
	if got := sum(t, rm, MetricAttempts, AttrServerAddr.String("127.0.0.1")); got != st.Requests {
		t.Errorf("%d attempts carry server.address 127.0.0.1, want all %d", got, st.Requests)
	}
	t.Logf("%d requests, %v by status, %d duplicates, %d breaker opens, %d retries, %d budget holds",
		st.Requests, st.Responses, srv.Ledger().Duplicates(), run.opens, retries, run.held)
}

// The gauges: breakers open now (none once the run is over, the closes
// counted), the breaker's state per region key, the adaptive rate per
// tenant.
func TestGaugesAfterFaultRun(t *testing.T) {
	mp, collect := newReader(t)
	run, _ := runFaults(t, 120, Options{MeterProvider: mp, MaxTenants: 10})
	rm := collect()
	g := find(t, rm, MetricBreakersOpen)
	if pts := gaugeInt(g); len(pts) != 1 || pts[0].Value != 0 {
		t.Errorf("%s = %+v, want 0 after the recovery", MetricBreakersOpen, pts)
	}
	st := gaugeInt(find(t, rm, MetricBreakerState))
	if run.opens > 0 && (len(st) != 1 || st[0].Value != 0 || !match(st[0].Attributes, AttrServerAddr.String("127.0.0.1"))) {
		t.Errorf("%s = %+v, want one closed region breaker at 127.0.0.1", MetricBreakerState, st)
	}
	rates := values(t, rm, MetricLimiterRate, AttrTenant)
	if len(rates) != len(runTenants) {
		t.Errorf("the rate gauge reports tenants %v, want %v", rates, runTenants)
	}
	if o := sum(t, rm, MetricBreakerChanges, AttrBreakerFrom.String("open")); o != run.opens {
		t.Errorf("%d transitions out of open, want %d (every open breaker recovered)", o, run.opens)
	}
}
