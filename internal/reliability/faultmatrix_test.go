package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/policy"
)

// want is the expected end of a send whose first request got one fault
// and whose later requests were served normally.
type want struct {
	accepted bool
	count    int  // times the ledger holds each message
	flagged  bool // Ambiguous on the result / message results
	any      bool // the outcome depends on a race (how much of the request got out): check only the invariants
}

// TestFaultMatrix is the deterministic companion of the soak: each fault
// kind, scripted on the first request, for a single SMS and a batch, under
// both delivery semantics, with the exact outcome expected and the ledger
// checked. The soak proves the invariants at volume; this proves each case
// happens as documented, every run.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	type row struct {
		kind     emulator.FaultKind
		alo, amo want
	}
	rows := []row{
		{emulator.Fault500, want{true, 1, true, false}, want{false, 0, true, false}},
		{emulator.Fault503, want{true, 1, false, false}, want{true, 1, false, false}},
		{emulator.FaultResetBeforeBody, want{any: true}, want{any: true}},
		{emulator.FaultResetAfterBody, want{true, 1, true, false}, want{false, 0, true, false}},
		{emulator.FaultAcceptedThen500, want{true, 2, true, false}, want{false, 1, true, false}},
		{emulator.Fault429, want{true, 1, false, false}, want{true, 1, false, false}},
		{emulator.FaultLatency, want{true, 1, false, false}, want{true, 1, false, false}},
		// An unusable 200 may hide an acceptance: resent under at-least-once.
		{emulator.FaultGarbage, want{true, 2, true, false}, want{false, 1, true, false}},
		{emulator.FaultTruncated, want{true, 2, true, false}, want{false, 1, true, false}},
		{emulator.FaultAcceptedThenReset, want{true, 2, true, false}, want{false, 1, true, false}},
	}
	amoSem := policy.AtMostOnce
	pol := mustPolicy(t, policy.Config{Tenants: map[string]policy.Tenant{"amo-tenant": {Semantics: &amoSem}}})
	for _, r := range rows {
		for _, batch := range []bool{false, true} {
			for _, sem := range []string{"alo-tenant", "amo-tenant"} {
				w := r.alo
				if sem == "amo-tenant" {
					w = r.amo
				}
				name := fmt.Sprintf("%v/%s/batch=%v", r.kind, sem, batch)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					srv := emulatortest.Start(t, emulator.Config{APIKey: canaryKey, Script: []emulator.Fault{
						{Kind: r.kind, Latency: latencyFor(r.kind), RetryAfter: time.Second},
					}})
					obs := newObserver(t)
					c := obs.newClient(client.Config{BaseURL: srv.URL(), Policy: pol, Clock: newJumpClock(), Rand: half})
					if batch {
						matrixBatch(t, obs, c, srv, sem, w)
					} else {
						matrixSingle(t, obs, c, srv, sem, w)
					}
				})
			}
		}
	}
}

func latencyFor(k emulator.FaultKind) time.Duration {
	if k == emulator.FaultLatency {
		return 10 * time.Millisecond
	}
	return 0
}

func matrixSingle(t *testing.T, obs *observer, c *client.Client, srv *emulator.Server, tenant string, w want) {
	res, err := obs.sendSMS(c, context.Background(), tenant, sms(1, "m-1"))
	if err != nil && !typedErr(err) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	accepted, flagged := err == nil, res.Ambiguous || ambiguousErr(err)
	checkOutcome(t, srv, tenant, "m-1", accepted, flagged, w, err)
}

func matrixBatch(t *testing.T, obs *observer, c *client.Client, srv *emulator.Server, tenant string, w want) {
	b := client.Batch{Template: client.SMSTemplate{Text: canaryText}, Messages: []client.SMS{
		{Destination: phone(1), ClientMessageID: "b-1"}, {Destination: phone(2), ClientMessageID: "b-2"},
	}}
	var (
		br  client.BatchResult
		err error
	)
	obs.guard("SendBatch", func() { br, err = c.SendBatch(context.Background(), tenant, b) })
	obs.err("SendBatch", err)
	if err != nil && !typedErr(err) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	if len(br.Messages) != 2 {
		t.Fatalf("%d message results for 2 messages", len(br.Messages))
	}
	for _, m := range br.Messages {
		checkOutcome(t, srv, tenant, m.ClientMessageID, m.State == client.StateAccepted, m.Ambiguous, w, m.Err)
	}
}

// checkOutcome checks one message's reported outcome against the ledger
// and the expectation.
func checkOutcome(t *testing.T, srv *emulator.Server, tenant, cmid string, accepted, flagged bool, w want, err error) {
	t.Helper()
	n := srv.Ledger().Count(tenant, cmid)
	// The invariants, whatever the race.
	switch {
	case accepted && n == 0:
		t.Errorf("%s: reported accepted, ledger count 0", cmid)
	case !accepted && n > 0 && !flagged:
		t.Errorf("%s: reported failed and not flagged Ambiguous, but the ledger holds it %d times (err: %v)", cmid, n, err)
	case n > 1 && !flagged:
		t.Errorf("%s: accepted %d times without the Ambiguous flag", cmid, n)
	case n > 1 && tenant == "amo-tenant":
		t.Errorf("%s: at-most-once, accepted %d times", cmid, n)
	}
	if w.any {
		return
	}
	if accepted != w.accepted || n != w.count || flagged != w.flagged {
		t.Errorf("%s: accepted=%v count=%d flagged=%v, want accepted=%v count=%d flagged=%v (err: %v)",
			cmid, accepted, n, flagged, w.accepted, w.count, w.flagged, err)
	}
}
