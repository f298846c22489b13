package harness

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/bench/internal/emuproc"
	"github.com/octosend/octosend/emulator"
)

// Scenario is one condition of the API under which every driver sends the
// same workload.
type Scenario struct {
	Name string // short, for flags and tables
	Desc string // what the emulator does, in a sentence
	// Setup is the emulator for the run (APIKey is filled in by Run).
	Setup emuproc.Setup
	// BadEvery puts an invalid destination (answered 400 / 1002) on every
	// BadEvery-th message; 0 = none.
	BadEvery int
	// Scale is the share of Options.Messages this scenario sends
	// (0 means 1).
	Scale float64
	// Rounds splits the workload into rounds in which the drivers take
	// turns (see RunScenario); 0 means 1.
	Rounds int
	// Rate and Burst, when Rate > 0, replace the client-side limiter
	// settings of every driver for this scenario.
	Rate  float64
	Burst int
	// Duration, when set, paces the offered load: the messages are
	// released evenly over this long (an open-loop arrival rate), so that
	// the run spans an outage window whatever the drivers' speed.
	Duration time.Duration
	// Concurrency, when > 0, replaces Options.Concurrency: the number of
	// sending goroutines.
	Concurrency int
	// Deadline, when > 0, is one deadline for the whole run, from its
	// start: every send gets a context that ends then, and a message not
	// handed to the driver by then counts as failed (CauseNotSent).
	Deadline time.Duration
	// Goals are the targets the report checks for octosend in this
	// scenario beyond those every scenario has (see Goal).
	Goals Goal
}

// Goal is a target of the report. Every scenario has two: octosend leaves
// no more messages undelivered than the best peer, and loses or
// misreports none. A scenario adds others with its Goals.
type Goal int

// The goals a scenario can add.
const (
	// GoalGoodput: goodput at least the best peer's (the peer that left
	// the fewest messages undelivered; the aim is 1.5 times it).
	GoalGoodput Goal = 1 << iota
	// GoalQuota: goodput at least 90% of the emulator's quota
	// (Setup.Rate), and fewer 429s than every peer.
	GoalQuota
	// GoalOutage: requests answered by the outage window no more than the
	// best breaker peer's (BreakerPeers).
	GoalOutage
)

// messages returns how many messages the scenario sends for a base count.
func (s Scenario) messages(base int) int {
	if s.Scale == 0 {
		return base
	}
	return max(1, int(math.Round(float64(base)*s.Scale)))
}

// Scenarios returns every scenario, in report order.
func Scenarios() []Scenario {
	scs := []Scenario{
		{
			Name:   "clean",
			Desc:   "no faults, no server-side rate limit; the drivers take turns in 5 rounds",
			Scale:  5,
			Rounds: 5,
		},
		{
			Name: "faults",
			Desc: "10% of requests faulted: 3% 500/2000, 2% 503 (no Retry-After), 2% 429 (Retry-After: 1), 1% reset before the body is read, " +
				"1% reset after it, 1% accepted-then-500; 2% of messages have an invalid number (400/1002)",
			Setup: emuproc.Setup{Seed: 7, Faults: emulator.Faults{
				P500: 0.03, P503: 0.02, P429: 0.02, PResetBefore: 0.01, PResetAfter: 0.01, PAcceptedThen500: 0.01,
			}},
			BadEvery: 50,
			Scale:    0.25,
		},
		{
			Name: "storm",
			Desc: "429 storm: the emulator allows 25 requests/s per sub-account (burst 5; Retry-After from the bucket, at least 1s), " +
				"far below what 32 senders offer; client limiters at octosend's default 1,700/s (burst 170), what a user sets for 8x8's quota",
			Setup: emuproc.Setup{Rate: 25, Burst: 5},
			Scale: 0.04,
			Rate:  1700,
			Burst: 170,
		},
		{
			Name:     "outage",
			Desc:     "every request gets 503 (Retry-After: seconds left) from 1s to 6s after the start; load offered evenly over 9s",
			Setup:    emuproc.Setup{OutageIn: time.Second, OutageFor: 5 * time.Second},
			Scale:    0.6,
			Duration: 9 * time.Second,
		},
		{
			Name:  "slow",
			Desc:  "slow API: 20% of requests delayed by up to 400ms (uniform)",
			Setup: emuproc.Setup{Seed: 11, Faults: emulator.Faults{PLatency: 0.2, LatencyMax: 400 * time.Millisecond}},
		},
	}
	return append(scs, deliveryScenarios()...)
}

// Select returns the scenarios named in a comma-separated list ("" or
// "all" = every one), in report order.
func Select(list string) ([]Scenario, error) {
	all := Scenarios()
	if list == "" || list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []Scenario
	for _, s := range all {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("harness: unknown scenario %q", n)
	}
	return out, nil
}

// SelectDrivers returns the drivers named in a comma-separated list (""
// or "all" = every one), octosend first.
func SelectDrivers(list string) ([]drivers.Spec, error) {
	all := drivers.All()
	if list == "" || list == "all" {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []drivers.Spec
	for _, s := range all {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("harness: unknown driver %q", n)
	}
	return out, nil
}

// Workload returns the messages of a scenario: n SMS with unique
// clientMessageIds, every badEvery-th with an invalid destination.
func Workload(n, badEvery int) []drivers.Message {
	msgs := make([]drivers.Message, n)
	for i := range msgs {
		dest := "+6591" + pad6(i)
		if badEvery > 0 && i%badEvery == badEvery-1 {
			dest = "+12" + strconv.Itoa(i%1000) // too short: 400 / 1002
		}
		msgs[i] = drivers.Message{ID: "m-" + pad6(i), Destination: dest, Text: "Your verification code is " + pad6(i*7919%1000000)}
	}
	return msgs
}

func pad6(i int) string {
	s := strconv.Itoa(i % 1000000)
	return strings.Repeat("0", 6-len(s)) + s
}
