package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// Result statuses.
const (
	statusAccepted = "accepted"
	statusFailed   = "failed"
)

// errCanceled is the error text of a message that was not sent because the
// run was interrupted (SIGINT/SIGTERM). --resume sends such messages again.
const errCanceled = "canceled"

// errInterrupted is the error text of a message whose send had started when
// the process died: it may or may not have reached the API. --resume does
// not send it again (unless --resend-interrupted) so that a crash never
// duplicates a message.
const errInterrupted = "interrupted: the process stopped while this message was being sent; it may have been delivered, so it was not sent again"

// record is one line of the results file: the outcome of one input message.
type record struct {
	Line            int    `json:"line"`
	ClientMessageID string `json:"clientMessageId"`
	SubAccount      string `json:"subaccount"`
	Status          string `json:"status"`
	UMID            string `json:"umid,omitempty"`
	Code            int    `json:"code,omitempty"`
	HTTPStatus      int    `json:"httpStatus,omitempty"`
	Attempts        int    `json:"attempts"`
	Ambiguous       bool   `json:"ambiguous"`
	Error           string `json:"error,omitempty"`

	// reason is a short class of the failure for reports ("503
	// ServiceUnavailable", "breaker open", "transport reset"); not written.
	reason string
	// invalid: the client refused the message before any request (a
	// ValidationError), an input error; not written.
	invalid bool
}

// resendable reports whether --resume should send r's message again: it
// was canceled before it could have reached the API.
func (r *record) resendable() bool {
	return r.Status == statusFailed && r.Error == errCanceled && !r.Ambiguous
}

// failedRecord is the record of a message that was never sent.
func failedRecord(m *message, why string) record {
	return record{Line: m.Line, ClientMessageID: m.ClientMessageID, SubAccount: m.SubAccount,
		Status: statusFailed, Error: why}
}

// resultsWriter appends records to the results file, one JSON line each.
// Each record goes to the kernel in one write(2) as soon as it is known, so
// a crash of the process loses none that were written; the file is
// fsynced at most every syncEvery (and on Close), or after every record
// when syncEvery is 0, which bounds what a power loss can take. Not safe
// for concurrent use: bulk has one writer goroutine.
type resultsWriter struct {
	f         syncWriter
	syncEvery time.Duration
	lastSync  time.Time
	dirty     bool
	buf       []byte
	now       func() time.Time
}

// syncWriter is what the results go to: an *os.File, or discard (demo).
type syncWriter interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// discard is a syncWriter that keeps nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Sync() error                 { return nil }
func (discard) Close() error                { return nil }

func newResultsWriter(f syncWriter, syncEvery time.Duration) *resultsWriter {
	return &resultsWriter{f: f, syncEvery: syncEvery, now: time.Now, lastSync: time.Now()}
}

// Write appends r as one line.
func (w *resultsWriter) Write(r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	w.buf = append(append(w.buf[:0], b...), '\n')
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	w.dirty = true
	if w.syncEvery <= 0 || w.now().Sub(w.lastSync) >= w.syncEvery {
		return w.Sync()
	}
	return nil
}

// Sync flushes the file to stable storage if anything was written since
// the last Sync.
func (w *resultsWriter) Sync() error {
	if !w.dirty {
		return nil
	}
	w.dirty = false
	w.lastSync = w.now()
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Close syncs and closes the file.
func (w *resultsWriter) Close() error {
	err := w.Sync()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("results: %w", cerr)
	}
	return err
}
