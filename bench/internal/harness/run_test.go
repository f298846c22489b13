package harness

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/bench/internal/emuproc"
)

func TestMain(m *testing.M) {
	emuproc.MaybeServe() // the emulator child is this test binary, re-executed
	os.Exit(m.Run())
}

// startChild starts the emulator child for a test.
func startChild(t *testing.T) *emuproc.Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	p, err := emuproc.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func tinyOptions() Options {
	o := DefaultOptions()
	o.Messages = 50
	o.Concurrency = 8
	return o
}

func scenario(t *testing.T, name string) Scenario {
	t.Helper()
	scs, err := Select(name)
	if err != nil || len(scs) != 1 {
		t.Fatalf("Select(%q) = %v, %v", name, scs, err)
	}
	return scs[0]
}

// TestEveryDriverAccounts runs every driver on a tiny workload, clean and
// with faults, against the emulator child, and checks the accounting.
func TestEveryDriverAccounts(t *testing.T) {
	p := startChild(t)
	ctx := context.Background()
	o := tinyOptions()
	o.Messages = 200 // clean sends 1000, faults 50 with one bad number
	for _, sc := range []Scenario{scenario(t, "clean"), scenario(t, "faults")} {
		msgs := Workload(sc.messages(o.Messages), sc.BadEvery)
		bad := 0
		for _, m := range msgs {
			if len(m.Destination) < 8 {
				bad++
			}
		}
		if sc.BadEvery > 0 && bad == 0 {
			t.Fatalf("%s: the workload has no bad number", sc.Name)
		}
		for _, spec := range drivers.All() {
			t.Run(sc.Name+"/"+spec.Name, func(t *testing.T) {
				r, err := Run(ctx, p, spec, sc, o)
				if err != nil {
					t.Fatal(err)
				}
				if r.Messages != len(msgs) {
					t.Fatalf("Messages = %d, want %d", r.Messages, len(msgs))
				}
				if r.NoOutcome != 0 || r.Accepted+r.Failed != r.Messages {
					t.Errorf("outcomes: %d accepted + %d failed (+%d none), want %d in all", r.Accepted, r.Failed, r.NoOutcome, r.Messages)
				}
				if r.Requests < 1 || r.Amplification <= 0 || r.Goodput <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
					t.Errorf("implausible numbers: %+v", r)
				}
				if r.AllocsPerMsg <= 0 || r.BytesPerMsg <= 0 {
					t.Errorf("allocations not measured: %.1f allocs, %.1f bytes per message", r.AllocsPerMsg, r.BytesPerMsg)
				}
				if IsSubject(spec.Name) {
					if r.Lost != 0 {
						t.Errorf("octosend lost %d messages", r.Lost)
					}
					if r.Wasted != 0 {
						t.Errorf("octosend wasted %d requests on refused numbers", r.Wasted)
					}
				}
				if r.Permanent > bad {
					t.Errorf("Permanent = %d, but the workload has only %d bad numbers", r.Permanent, bad)
				}
				if sc.Name == "clean" {
					// Nothing can go wrong: every driver sends each message once.
					if r.Accepted != r.Messages || r.Requests != int64(r.Messages) || r.Duplicates != 0 || r.Lost != 0 {
						t.Errorf("clean: accepted %d, requests %d, dup %d, lost %d; want %d, %d, 0, 0",
							r.Accepted, r.Requests, r.Duplicates, r.Lost, r.Messages, r.Messages)
					}
				}
			})
		}
	}
}

// liar reports every message accepted without sending it.
type liar struct{}

func (liar) Send(context.Context, drivers.Message) drivers.Outcome {
	return drivers.Outcome{Accepted: true, Status: 200}
}
func (liar) Close() error { return nil }

// stubborn sends every message three times, whatever the answer.
type stubborn struct{ d drivers.Driver }

func (s stubborn) Send(ctx context.Context, m drivers.Message) drivers.Outcome {
	var o drivers.Outcome
	for range 3 {
		o = s.d.Send(ctx, m)
	}
	return o
}
func (s stubborn) Close() error { return s.d.Close() }

