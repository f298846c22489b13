package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jsonlInput returns n JSONL messages; lines listed in bad are not JSON.
func jsonlInput(n int, bad ...int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		isBad := false
		for _, x := range bad {
			isBad = isBad || x == i
		}
		if isBad {
			b.WriteString("{oops\n")
			continue
		}
		fmt.Fprintf(&b, `{"destination":"+659%07d","text":"m%d","clientMessageId":"id-%d"}`+"\n", i, i, i)
	}
	return b.String()
}

// memResults collects records (a syncWriter on top of a parser).
type memResults struct {
	mu    sync.Mutex
	lines []string
	fail  error
}

func (m *memResults) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	m.lines = append(m.lines, string(p))
	return len(p), nil
}
func (m *memResults) Sync() error  { return nil }
func (m *memResults) Close() error { return nil }

func (m *memResults) records(t *testing.T) map[int]record {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int]record{}
	var torn bool
	err := scanResults(strings.NewReader(strings.Join(m.lines, "")), "mem", func(_ []byte, r *record) {
		out[r.Line] = *r
	}, &torn)
	if err != nil || torn {
		t.Fatalf("results do not scan: err %v torn %v", err, torn)
	}
	return out
}

func newRun(t *testing.T, input string, send sendFunc, concurrency int) (*bulkRun, *memResults) {
	t.Helper()
	in, err := newInputReader(strings.NewReader(input), "in.jsonl", formatJSONL, "sub")
	if err != nil {
		t.Fatal(err)
	}
	res := &memResults{}
	return &bulkRun{In: in, Send: send, Concurrency: concurrency, Results: newResultsWriter(res, time.Hour), Stats: &bulkStats{}}, res
}

func accept(_ context.Context, m *message) record {
	return record{Line: m.Line, ClientMessageID: m.ClientMessageID, SubAccount: m.SubAccount, Status: statusAccepted, Attempts: 1, UMID: "u" + strconv.Itoa(m.Line)}
}

func TestBulkOneRecordPerLine(t *testing.T) {
	const n = 500
	var sent sync.Map
	var inFlight, maxInFlight atomic.Int64
	send := func(ctx context.Context, m *message) record {
		if _, dup := sent.LoadOrStore(m.Line, true); dup {
			t.Errorf("line %d sent twice", m.Line)
		}
		cur := inFlight.Add(1)
		for {
			old := maxInFlight.Load()
			if cur <= old || maxInFlight.CompareAndSwap(old, cur) {
				break
			}
		}
		time.Sleep(100 * time.Microsecond)
		inFlight.Add(-1)
		r := accept(ctx, m)
		if m.Line%7 == 0 {
			r.Status, r.Error, r.Attempts = statusFailed, "boom", 3
		}
		return r
	}
	run, res := newRun(t, jsonlInput(n, 10, 20), send, 8)
	if err := run.Run(make(chan struct{}), context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := res.records(t)
	if len(recs) != n || len(res.lines) != n {
		t.Fatalf("%d records (%d lines) for %d input lines", len(recs), len(res.lines), n)
	}
	wantFailed := 0
	for i := 1; i <= n; i++ {
		r, ok := recs[i]
		switch {
		case !ok:
			t.Fatalf("no record for line %d", i)
		case i == 10 || i == 20:
			if r.Status != statusFailed || !strings.Contains(r.Error, "bad JSON") {
				t.Errorf("line %d: %+v, want a bad-JSON failure", i, r)
			}
			if _, was := sent.Load(i); was {
				t.Errorf("bad line %d was sent", i)
			}
			wantFailed++
		case i%7 == 0:
			wantFailed++
		default:
			if r.Status != statusAccepted || r.ClientMessageID != "id-"+strconv.Itoa(i) || r.SubAccount != "sub" {
				t.Errorf("line %d: %+v", i, r)
			}
		}
	}
	if m := maxInFlight.Load(); m > 8 || m < 2 {
		t.Errorf("max sends in flight = %d, want 2..8 (concurrency 8)", m)
	}
	s := run.Stats
	if s.Done.Load() != n || s.Failed.Load() != int64(wantFailed) || s.Accepted.Load() != int64(n-wantFailed) {
		t.Errorf("stats done %d failed %d accepted %d", s.Done.Load(), s.Failed.Load(), s.Accepted.Load())
	}
	if got, want := s.Retries.Load(), int64(2*(n/7)); got != want { // 3 attempts on every 7th line
		t.Errorf("retries = %d, want %d", got, want)
	}
}

func TestBulkStopCancelsTheRest(t *testing.T) {
	const n, conc = 200, 4
	stop := make(chan struct{})
	release := make(chan struct{})
	var started atomic.Int64
	send := func(ctx context.Context, m *message) record {
		if started.Add(1) == conc {
			close(stop) // Ctrl-C while conc sends are in flight
		}
		<-release
		return accept(ctx, m)
	}
	run, res := newRun(t, jsonlInput(n), send, conc)
	done := make(chan error)
	go func() { done <- run.Run(stop, context.Background()) }()
	<-stop
	time.Sleep(20 * time.Millisecond) // let the dispatcher see stop
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	recs := res.records(t)
	if len(recs) != n {
		t.Fatalf("%d records for %d lines", len(recs), n)
	}
	accepted, canceled := 0, 0
	for _, r := range recs {
		switch {
		case r.Status == statusAccepted:
			accepted++
		case r.Error == errCanceled && !r.Ambiguous && r.Attempts == 0 && r.ClientMessageID != "":
			canceled++
		default:
			t.Errorf("unexpected record %+v", r)
		}
	}
	if int64(accepted) != started.Load() || accepted != conc {
		t.Errorf("accepted %d, sends started %d, want %d (the ones in flight at stop)", accepted, started.Load(), conc)
	}
	if canceled != n-conc || run.Stats.Canceled.Load() != int64(n-conc) {
		t.Errorf("canceled %d (stats %d), want %d", canceled, run.Stats.Canceled.Load(), n-conc)
	}
}

func TestBulkAbortEndsSendsInFlight(t *testing.T) {
	stop := make(chan struct{})
	hard := make(chan struct{})
	abort, cancel := abortAfter(context.Background(), stop, hard, time.Hour)
	defer cancel()
	var started atomic.Int64
	send := func(ctx context.Context, m *message) record {
		if started.Add(1) == 2 {
			close(stop)
			close(hard) // a second Ctrl-C
		}
		<-ctx.Done()
		r := failedRecord(m, errCanceled)
		r.Attempts, r.Ambiguous = 1, true
		return r
	}
	run, res := newRun(t, jsonlInput(50), send, 2)
	finished := make(chan error)
	go func() { finished <- run.Run(stop, abort) }()
	select {
	case err := <-finished:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end after the abort")
	}
	recs := res.records(t)
	if len(recs) != 50 {
		t.Fatalf("%d records, want 50", len(recs))
	}
	if run.Stats.Ambiguous.Load() != 2 {
		t.Errorf("%d ambiguous records, want the 2 aborted in flight", run.Stats.Ambiguous.Load())
	}
}

func TestAbortAfterGrace(t *testing.T) {
	stop, hard := make(chan struct{}), make(chan struct{})
	ctx, cancel := abortAfter(context.Background(), stop, hard, 30*time.Millisecond)
	defer cancel()
	select {
	case <-ctx.Done():
		t.Fatal("canceled before stop")
	case <-time.After(50 * time.Millisecond):
	}
	close(stop)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("not canceled after the grace period")
	}
}

