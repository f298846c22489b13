package telemetry

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
)

const okBody = `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"bench-1","destination":"6591234567",` +
	`"encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`

const unavailable = `{"code":2000,"message":"Service unavailable","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`

// benchServer answers every request 200, or, with failEvery n > 1, 503
// to the first n-1 attempts of each message (by clientMessageId), so that
// each send takes n attempts, however many are in flight.
func benchServer(tb testing.TB, failEvery int) *httptest.Server {
	var mu sync.Mutex
	seen := make(map[string]int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if failEvery > 1 {
			cmid := body
			if i := bytes.Index(cmid, []byte(`"clientMessageId":"`)); i >= 0 {
				cmid = cmid[i+19:]
				if j := bytes.IndexByte(cmid, '"'); j >= 0 {
					cmid = cmid[:j]
				}
			}
			mu.Lock()
			n := seen[string(cmid)] + 1
			seen[string(cmid)] = n
			if n >= failEvery {
				delete(seen, string(cmid))
			}
			mu.Unlock()
			if n < failEvery {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, unavailable)
				return
			}
		}
		_, _ = io.WriteString(w, okBody)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// mode is how a benchmark's client is instrumented.
type mode int

const (
	bare          mode = iota // no telemetry
	metricsOnly               // metrics to an SDK meter provider, tracing off
	metricsTraces             // metrics, and spans to an SDK tracer provider (no exporter)
)

var modeNames = [...]string{"bare", "metrics", "metrics+traces"}

// benchConfig is a client configuration for url, with retries that never
// wait long and never trip a breaker or exhaust a budget (so every send
// makes the same attempts), and a limiter that never waits.
func benchConfig(tb testing.TB, url string) client.Config {
	pol, err := policy.New(policy.Config{
		Retry:  policy.Retry{MaxAttempts: 5, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond},
		Budget: policy.BudgetConfig{Disabled: true},
		Limits: policy.Limits{Rate: policy.MaxRate, Burst: 100000}, // the limiter never waits
	})
	if err != nil {
		tb.Fatal(err)
	}
	return client.Config{APIKey: testKey, BaseURL: url, Policy: pol, Breaker: breaker.Config{MinRequests: 1 << 20}}
}

// benchClient returns a client to url (benchConfig) instrumented as m.
func benchClient(tb testing.TB, url string, m mode) *client.Client {
	tb.Helper()
	cfg := benchConfig(tb, url)
	if m != bare {
		benchTelemetry(tb, m).Instrument(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// benchSMS is the message every benchmark sends; the client mints its
// clientMessageId (a UUID) per send.
var benchSMS = client.SMS{Destination: "+6591234567", Text: "Your code is 482913"}

// BenchmarkSend compares a send without telemetry, with metrics (tracing
// off), and with metrics and traces (spans to an SDK tracer provider
// without exporter), in one run, over loopback: the server's work is in
// every number alike. "once" sends take one attempt, "retried" three.
//
// The per-mode sub-benchmarks give ns/op and allocs/op. On a shared
// machine their times drift by more than the 5% at stake, so the
// "interleaved" sub-benchmarks send through one client with its
// telemetry switched off and on in turn, interleaveBlock sends each in a
// random order, and charge each the process's CPU time (user and system,
// getrusage) its sends took (a block's trailing server work spills into
// the next one's, whatever its mode): their overhead-% is the figure the
// ≤5% budget is about.
func BenchmarkSend(b *testing.B) {
	for _, attempts := range []int{1, 3} {
		srv := benchServer(b, attempts)
		name := "once"
		if attempts > 1 {
			name = "retried"
		}
		for m := bare; m <= metricsTraces; m++ {
			b.Run(name+"/"+modeNames[m], func(b *testing.B) {
				c := benchClient(b, srv.URL, m)
				ctx := context.Background()
				if _, err := c.SendSMS(ctx, "acme_hq", benchSMS); err != nil { // warm the pool and the caches
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.SendSMS(ctx, "acme_hq", benchSMS); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(name+"/interleaved-metrics", func(b *testing.B) { interleave(b, srv.URL, metricsOnly) })
		b.Run(name+"/interleaved-traces", func(b *testing.B) { interleave(b, srv.URL, metricsTraces) })
		b.Run(name+"/interleaved-none", func(b *testing.B) { interleave(b, srv.URL, bare) }) // the measurement's own noise
	}
}

// benchTelemetry returns the Telemetry of mode m (not bare): metrics to a
// manual reader, and with metricsTraces an SDK tracer provider sampling
// every send; both are shut down at the end of tb.
func benchTelemetry(tb testing.TB, m mode) *Telemetry {
	tb.Helper()
	mp, _ := newReader(tb)
	opts := Options{MeterProvider: mp, TracerProvider: noop.NewTracerProvider()}
	if m == metricsTraces {
		tp := sdktrace.NewTracerProvider()
		tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		opts.TracerProvider = tp
	}
	tel, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tel.Close() })
	return tel
}

// switchable returns a client to url whose telemetry (mode m) works only
// while on is true: the same client, connections and server with and
// without telemetry, so nothing but the telemetry differs between the
// two (two clients differ by a few percent by themselves here, whichever
// is made first).
func switchable(tb testing.TB, url string, m mode, on *atomic.Bool) *client.Client {
	tb.Helper()
	if m == bare { // nothing to switch: both halves are the same
		return benchClient(tb, url, bare)
	}
	var inst client.Config
	benchTelemetry(tb, m).Instrument(&inst)
	h := inst.Hooks
	ev := func(f func(client.Event)) func(client.Event) {
		if f == nil {
			return nil
		}
		return func(e client.Event) {
			if on.Load() {
				f(e)
			}
		}
	}
	cfg := benchConfig(tb, url)
	cfg.Hooks = client.Hooks{
		OnAttempt: ev(h.OnAttempt), OnRetry: ev(h.OnRetry), OnThrottled: ev(h.OnThrottled), OnDone: ev(h.OnDone),
		OnBreakerStateChange: h.OnBreakerStateChange,
	}
	if h.OnSend != nil {
		cfg.Hooks.OnSend = func(ctx context.Context, e client.Event) context.Context {
			if on.Load() {
				return h.OnSend(ctx, e)
			}
			return nil
		}
	}
	cfg.WrapTransport = inst.WrapTransport // propagates only what OnSend started
	c, err := client.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// interleave sends through one client with its telemetry (mode m) off
// and on in turn, interleaveBlock sends each, in a random order, and
// charges each the process's CPU time its sends took.
func interleave(b *testing.B, url string, m mode) {
	var on atomic.Bool
	c := switchable(b, url, m, &on)
	ctx := context.Background()
	var cpu [2]time.Duration
	rng := rand.New(rand.NewPCG(15, 15))
	for b.Loop() {
		first := rng.IntN(2)
		for k := range 2 {
			i := (first + k) % 2
			on.Store(i == 1)
			t0 := cpuTime()
			var wg sync.WaitGroup
			for range interleaveSenders {
				wg.Go(func() {
					for range interleaveBlock / interleaveSenders {
						if _, err := c.SendSMS(ctx, "acme_hq", benchSMS); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			cpu[i] += cpuTime() - t0
		}
	}
	if cpu[0] <= 0 {
		return // no CPU clock here
	}
	n := float64(b.N * interleaveBlock)
	b.ReportMetric(float64(cpu[0].Nanoseconds())/n, "off-cpu-ns/send")
	b.ReportMetric(float64(cpu[1].Nanoseconds())/n, "on-cpu-ns/send")
	b.ReportMetric(100*(float64(cpu[1])/float64(cpu[0])-1), "overhead-%")
}

// interleaveBlock is how many sends a client makes in a row in the
// interleaved benchmark; one op is a block for each client.
const interleaveBlock = 200

// interleaveSenders is how many goroutines send a block: enough to keep
// the cores busy, so that the CPU time is work, not the scheduler
// spinning while one send waits for its answer.
const interleaveSenders = 8

// BenchmarkHooks is the metrics path alone: what one attempt's and one
// send's hooks cost, to hold against a send's CPU time.
func BenchmarkHooks(b *testing.B) {
	mp, _ := newReader(b)
	tel, err := New(Options{MeterProvider: mp, TracerProvider: noop.NewTracerProvider()})
	if err != nil {
		b.Fatal(err)
	}
	h := tel.Hooks()
	ev := client.Event{Tenant: "acme_hq", Messages: 1, Attempt: 1, Status: 200, Action: policy.ActionOK,
		BaseURL: "https://sms.8x8.com", Latency: 40 * time.Millisecond, Context: context.Background()}
	for name, f := range map[string]func(client.Event){"attempt": h.OnAttempt, "retry": h.OnRetry, "done": h.OnDone} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				f(ev)
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
