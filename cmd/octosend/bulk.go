package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// sendFunc sends one message and returns its record. It must return a
// record for every call (never drop a message): a failure is a record with
// Status failed. ctx ends when in-flight sends must stop (a second signal,
// or the grace period after the first).
type sendFunc func(ctx context.Context, m *message) record

// bulkStats are the live counters of a bulk run, read by the progress
// display while the run goes on.
type bulkStats struct {
	Total    atomic.Int64 // messages in the input, 0 while unknown
	Done     atomic.Int64 // records written this run (skipped lines excluded)
	Skipped  atomic.Int64 // lines already in the results file (--resume)
	Accepted atomic.Int64
	Failed   atomic.Int64
	Canceled atomic.Int64 // failed records with error "canceled"
	// Ambiguous counts every record flagged ambiguous: failed ones that
	// may have been delivered, and accepted ones that may have been
	// delivered twice (AmbiguousAccepted of them).
	Ambiguous         atomic.Int64
	AmbiguousAccepted atomic.Int64
	Retries           atomic.Int64 // attempts beyond the first, over all messages
	Throttled         atomic.Int64 // 429s waited out (fed by the client's hooks)
}

// bulkRun is one bulk send: a dispatcher reading the input, a bounded pool
// of workers calling send, and one writer appending records in completion
// order (the "line" field ties a record to its input line).
type bulkRun struct {
	In          inputReader
	Send        sendFunc
	Concurrency int
	Results     *resultsWriter
	Journal     *journal // nil: no crash protection (tests of the pool alone)
	Stats       *bulkStats

	// Done holds the lines already in the results file (--resume), with
	// the idHash of their clientMessageId, checked against the input so a
	// results file is never resumed with a different input.
	Done map[int]uint64
	// Interrupted holds the lines that were in flight at a crash; they are
	// recorded as failed and ambiguous without sending, unless
	// ResendInterrupted.
	Interrupted       map[int]bool
	ResendInterrupted bool

	// OnRecord, when set, is called by the writer after each record is
	// written (demo uses it to collect outcomes).
	OnRecord func(*record)
}

// errInputMismatch is returned when --resume finds a line whose
// clientMessageId differs from the one in the results file.
var errInputMismatch = errors.New("the results file was written for a different input (clientMessageId of a line differs); refusing to resume")

// Run sends every message of the input and writes exactly one record per
// input message. When stop closes, no new send starts: every message not
// yet started is recorded as failed with error "canceled" (the input is
// still read to its end to name them), and sends in flight run on until
// they end or abort is canceled. Run returns the first fatal error: an
// unreadable input, an unwritable results file or journal, or
// errInputMismatch; records written before it stay valid for --resume.
// recordsPerWorker sizes the buffer between the senders and the results
// writer. A record in that buffer when the process dies is lost with it, so
// a message whose result was buffered counts, after a crash, as in flight:
// --resume reports it interrupted (ambiguous) rather than sending it again.
const recordsPerWorker = 4

func (b *bulkRun) Run(stop <-chan struct{}, abort context.Context) error {
	n := max(b.Concurrency, 1)
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}

	// fatal is the first fatal error; it also stops the run.
	var (
		fatalOnce sync.Once
		fatalErr  error
		halt      = make(chan struct{})
	)
	fatal := func(err error) {
		fatalOnce.Do(func() { fatalErr = err; close(halt) })
	}
	halted := func() bool {
		select {
		case <-halt:
			return true
		default:
			return false
		}
	}

	records := make(chan record, recordsPerWorker*n)
	jobs := make(chan *message)

	// The writer: the only goroutine that touches the results file.
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		broken := false
		for r := range records {
			if broken {
				continue // drain, so that no sender blocks
			}
			if err := b.Results.Write(&r); err != nil {
				broken = true
				fatal(err)
				continue
			}
			b.count(&r)
			if b.OnRecord != nil {
				b.OnRecord(&r)
			}
		}
	}()

	var workers sync.WaitGroup
	for range n {
		workers.Go(func() {
			for m := range jobs {
				if stopped() || halted() {
					records <- failedRecord(m, errCanceled)
					continue
				}
				if b.Journal != nil {
					if err := b.Journal.start(m.Line); err != nil {
						fatal(err)
						records <- failedRecord(m, errCanceled)
						continue
					}
				}
				records <- b.Send(abort, m)
			}
		})
	}

	var readErr error
	for {
		m, err := b.In.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if h, ok := b.Done[m.Line]; ok {
			if m.Err == nil && h != idHash(m.ClientMessageID) {
				readErr = errInputMismatch
				break
			}
			b.Stats.Skipped.Add(1)
			continue
		}
		switch {
		case m.Err != nil:
			records <- failedRecord(&m, m.Err.Error())
		case b.Interrupted[m.Line] && !b.ResendInterrupted:
			r := failedRecord(&m, errInterrupted)
			r.Ambiguous = true
			records <- r
		case stopped() || halted():
			records <- failedRecord(&m, errCanceled)
		default:
			select {
			case jobs <- &m:
			case <-stop:
				records <- failedRecord(&m, errCanceled)
			case <-halt:
				records <- failedRecord(&m, errCanceled)
			}
		}
	}
	close(jobs)
	workers.Wait()
	close(records)
	<-writerDone
	if readErr != nil {
		return readErr
	}
	return fatalErr
}

func (b *bulkRun) count(r *record) {
	s := b.Stats
	s.Done.Add(1)
	if r.Attempts > 1 {
		s.Retries.Add(int64(r.Attempts - 1))
	}
	if r.Ambiguous {
		s.Ambiguous.Add(1)
	}
	if r.Status == statusAccepted {
		s.Accepted.Add(1)
		if r.Ambiguous {
			s.AmbiguousAccepted.Add(1)
		}
		return
	}
	s.Failed.Add(1)
	if r.Error == errCanceled {
		s.Canceled.Add(1)
	}
}

// abortAfter returns a context that is canceled grace after stop closes,
// or at once when hard closes, or when parent ends.
func abortAfter(parent context.Context, stop, hard <-chan struct{}, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-stop:
		case <-hard:
			cancel()
			return
		case <-ctx.Done():
			return
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
		case <-hard:
		case <-ctx.Done():
		}
		cancel()
	}()
	return ctx, cancel
}
