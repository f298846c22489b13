package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
)

// inflightServer serves the emulator behind a gate that records how many
// requests are in the handler at once. With want > 1 each request waits
// (at most 10 s) until want are in flight, so chunks sent one after another
// cannot reach want.
type inflightServer struct {
	mu        sync.Mutex
	now, peak int
	want      int
	emu       *emulator.Server
	srv       *httptest.Server
}

func newInflightServer(t *testing.T, want int) *inflightServer {
	t.Helper()
	emu, err := emulator.New(emulator.Config{APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	s := &inflightServer{want: want, emu: emu}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.now++
		s.peak = max(s.peak, s.now)
		give := time.Now().Add(10 * time.Second)
		for s.want > 1 && s.peak < s.want && time.Now().Before(give) {
			s.mu.Unlock()
			time.Sleep(time.Millisecond)
			s.mu.Lock()
		}
		s.mu.Unlock()
		emu.ServeHTTP(w, r)
		s.mu.Lock()
		s.now--
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestBatchChunksConcurrent(t *testing.T) {
	const n = 2*MaxSMSBatch + 500 // three chunks
	dests := make([]string, n)
	for i := range dests {
		dests[i] = "+6590" + strconv.Itoa(100000+i)
	}
	for _, tc := range []struct {
		name     string
		conc     int
		wantPeak int
	}{
		{"default", 0, 3},
		{"sequential", 1, 1},
		{"two", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newInflightServer(t, tc.wantPeak)
			cfg := testConfig(s.srv.URL, clock.NewFake(t0), 0)
			cfg.BatchConcurrency = tc.conc
			c := newClient(t, cfg)
			res, err := c.SendBatch(context.Background(), "acme", Batch{
				Template: SMSTemplate{Text: "Flash sale"}, Destinations: dests,
			})
			if err != nil {
				t.Fatalf("SendBatch: %v", err)
			}
			if res.Accepted != n || res.Requests != 3 || len(res.BatchIDs) != 3 {
				t.Fatalf("accepted %d of %d in %d requests with %d batch ids, want all in 3", res.Accepted, n, res.Requests, len(res.BatchIDs))
			}
			if s.peak != tc.wantPeak {
				t.Errorf("peak requests in flight = %d, want %d", s.peak, tc.wantPeak)
			}
			for i, m := range res.Messages {
				if m.State != StateAccepted || m.UMID == "" {
					t.Fatalf("message %d: state %v umid %q", i, m.State, m.UMID)
				}
			}
			// Every message was taken exactly once, and results line up with
			// the input whatever order the chunks finished in.
			if got, uniq := s.emu.Ledger().Accepted(), s.emu.Ledger().Unique(); got != n || uniq != n {
				t.Errorf("ledger holds %d messages (%d unique), want %d once each", got, uniq, n)
			}
		})
	}
}

func TestBatchConcurrencyNegativeRefused(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1", clock.NewFake(t0), 0)
	cfg.BatchConcurrency = -1
	if _, err := New(cfg); err == nil {
		t.Fatal("New accepted BatchConcurrency -1")
	}
}

// BenchmarkSendBatch50k sends a 50,000-message batch (five chunks) to the
// emulator, which takes 20 ms per request as a distant API would: one
// chunk at a time against the default concurrency.
func BenchmarkSendBatch50k(b *testing.B) {
	const n = 50_000
	dests := make([]string, n)
	for i := range dests {
		dests[i] = "+6590" + strconv.Itoa(100000+i)
	}
	for _, bc := range []struct {
		name string
		conc int
	}{{"sequential", 1}, {"concurrent", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			emu, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: testKey, Latency: 20 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			defer emu.Close()
			c, err := New(Config{APIKey: testKey, BaseURL: emu.URL(), BatchConcurrency: bc.conc})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			batch := Batch{Template: SMSTemplate{Text: "Flash sale"}, Destinations: dests}
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.SendBatch(context.Background(), "acme", batch)
				if err != nil || res.Accepted != n {
					b.Fatalf("accepted %d of %d: %v", res.Accepted, n, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msg/s")
		})
	}
}
