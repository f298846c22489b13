package client

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// Many goroutines and tenants send through random faults. Whatever
// happens, the client's word matches the emulator's ledger: a success
// that is not Ambiguous was accepted exactly once, a failure that is not
// Ambiguous was never accepted, and a success was accepted at least once.
func TestSoakOutcomesMatchLedger(t *testing.T) {
	for _, sem := range []policy.Semantics{policy.AtLeastOnce, policy.AtMostOnce} {
		t.Run(sem.String(), func(t *testing.T) {
			f := clock.NewFake(t0)
			srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Seed: 7, Faults: emulator.Faults{
				P500: 0.05, PResetBefore: 0.03, PResetAfter: 0.05, PAcceptedThen500: 0.05,
				P429: 0.05, PGarbage: 0.02, PTruncated: 0.02, PAcceptedThenReset: 0.03, RetryAfter: time.Second,
			}})
			cfg := testConfig(srv.URL(), f, 0.5)
			cfg.Policy = mustPolicy(t, policy.Config{Semantics: sem, Budget: policy.BudgetConfig{Disabled: true}})
			// Random faults, not an outage: keep the breaker closed (503s, which
			// open it for their Retry-After, are left out of the mix).
			cfg.Breaker = breaker.Config{MinRequests: 1_000_000, Consecutive: 1_000_000}
			c := newClient(t, cfg)
			stop := autoAdvance(f, 50*time.Millisecond)
			defer stop()

			type outcome struct {
				tenant, cmid string
				ok, amb      bool
			}
			const workers, each = 8, 40
			var mu sync.Mutex
			var outs []outcome
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					tenant := "tenant_" + strconv.Itoa(w%3)
					for i := range each {
						m := sms1
						m.ClientMessageID = "soak-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
						f.Advance(10 * time.Millisecond) // time passes between sends, as it would
						res, err := c.SendSMS(context.Background(), tenant, m)
						amb := res.Ambiguous
						if err != nil {
							amb = ambiguousErr(err)
						}
						mu.Lock()
						outs = append(outs, outcome{tenant, m.ClientMessageID, err == nil, amb})
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			l := srv.Ledger()
			var okN, failN, ambN int
			for _, o := range outs {
				n := l.Count(o.tenant, o.cmid)
				switch {
				case o.ok && !o.amb && n != 1:
					t.Errorf("%s: success, not ambiguous, accepted %d times", o.cmid, n)
				case o.ok && n < 1:
					t.Errorf("%s: success but never accepted", o.cmid)
				case !o.ok && !o.amb && n != 0:
					t.Errorf("%s: failure, not ambiguous, yet accepted %d times", o.cmid, n)
				}
				if sem == policy.AtMostOnce && n > 1 {
					t.Errorf("%s: accepted %d times under at-most-once", o.cmid, n)
				}
				if o.ok {
					okN++
				} else {
					failN++
				}
				if o.amb {
					ambN++
				}
			}
			t.Logf("%d sends: %d ok, %d failed, %d ambiguous; ledger unique %d duplicates %d",
				len(outs), okN, failN, ambN, l.Unique(), l.Duplicates())
			if okN == 0 || ambN == 0 {
				t.Errorf("the fault mix produced %d successes and %d ambiguous outcomes; the test needs both", okN, ambN)
			}
		})
	}
}

func ambiguousErr(err error) bool {
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Ambiguous
	}
	if e, ok := errors.AsType[*SendError](err); ok {
		return e.Ambiguous
	}
	if e, ok := errors.AsType[*ResponseError](err); ok {
		return e.Ambiguous
	}
	return false
}
