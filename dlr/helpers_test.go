package dlr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind: every
// Receiver's workers end with Shutdown.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testAuth = "Bearer 9QQhlsEb8VY"

// sink collects what the callbacks receive.
type sink struct {
	mu       sync.Mutex
	receipts []Receipt
	inbound  []Inbound
	got      chan struct{} // one send per event, buffered
}

func newSink() *sink { return &sink{got: make(chan struct{}, 1024)} }

func (s *sink) onReceipt(r Receipt) {
	s.mu.Lock()
	s.receipts = append(s.receipts, r)
	s.mu.Unlock()
	s.got <- struct{}{}
}

func (s *sink) onInbound(m Inbound) {
	s.mu.Lock()
	s.inbound = append(s.inbound, m)
	s.mu.Unlock()
	s.got <- struct{}{}
}

// wait waits (in real time, at most 10 s) for n more events.
func (s *sink) wait(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-s.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out waiting for an event")
		}
	}
}

func (s *sink) all() ([]Receipt, []Inbound) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Receipt(nil), s.receipts...), append([]Inbound(nil), s.inbound...)
}

// serve starts a Receiver for c (OnReceipt and OnInbound going to a new
// sink unless set) behind a loopback server, shut down at cleanup.
func serve(t *testing.T, c Config) (*Receiver, *httptest.Server, *sink) {
	t.Helper()
	s := newSink()
	if c.Authorization == nil && !c.AllowUnauthenticated {
		c.Authorization = []string{testAuth}
	}
	if c.OnReceipt == nil {
		c.OnReceipt = s.onReceipt
	}
	if c.OnInbound == nil {
		c.OnInbound = s.onInbound
	}
	rv, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return rv, srv, s
}

// post sends body with the given Authorization ("" for none) and returns
// the status.
func post(t *testing.T, srv *httptest.Server, auth, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhook", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// smsDLR returns an SMS receipt body for umid in state/detail at ts.
func smsDLR(umid, state, detail, ts string) string {
	return `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{"umid":"` + umid +
		`","clientMessageId":"cm-` + umid + `","destination":"+6591234567","status":{"state":"` + state +
		`","detail":"` + detail + `","timestamp":"` + ts + `"},"smsCount":1}}`
}

// settled waits until every request counted has an outcome and the queue
// is empty, and returns the stats.
func settled(t *testing.T, rv *Receiver) Stats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := rv.Stats()
		if outcomes(st) == st.Requests && st.Queued == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never settled: %+v", st)
		}
		time.Sleep(time.Millisecond)
	}
}

func outcomes(s Stats) uint64 {
	return s.Receipts + s.Inbound + s.Duplicates + s.Stale + s.Ignored + s.Malformed + s.Oversize +
		s.Unsupported + s.Unauthorized + s.BadMethod + s.ReadFailed + s.Busy + s.Closed
}

// recorder serves one POST in process (no socket) and returns the status.
func recorder(h http.Handler, auth, body string) int {
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}
