package reliability

import (
	"errors"
	"io"
	"log"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// t0 is where fake time starts.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// jumpClock is a fake clock that never sleeps: asking it for a timer of d
// moves its time forward by d at once and fires the timer. It records
// every wait asked of it, so a test can assert what the client waited for
// without waiting. It suits sends run one at a time; concurrent waits
// would add up.
type jumpClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newJumpClock() *jumpClock { return &jumpClock{now: t0} }

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.waits = append(c.waits, d)
	}
	ch := make(chan time.Time, 1)
	ch <- c.now
	return firedTimer(ch)
}

// Advance moves the time forward by d (not recorded as a wait).
func (c *jumpClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Waits returns the waits asked so far, in order.
func (c *jumpClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

type firedTimer chan time.Time

func (t firedTimer) C() <-chan time.Time { return t }
func (t firedTimer) Stop() bool          { return false }

// half is a jitter source that always draws the middle.
func half() float64 { return 0.5 }

// discardLog is a server ErrorLog that drops what it is told (expected
// handshake failures and hijacked connections).
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// mustPolicy builds a policy or fails the test.
func mustPolicy(t testing.TB, cfg policy.Config) *policy.Policy {
	t.Helper()
	p, err := policy.New(cfg)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	return p
}

// typedErr reports whether err is one of the client's documented error
// types, found with errors.As (never by its text).
func typedErr(err error) bool {
	var (
		apiErr   *client.APIError
		sendErr  *client.SendError
		respErr  *client.ResponseError
		valErr   *client.ValidationError
		batchErr *client.BatchError
	)
	return errors.As(err, &apiErr) || errors.As(err, &sendErr) || errors.As(err, &respErr) ||
		errors.As(err, &valErr) || errors.As(err, &batchErr)
}

// ambiguousErr reports whether err says the message may have been
// accepted (APIError.Ambiguous, SendError.Ambiguous, ResponseError.Ambiguous).
func ambiguousErr(err error) bool {
	if e, ok := errors.AsType[*client.APIError](err); ok && e.Ambiguous {
		return true
	}
	if e, ok := errors.AsType[*client.SendError](err); ok && e.Ambiguous {
		return true
	}
	if e, ok := errors.AsType[*client.ResponseError](err); ok && e.Ambiguous {
		return true
	}
	return false
}

// allocated returns the bytes allocated on the heap by every goroutine
// while f ran (MemStats.TotalAlloc), after a GC so earlier garbage is not
// counted. It is an upper bound of the heap growth f caused.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// sms returns a test message to destination i with the canary text.
func sms(i int, cmid string) client.SMS {
	return client.SMS{Destination: phone(i), Text: canaryText, ClientMessageID: cmid}
}
