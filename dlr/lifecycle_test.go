package dlr

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
)

var t0 = time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC)

// blocking returns an OnReceipt that signals started and then waits for
// release on its first call, and a sink that records every call.
func blocking() (func(Receipt), *sink, chan struct{}, chan struct{}) {
	s := newSink()
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	return func(r Receipt) {
		once.Do(func() {
			close(started)
			<-release
		})
		s.onReceipt(r)
	}, s, started, release
}

func TestBackpressure(t *testing.T) {
	clk := clock.NewFake(t0)
	on, s, started, release := blocking()
	rv, srv, _ := serve(t, Config{OnReceipt: on, QueueSize: 1, Clock: clk})
	if got := post(t, srv, testAuth, smsDLR("a", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusOK {
		t.Fatalf("a: %d", got)
	}
	<-started // the worker holds a; the queue is empty
	if got := post(t, srv, testAuth, smsDLR("b", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusOK {
		t.Fatalf("b: %d", got)
	}
	// The queue is full: c waits QueueWait (2 s of fake time), then 503.
	done := make(chan int)
	go func() { done <- post(t, srv, testAuth, smsDLR("c", "sent", "", "2026-08-01T02:00:00Z")) }()
	clk.AwaitTimers(t, 1)
	clk.Advance(2*time.Second - time.Nanosecond)
	select {
	case got := <-done:
		t.Fatalf("c answered %d before QueueWait", got)
	default:
	}
	clk.Advance(time.Nanosecond)
	if got := <-done; got != http.StatusServiceUnavailable {
		t.Fatalf("c: %d, want 503", got)
	}
	if st := rv.Stats(); st.Busy != 1 || st.Queued != 1 {
		t.Fatalf("stats %+v", st)
	}
	close(release)
	s.wait(t, 2)
	// Nothing was recorded for c: 8x8's redelivery is taken.
	if got := post(t, srv, testAuth, smsDLR("c", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusOK {
		t.Fatalf("c again: %d", got)
	}
	s.wait(t, 1)
	if st := settled(t, rv); st.Receipts != 3 || st.Duplicates != 0 || st.Busy != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestBackpressureNoWait(t *testing.T) {
	on, _, started, release := blocking()
	rv, srv, _ := serve(t, Config{OnReceipt: on, QueueSize: 1, QueueWait: -1})
	defer close(release)
	post(t, srv, testAuth, smsDLR("a", "sent", "", "2026-08-01T02:00:00Z"))
	<-started
	post(t, srv, testAuth, smsDLR("b", "sent", "", "2026-08-01T02:00:00Z"))
	if got := post(t, srv, testAuth, smsDLR("c", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusServiceUnavailable {
		t.Fatalf("c: %d, want 503 at once", got)
	}
	// A duplicate of what is queued needs no room: 200 at once.
	if got := post(t, srv, testAuth, smsDLR("b", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusOK {
		t.Fatalf("b again: %d", got)
	}
	if st := rv.Stats(); st.Busy != 1 || st.Duplicates != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestShutdownDrains(t *testing.T) {
	on, s, started, release := blocking()
	rv, err := New(Config{Authorization: []string{testAuth}, OnReceipt: on, QueueSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got := recorder(rv, testAuth, smsDLR(fmt.Sprint("m", i), "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusOK {
			t.Fatalf("%d: %d", i, got)
		}
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := rv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown with a callback stuck = %v, want context.Canceled", err)
	}
	if got := recorder(rv, testAuth, smsDLR("late", "sent", "", "2026-08-01T02:00:00Z")); got != http.StatusServiceUnavailable {
		t.Fatalf("after Shutdown: %d, want 503", got)
	}
	close(release)
	if err := rv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.wait(t, 4)
	if st := rv.Stats(); st.Receipts != 4 || st.Closed != 1 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestShutdownEndsQueueWait(t *testing.T) {
	on, _, started, release := blocking()
	rv, err := New(Config{Authorization: []string{testAuth}, OnReceipt: on, QueueSize: 1, QueueWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	recorder(rv, testAuth, smsDLR("a", "sent", "", "2026-08-01T02:00:00Z"))
	<-started
	recorder(rv, testAuth, smsDLR("b", "sent", "", "2026-08-01T02:00:00Z"))
	done := make(chan int)
	go func() { done <- recorder(rv, testAuth, smsDLR("c", "sent", "", "2026-08-01T02:00:00Z")) }()
	for rv.Stats().Requests < 3 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(release)
	}()
	if err := rv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != http.StatusServiceUnavailable {
		t.Errorf("waiting request: %d, want 503", got)
	}
	if st := rv.Stats(); st.Closed != 1 || st.Receipts != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestStateTTLAndEviction(t *testing.T) {
	clk := clock.NewFake(t0)
	rv, srv, s := serve(t, Config{Clock: clk, StateTTL: time.Hour, MaxTracked: 2})
	sent := smsDLR("a", "sent", "", "2026-08-01T02:00:00Z")
	post(t, srv, testAuth, sent)
	s.wait(t, 1)
	clk.Advance(time.Hour - time.Nanosecond)
	post(t, srv, testAuth, sent) // still held: a duplicate
	clk.Advance(time.Nanosecond)
	post(t, srv, testAuth, sent) // expired: handed over again
	s.wait(t, 1)
	if st := settled(t, rv); st.Receipts != 2 || st.Duplicates != 1 || st.Tracked != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Three messages in a tracker of two: the least recently updated goes.
	for _, u := range []string{"b", "c", "d"} {
		post(t, srv, testAuth, smsDLR(u, "delivered", "delivered_to_recipient", "2026-08-01T02:00:00Z"))
	}
	s.wait(t, 3)
	post(t, srv, testAuth, smsDLR("b", "sent", "", "2026-08-01T01:00:00Z")) // b was evicted: taken as new
	s.wait(t, 1)
	post(t, srv, testAuth, smsDLR("d", "sent", "", "2026-08-01T01:00:00Z")) // d is held: stale
	st := settled(t, rv)
	if st.Receipts != 6 || st.Stale != 1 || st.Tracked != 2 || st.Evicted != 3 {
		t.Errorf("stats %+v, want 6 receipts, 1 stale, 2 tracked, 3 evicted (a, b, c)", st)
	}
	got, _ := s.all()
	if last := got[len(got)-1]; last.UMID != "b" || last.Previous != "" || !last.ReceivedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("last receipt %+v", last)
	}
}

func TestCallbackPanic(t *testing.T) {
	s := newSink()
	first := true
	rv, srv, _ := serve(t, Config{OnReceipt: func(r Receipt) {
		if first {
			first = false
			panic("callback bug")
		}
		s.onReceipt(r)
	}})
	post(t, srv, testAuth, smsDLR("a", "sent", "", "2026-08-01T02:00:00Z"))
	post(t, srv, testAuth, smsDLR("b", "sent", "", "2026-08-01T02:00:00Z"))
	s.wait(t, 1)
	if st := settled(t, rv); st.CallbackPanics != 1 || st.Receipts != 2 {
		t.Errorf("stats %+v", st)
	}
}

// rawPost writes a request with Content-Length n and only body on a raw
// connection, then (with closeWrite) half-closes it, and returns the
// status line of the answer.
func rawPost(t *testing.T, addr string, n int, body string, closeWrite bool) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n%s", testAuth, n, body)
	if closeWrite {
		conn.(*net.TCPConn).CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func TestBodyNotWhole(t *testing.T) {
	rv, srv, _ := serve(t, Config{ReadTimeout: 100 * time.Millisecond})
	addr := strings.TrimPrefix(srv.URL, "http://")
	body := smsDLR("a", "sent", "", "2026-08-01T02:00:00Z")
	if got := rawPost(t, addr, len(body)+10, body, true); !strings.Contains(got, " 400 ") {
		t.Errorf("truncated body: %q, want 400", got)
	}
	// A body that stops coming: the read deadline ends it.
	if got := rawPost(t, addr, len(body)+10, body, false); !strings.Contains(got, " 400 ") {
		t.Errorf("stalled body: %q, want 400", got)
	}
	// Content-Length over the limit: answered without reading.
	if got := rawPost(t, addr, 1<<30, "", false); !strings.Contains(got, " 200 ") {
		t.Errorf("huge Content-Length: %q, want 200", got)
	}
	if st := settled(t, rv); st.ReadFailed != 2 || st.Oversize != 1 || st.Receipts != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestChunkedOversize(t *testing.T) {
	rv, srv, _ := serve(t, Config{MaxBodyBytes: 4096})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, io.MultiReader(strings.NewReader(`{"x":"`),
		strings.NewReader(strings.Repeat("a", 1<<20)), strings.NewReader(`"}`)))
	req.Header.Set("Authorization", testAuth)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || req.ContentLength != 0 {
		t.Fatalf("status %d (content length %d)", resp.StatusCode, req.ContentLength)
	}
	if st := settled(t, rv); st.Oversize != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestConcurrentOutOfOrder posts every state of many messages, each state
// twice, in a scrambled order from several goroutines: each message's
// receipts must come out in rising rank, ending at its best state.
func TestConcurrentOutOfOrder(t *testing.T) {
	rv, srv, s := serve(t, Config{Workers: 3})
	states := []struct{ state, detail string }{
		{"queued", ""}, {"sent", ""}, {"delivered", "delivered_to_operator"}, {"delivered", "delivered_to_recipient"},
	}
	const msgs = 40
	var bodies []string
	for m := range msgs {
		for i, st := range states {
			b := smsDLR(fmt.Sprint("m", m), st.state, st.detail, fmt.Sprintf("2026-08-01T02:00:%02dZ", i))
			bodies = append(bodies, b, b)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := len(bodies) - 1 - g; i >= 0; i -= 4 { // newest first, mostly
				if got := post(t, srv, testAuth, bodies[(i*7)%len(bodies)]); got != http.StatusOK {
					t.Errorf("status %d", got)
				}
			}
		}()
	}
	wg.Wait()
	st := settled(t, rv)
	got, _ := s.all()
	last := map[string]int{}
	for _, r := range got {
		rank := r.Rank()
		if prev, ok := last[r.UMID]; ok && rank <= prev {
			t.Errorf("%s: rank %d after %d", r.UMID, rank, prev)
		}
		last[r.UMID] = rank
	}
	for m := range msgs {
		if last[fmt.Sprint("m", m)] != envelope.RankOutcome {
			t.Errorf("m%d ends at rank %d", m, last[fmt.Sprint("m", m)])
		}
	}
	if st.Requests != uint64(len(bodies)) || st.Receipts != uint64(len(got)) ||
		st.Receipts+st.Duplicates+st.Stale != st.Requests {
		t.Errorf("stats %+v, %d handed over", st, len(got))
	}
}
