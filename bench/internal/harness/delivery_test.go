package harness

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/bench/internal/emuproc"
)

func nethttpSpec(t *testing.T) drivers.Spec {
	t.Helper()
	specs, err := SelectDrivers(Baseline)
	if err != nil {
		t.Fatal(err)
	}
	return specs[0]
}

// TestDeadlineAccounting: with one deadline for the run, messages the
// driver could not finish fail with a deadline, messages never handed to
// it fail as not sent, and none of them counts as lost.
func TestDeadlineAccounting(t *testing.T) {
	p := startChild(t)
	o := tinyOptions()
	sc := Scenario{Name: "late", Setup: emuproc.Setup{Latency: 5 * time.Second}, Deadline: 200 * time.Millisecond, Concurrency: 4}
	r, err := Run(context.Background(), p, nethttpSpec(t), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Wall > 3*time.Second {
		t.Errorf("wall %v: the deadline did not end the run", r.Wall)
	}
	if r.Failed != o.Messages || r.Undelivered != o.Messages || r.Lost != 0 || r.NoOutcome != 0 {
		t.Errorf("failed %d, undelivered %d, lost %d, no outcome %d; want %d, %d, 0, 0", r.Failed, r.Undelivered, r.Lost, r.NoOutcome, o.Messages, o.Messages)
	}
	if r.NotSent != o.Messages-4 || r.Causes[CauseNotSent] != o.Messages-4 || r.Causes[drivers.CauseDeadline] != 4 {
		t.Errorf("not sent %d, causes %v; want %d not sent and 4 deadlines (one per sender)", r.NotSent, r.Causes, o.Messages-4)
	}

	// Paced arrivals: the dispatcher stops at the deadline, not at the end
	// of the pacing.
	sc = Scenario{Name: "paced", Duration: 2 * time.Second, Deadline: 200 * time.Millisecond}
	r, err = Run(context.Background(), p, nethttpSpec(t), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	// 50 messages over 2s: one every 40ms, so about 5 before the deadline.
	// The last one may be cut off by the deadline in flight.
	if sent := r.Messages - r.NotSent; sent < 1 || sent > 10 || r.Confirmed < sent-1 || r.Undelivered != r.Messages-r.Confirmed {
		t.Errorf("paced: %d sent, %d confirmed, %d undelivered, %d not sent; want 1-10 sent, all but the last confirmed", sent, r.Confirmed, r.Undelivered, r.NotSent)
	}
	if r.Wall > 1500*time.Millisecond {
		t.Errorf("paced: wall %v, want the run to end at the deadline", r.Wall)
	}
}

// denier sends through nethttp, then reports every message failed, with
// or without the ambiguous flag.
type denier struct {
	d         drivers.Driver
	ambiguous bool
}

func (d denier) Send(ctx context.Context, m drivers.Message) drivers.Outcome {
	d.d.Send(ctx, m)
	return drivers.Outcome{Status: 500, Ambiguous: d.ambiguous}
}
func (d denier) Close() error { return d.d.Close() }

// TestMisreportedCounted: a failure the ledger contradicts is misreported
// unless the driver flagged it ambiguous.
func TestMisreportedCounted(t *testing.T) {
	p := startChild(t)
	o := tinyOptions()
	for _, ambiguous := range []bool{false, true} {
		spec := drivers.Spec{Name: "denier", New: func(env drivers.Env) (drivers.Driver, error) {
			d, err := drivers.NewNetHTTP(env)
			return denier{d, ambiguous}, err
		}}
		r, err := Run(context.Background(), p, spec, Scenario{Name: "deny"}, o)
		if err != nil {
			t.Fatal(err)
		}
		want := o.Messages
		if ambiguous {
			want = 0
		}
		if r.FailedDelivered != o.Messages || r.Misreported != want || r.Undelivered != o.Messages {
			t.Errorf("ambiguous %v: failed but delivered %d, misreported %d, undelivered %d; want %d, %d, %d",
				ambiguous, r.FailedDelivered, r.Misreported, r.Undelivered, o.Messages, want, o.Messages)
		}
	}
}

// TestDeliveryScenariosSized: the delivery scenarios have the sizes and
// settings their descriptions promise.
func TestDeliveryScenariosSized(t *testing.T) {
	base := DefaultOptions().Messages
	for _, tc := range []struct {
		name              string
		messages, senders int
		goals             Goal
		deadline          time.Duration
	}{
		{"faults429", 3600, 64, GoalGoodput, RunDeadline}, // 3 rounds of 1,200
		{"outage64", 7000, 64, GoalOutage, ShortDeadline},
		{"outage1000", 7000, 1000, GoalOutage, ShortDeadline},
		{"quota2000", 8000, 64, GoalQuota, ShortDeadline},
		{"quota2000full", 8000, 64, GoalQuota, ShortDeadline},
		{"dest429", 9000, 64, GoalGoodput, RunDeadline}, // 3 rounds of 3,000
	} {
		sc := scenario(t, tc.name)
		if n := sc.messages(base); n != tc.messages || sc.Concurrency != tc.senders || sc.Goals != tc.goals || sc.Deadline != tc.deadline {
			t.Errorf("%s: %d messages, %d senders, goals %d, deadline %v; want %d, %d, %d, %v",
				tc.name, n, sc.Concurrency, sc.Goals, sc.Deadline, tc.messages, tc.senders, tc.goals, tc.deadline)
		}
		if want := fmt.Sprintf("one %.0fs deadline", tc.deadline.Seconds()); !strings.Contains(sc.Desc, want) {
			t.Errorf("%s: Desc does not say %q: %q", tc.name, want, sc.Desc)
		}
	}
	if sc := scenario(t, "faults429"); sc.Rounds != 3 {
		t.Errorf("faults429: %d rounds, want 3 of 1,200 messages", sc.Rounds)
	}
	if sc := scenario(t, "dest429"); sc.Rounds != 3 {
		t.Errorf("dest429: %d rounds, want 3 of 3,000 messages", sc.Rounds)
	}
	if sc := scenario(t, "outage64"); !sc.Setup.OutageNoRetryAfter || sc.Setup.OutageFor != 5*time.Second {
		t.Errorf("outage64 setup = %+v, want a 5s outage without Retry-After", sc.Setup)
	}
	if sc := scenario(t, "quota2000full"); sc.Setup.Rate != 2000 || sc.Setup.Burst != 2000 || sc.Rate <= sc.Setup.Rate {
		t.Errorf("quota2000full: quota %.0f burst %d, client rate %.0f; want 2000, 2000, above the quota", sc.Setup.Rate, sc.Setup.Burst, sc.Rate)
	}
}