// TestAccountingCatchesBadDrivers checks that the harness sees losses,
// duplicates and waste that a driver would rather hide.
func TestAccountingCatchesBadDrivers(t *testing.T) {
	p := startChild(t)
	ctx := context.Background()
	o := tinyOptions()
	sc := Scenario{Name: "bad", BadEvery: 10}

	r, err := Run(ctx, p, drivers.Spec{Name: "liar", New: func(drivers.Env) (drivers.Driver, error) { return liar{}, nil }}, sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Lost != r.Messages || r.Goodput != 0 || r.Requests != 0 {
		t.Errorf("liar: lost %d of %d, goodput %.1f, requests %d; want all lost, 0, 0", r.Lost, r.Messages, r.Goodput, r.Requests)
	}

	spec := drivers.Spec{Name: "stubborn", New: func(env drivers.Env) (drivers.Driver, error) {
		d, err := drivers.NewNetHTTP(env)
		return stubborn{d}, err
	}}
	r, err = Run(ctx, p, spec, sc, o)
	if err != nil {
		t.Fatal(err)
	}
	bad := o.Messages / 10
	good := o.Messages - bad
	if r.Permanent != bad || r.Wasted != 2*bad {
		t.Errorf("stubborn: permanent %d, wasted %d; want %d, %d", r.Permanent, r.Wasted, bad, 2*bad)
	}
	if r.Duplicates != 2*good || r.Requests != int64(3*o.Messages) || r.Amplification != 3 {
		t.Errorf("stubborn: duplicates %d, requests %d, amplification %.2f; want %d, %d, 3",
			r.Duplicates, r.Requests, r.Amplification, 2*good, 3*o.Messages)
	}
	if r.Lost != 0 || r.Accepted != good {
		t.Errorf("stubborn: lost %d, accepted %d; want 0, %d", r.Lost, r.Accepted, good)
	}
}

// TestOutageCounted checks that requests answered by an outage window are
// counted, and that a 429 from the bucket is.
func TestOutageAndThrottleCounted(t *testing.T) {
	p := startChild(t)
	ctx := context.Background()
	o := tinyOptions()
	specs, err := SelectDrivers(Baseline)
	if err != nil {
		t.Fatal(err)
	}
	nethttp := specs[0]
	sc := Scenario{Name: "down", Setup: emuproc.Setup{OutageFor: time.Minute}}
	r, err := Run(ctx, p, nethttp, sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outage != int64(o.Messages) || r.Got5xx != int64(o.Messages) || r.Failed != o.Messages {
		t.Errorf("outage: %d requests in the window, %d 5xx, %d failed; want %d each", r.Outage, r.Got5xx, r.Failed, o.Messages)
	}
	if r.Causes["HTTP 503"] != o.Messages || len(r.Causes) != 1 {
		t.Errorf("outage: causes %v, want all HTTP 503", r.Causes)
	}

	sc = Scenario{Name: "tight", Setup: emuproc.Setup{Rate: 1, Burst: 5}}
	r, err = Run(ctx, p, nethttp, sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Got429 < int64(o.Messages-6) || r.Accepted > 6 {
		t.Errorf("throttled: %d 429s, %d accepted; want at least %d and at most 6", r.Got429, r.Accepted, o.Messages-6)
	}
}

// TestRoundsMerge checks that a scenario split into rounds adds up to the
// whole workload for every driver.
func TestRoundsMerge(t *testing.T) {
	p := startChild(t)
	o := tinyOptions()
	specs := drivers.All()[:2]
	sc := Scenario{Name: "rounds", Rounds: 3, BadEvery: 10}
	var seen []string
	rs, err := RunScenario(context.Background(), p, specs, sc, o, func(r Result) { seen = append(seen, r.Driver) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Driver != specs[0].Name || rs[1].Driver != specs[1].Name {
		t.Fatalf("results = %+v, want one per driver in order", rs)
	}
	if len(seen) != 2 {
		t.Errorf("progress called for %v, want each driver once", seen)
	}
	for _, r := range rs {
		// 50 messages in rounds of 16, 16 and 18: a bad number at index 9
		// of each round.
		if r.Messages != o.Messages || r.Accepted+r.Failed != o.Messages || r.Permanent != 3 || r.Requests != int64(o.Messages) {
			t.Errorf("%s: messages %d, accepted %d + failed %d, permanent %d, requests %d; want %d, %d, 3, %d",
				r.Driver, r.Messages, r.Accepted, r.Failed, r.Permanent, r.Requests, o.Messages, o.Messages, o.Messages)
		}
		if !(r.GoodputLow > 0 && r.GoodputLow <= r.Goodput && r.Goodput <= r.GoodputHigh) {
			t.Errorf("%s: goodput %.1f outside its rounds' range %.1f-%.1f", r.Driver, r.Goodput, r.GoodputLow, r.GoodputHigh)
		}
		if r.Confirmed != r.Accepted || r.Goodput <= 0 || r.Amplification != 1 || r.P99 < r.P50 || r.P50 <= 0 {
			t.Errorf("%s: confirmed %d of %d, goodput %.1f, amplification %.2f, p50 %v, p99 %v",
				r.Driver, r.Confirmed, r.Accepted, r.Goodput, r.Amplification, r.P50, r.P99)
		}
	}
}

// steadyGoodput counts only accepted messages that returned after
// SteadyAfter, over the rest of the run.
func TestSteadyGoodput(t *testing.T) {
	fail := drivers.Outcome{Err: context.DeadlineExceeded}
	outs := []drivers.Outcome{{}, {}, fail, {}, {}, {}}
	ends := []time.Duration{time.Second, 3 * time.Second, 3 * time.Second, 4 * time.Second, 5 * time.Second, 6 * time.Second}
	done := []bool{true, true, true, true, true, true}
	skipped := []bool{false, false, false, false, false, true}
	// After 2s: messages 1, 3, 4 accepted and sent (2 failed, 5 skipped), over 6s-2s.
	if got := steadyGoodput(outs, ends, done, skipped, 6*time.Second); got != 0.75 {
		t.Errorf("steadyGoodput = %v, want 0.75 (3 messages over 4s)", got)
	}
	if got := steadyGoodput(outs, ends, done, skipped, 3*time.Second); got != 0 {
		t.Errorf("steadyGoodput of a 3s run = %v, want 0 (shorter than twice SteadyAfter)", got)
	}
}
