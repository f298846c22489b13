package reliability

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// TestNoRetryStormDuringOutage: while the API answers nothing but 500s,
// 400 sends from 8 goroutines with the default policy (5 attempts each)
// could make 2,000 requests. The breaker and the retry budget must keep
// the load on the failing API to a small fraction of that, and every send
// must still end with a typed error (refused ones with ErrBreakerOpen);
// and once the outage is over, sending works again.
func TestNoRetryStormDuringOutage(t *testing.T) {
	t.Parallel()
	const (
		senders  = 8
		perSend  = 50
		sends    = senders * perSend
		maxLoad  = 150 // requests; unprotected it would be sends * 5
		attempts = 5   // policy.DefaultMaxAttempts
	)
	// The emulator and the client share a fake clock: the outage lasts 25s
	// of it; during the storm only backoff waits move it (a few seconds).
	clk := newJumpClock()
	srv := emulatortest.Start(t, emulator.Config{APIKey: canaryKey, Now: clk.Now, Outage: []emulator.Window{
		{Start: t0.Add(-time.Minute), End: t0.Add(25 * time.Second), Kind: emulator.Fault500},
	}})
	obs := newObserver(t)
	var opened atomic.Int64
	obs.onBreaker = func(ev client.BreakerEvent) {
		if ev.To == breaker.Open {
			opened.Add(1)
		}
	}
	c := obs.newClient(client.Config{BaseURL: srv.URL(), Clock: clk, Rand: half})

	var (
		wg                sync.WaitGroup
		refused, failedAt atomic.Int64
	)
	for g := range senders {
		wg.Go(func() {
			for i := range perSend {
				_, err := obs.sendSMS(c, context.Background(), "storm_tenant", sms(g*1000+i, ""))
				switch {
				case err == nil:
					t.Error("a send succeeded against an API answering only 500")
				case !typedErr(err):
					t.Errorf("untyped error %T: %v", err, err)
				case errors.Is(err, client.ErrBreakerOpen):
					refused.Add(1)
				default:
					failedAt.Add(1)
				}
			}
		})
	}
	wg.Wait()
	load := srv.Stats().Requests
	t.Logf("%d sends: %d requests reached the API (unprotected: up to %d), %d ended by the open breaker (refused, or retries cut short), %d failed otherwise, breaker opened %d times",
		sends, load, sends*attempts, refused.Load(), failedAt.Load(), opened.Load())
	if load > maxLoad {
		t.Errorf("%d requests reached the failing API, want <= %d", load, maxLoad)
	}
	if refused.Load()+failedAt.Load() != sends {
		t.Errorf("%d refused + %d failed != %d sends", refused.Load(), failedAt.Load(), sends)
	}
	if opened.Load() == 0 || refused.Load() == 0 {
		t.Error("the breaker never opened")
	}
	if srv.Ledger().Accepted() != 0 {
		t.Errorf("the ledger holds %d messages during a total outage", srv.Ledger().Accepted())
	}

	// A minute later the outage is over and the breaker lets a probe
	// through: sending works again.
	clk.Advance(time.Minute)
	for i := range 20 {
		if _, err := obs.sendSMS(c, context.Background(), "storm_tenant", sms(9000+i, "")); err != nil {
			t.Fatalf("send %d after the outage: %v", i, err)
		}
	}
}