func TestBulkResumeSkipsAndInterrupts(t *testing.T) {
	const n = 20
	var sent sync.Map
	send := func(ctx context.Context, m *message) record {
		sent.Store(m.Line, true)
		return accept(ctx, m)
	}
	for _, resend := range []bool{false, true} {
		t.Run(fmt.Sprintf("resend=%v", resend), func(t *testing.T) {
			sent.Clear()
			run, res := newRun(t, jsonlInput(n), send, 3)
			run.Done = map[int]uint64{1: idHash("id-1"), 2: idHash("id-2"), 5: idHash("id-5")}
			run.Interrupted = map[int]bool{3: true, 4: true}
			run.ResendInterrupted = resend
			if err := run.Run(make(chan struct{}), context.Background()); err != nil {
				t.Fatal(err)
			}
			recs := res.records(t)
			if len(recs) != n-3 {
				t.Errorf("%d records, want %d (3 lines done before)", len(recs), n-3)
			}
			for _, l := range []int{1, 2, 5} {
				if _, ok := recs[l]; ok {
					t.Errorf("line %d was done before but got a record", l)
				}
				if _, ok := sent.Load(l); ok {
					t.Errorf("line %d was done before but was sent", l)
				}
			}
			for _, l := range []int{3, 4} {
				_, wasSent := sent.Load(l)
				r := recs[l]
				if resend {
					if !wasSent || r.Status != statusAccepted {
						t.Errorf("line %d: sent %v record %+v, want sent again", l, wasSent, r)
					}
				} else if wasSent || r.Status != statusFailed || !r.Ambiguous || r.Error != errInterrupted {
					t.Errorf("line %d: sent %v record %+v, want an interrupted ambiguous failure, not sent", l, wasSent, r)
				}
			}
			if run.Stats.Skipped.Load() != 3 {
				t.Errorf("skipped %d, want 3", run.Stats.Skipped.Load())
			}
		})
	}
}

func TestBulkResumeMismatch(t *testing.T) {
	run, _ := newRun(t, jsonlInput(5), accept, 1)
	run.Done = map[int]uint64{2: idHash("something-else")}
	if err := run.Run(make(chan struct{}), context.Background()); !errors.Is(err, errInputMismatch) {
		t.Fatalf("err = %v, want errInputMismatch", err)
	}
}

func TestBulkJournalBeforeSend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.jsonl.journal")
	j, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	send := func(ctx context.Context, m *message) record {
		started, err := readJournal(path)
		if err != nil || !started[m.Line] {
			t.Errorf("line %d sent before its journal entry (err %v)", m.Line, err)
		}
		return accept(ctx, m)
	}
	run, _ := newRun(t, jsonlInput(30, 4), send, 4)
	run.Journal = j
	if err := run.Run(make(chan struct{}), context.Background()); err != nil {
		t.Fatal(err)
	}
	started, _ := readJournal(path)
	if len(started) != 29 || started[4] {
		t.Errorf("journal has %d lines (bad line 4 in it: %v), want the 29 sent", len(started), started[4])
	}
}

func TestBulkResultsWriteFailureStops(t *testing.T) {
	var sends atomic.Int64
	send := func(ctx context.Context, m *message) record {
		sends.Add(1)
		time.Sleep(time.Millisecond)
		return accept(ctx, m)
	}
	run, res := newRun(t, jsonlInput(1000), send, 2)
	res.fail = errors.New("disk full")
	err := run.Run(make(chan struct{}), context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the write error", err)
	}
	if s := sends.Load(); s > 20 {
		t.Errorf("%d messages sent after the results file broke, want it to stop at once", s)
	}
}

func TestLockResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.jsonl")
	unlock, err := lockResults(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockResults(out); err == nil || !strings.Contains(err.Error(), "another octosend bulk") {
		t.Errorf("second lock: %v, want refused", err)
	}
	unlock()
	unlock2, err := lockResults(out)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}
