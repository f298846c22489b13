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
// must end delivered (after the outage) or with a typed error. With
// FailFast every send fails (refused ones with ErrBreakerOpen); by default
// sends hold at the open breaker within their deadline, and those still
// waiting when the outage ends are delivered. Once it is over, sending
// works again.
func TestNoRetryStormDuringOutage(t *testing.T) {
	t.Parallel()
	for _, failFast := range []bool{true, false} {
		t.Run(map[bool]string{true: "fail fast", false: "hold"}[failFast], func(t *testing.T) {
			testRetryStorm(t, failFast)
		})
	}
}

func testRetryStorm(t *testing.T, failFast bool) {
	const (
		senders  = 8
		perSend  = 50
		sends    = senders * perSend
		maxLoad  = 150 // 500s answered; unprotected it would be sends * 5
		attempts = 5   // policy.DefaultMaxAttempts
	)
	// The emulator and the client share a fake clock: the outage lasts 25s
	// of it; only the client's waits move it.
	clk := newJumpClock()
	outageEnd := t0.Add(25 * time.Second)
	srv := emulatortest.Start(t, emulator.Config{APIKey: canaryKey, Now: clk.Now, Outage: []emulator.Window{
		{Start: t0.Add(-time.Minute), End: outageEnd, Kind: emulator.Fault500},
	}})
	obs := newObserver(t)
	var opened atomic.Int64
	obs.onBreaker = func(ev client.BreakerEvent) {
		if ev.To == breaker.Open {
			opened.Add(1)
		}
	}
	c := obs.newClient(client.Config{BaseURL: srv.URL(), Clock: clk, Rand: half, FailFast: failFast})

	var (
		wg                           sync.WaitGroup
		delivered, refused, failedAt atomic.Int64
	)
	for g := range senders {
		wg.Go(func() {
			for i := range perSend {
				_, err := obs.sendSMS(c, context.Background(), "storm_tenant", sms(g*1000+i, ""))
				switch {
				case err == nil && failFast:
					t.Error("a send succeeded against an API answering only 500")
				case err == nil:
					delivered.Add(1)
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
	st := srv.Stats()
	load := st.Responses[500]
	t.Logf("%d sends: %d 500s on the API (unprotected: up to %d), %d delivered after the outage, %d ended by the open breaker (refused, or retries cut short), %d failed otherwise, breaker opened %d times",
		sends, load, sends*attempts, delivered.Load(), refused.Load(), failedAt.Load(), opened.Load())
	if load > maxLoad {
		t.Errorf("%d requests reached the failing API, want <= %d", load, maxLoad)
	}
	if delivered.Load()+refused.Load()+failedAt.Load() != sends {
		t.Errorf("%d delivered + %d refused + %d failed != %d sends", delivered.Load(), refused.Load(), failedAt.Load(), sends)
	}
	if opened.Load() == 0 {
		t.Error("the breaker never opened")
	}
	if failFast && refused.Load() == 0 {
		// Holding, a send refused by the open breaker is one the outage
		// outlasted; it may be none (every held send went out after it).
		t.Error("FailFast: no send ended with ErrBreakerOpen")
	}
	if got := srv.Ledger().Accepted(); got != int(delivered.Load()) {
		t.Errorf("the ledger holds %d messages, the client delivered %d", got, delivered.Load())
	}
	if !failFast && delivered.Load() == 0 {
		t.Error("no held send was delivered after the outage")
	}

	// Later the outage is over for sure and the breaker lets a probe
	// through: sending works again.
	if d := outageEnd.Sub(clk.Now()); d > 0 {
		clk.Advance(d)
	}
	clk.Advance(time.Minute)
	for i := range 20 {
		if _, err := obs.sendSMS(c, context.Background(), "storm_tenant", sms(9000+i, "")); err != nil {
			t.Fatalf("send %d after the outage: %v", i, err)
		}
	}
}
