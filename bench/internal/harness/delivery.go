package harness

import (
	"strconv"
	"time"

	"github.com/octosend/octosend/bench/internal/emuproc"
	"github.com/octosend/octosend/emulator"
)

// RunDeadline is the one deadline of the faults429 and dest429 runs, as in
// the measurement: a message not delivered by then counts as
// undelivered.
const RunDeadline = 20 * time.Second

// ShortDeadline is the one deadline of the outage and quota runs: 5s after
// the outage scenarios' last arrival, 3 times the quota scenarios' ideal
// run; shorter than RunDeadline so that a driver stuck until the deadline
// does not make the compare take minutes more.
const ShortDeadline = 12 * time.Second

// BreakerPeers are the peers with a circuit breaker, against which the
// requests octosend puts on an outage are measured.
var BreakerPeers = []string{"assembled", "failsafe"}

// outageArrivals is how long the outage scenarios offer load: 1s before the
// 5-second outage, its 5s, 1s after it.
const outageArrivals = 7 * time.Second

// deliveryScenarios are the scenarios of issue 12's measurement: faults,
// outages and quotas under which a sender must deliver, each with one
// deadline for the whole run. Their message counts are scaled down from
// the (which took minutes per driver) so that the whole compare
// fits in a few minutes on a 2-core machine; each Desc says so. Scale is
// relative to the default base of 3,000 messages.
func deliveryScenarios() []Scenario {
	return []Scenario{
		{
			Name: "faults429",
			Desc: "random faults per attempt: 10% 500/2000, 5% 429 (Retry-After: 1), 0.5% reset before the body is read and 0.5% after it, " +
				"1% accepted-then-500, 2% slow (up to 500ms); 64 senders, one 20s deadline for the whole run (1,200 messages, as in the issue); " +
				"3 such runs, the drivers taking turns, goodput the median run's: a run's wall time is its unluckiest message's chain of faults, " +
				"which alone moved one driver's goodput from 240 to 510 msg/s between runs",
			Setup: emuproc.Setup{Seed: 12, Faults: emulator.Faults{
				P500: 0.10, P429: 0.05, PResetBefore: 0.005, PResetAfter: 0.005, PAcceptedThen500: 0.01,
				PLatency: 0.02, LatencyMax: 500 * time.Millisecond,
			}},
			Scale:       1.2,
			Rounds:      3,
			Concurrency: 64,
			Deadline:    RunDeadline,
			Goals:       GoalGoodput,
		},
		outageScenario("outage64", 64),
		outageScenario("outage1000", 1000),
		quotaScenario("quota2000", 200, "burst 10% (200)"),
		quotaScenario("quota2000full", 2000, "burst 100% of a second (2,000)"),
		{
			Name: "dest429",
			Desc: "per-destination 429s: 1% of the destinations (seeded) accept one message per 2s, the first 2s after their first request, " +
				"and answer 429 (Retry-After: 1) to anything sooner, as 8x8's per-MSISDN limit does; every other destination is served at once; " +
				"64 senders, one 20s deadline; 3 runs of 3,000 messages, the drivers taking turns, goodput the median run's " +
				"(a run's wall time is its last limited number's two Retry-Afters after it was first sent: the same code moved 3% between drivers in one run)",
			Setup:       emuproc.Setup{Seed: 13, DestLimit: emulator.DestLimit{Share: 0.01, Interval: 2 * time.Second}},
			Scale:       3,
			Rounds:      3,
			Concurrency: 64,
			Deadline:    RunDeadline,
			Goals:       GoalGoodput,
		},
	}
}

// outageScenario is a 5-second outage of 503s without Retry-After while
// arrivals continue at 1,000/s, with the given number of senders.
func outageScenario(name string, senders int) Scenario {
	return Scenario{
		Name: name,
		Desc: "every request gets 503/2000 without Retry-After from 1s to 6s after the start, while messages keep arriving at 1,000/s " +
			"for 7s (the issue's 10s shortened to fit the run's time budget); " + strconv.Itoa(senders) + " senders, one 12s deadline",
		Setup:       emuproc.Setup{OutageIn: time.Second, OutageFor: 5 * time.Second, OutageNoRetryAfter: true},
		Scale:       7.0 / 3, // 7,000 messages over 7s
		Duration:    outageArrivals,
		Concurrency: senders,
		Deadline:    ShortDeadline,
		Goals:       GoalOutage,
	}
}

// quotaScenario is a sustained quota of 2,000/s per sub-account with the
// given burst, with every client limiter set above it (2,900/s, 8x8's per-
// IP quota), so octosend's adaptive controller has to find the quota.
func quotaScenario(name string, burst int, what string) Scenario {
	return Scenario{
		Name: name,
		Desc: "the emulator allows 2,000 requests/s per sub-account, " + what + "; 429s carry the bucket's Retry-After (at least 1s); " +
			"client limiters at 2,900/s (burst 290), above the quota; 64 senders, 8,000 messages (4s at the quota; the issue's run was longer), one 12s deadline",
		Setup:       emuproc.Setup{Rate: 2000, Burst: burst},
		Scale:       8.0 / 3,
		Rate:        2900,
		Burst:       290,
		Concurrency: 64,
		Deadline:    ShortDeadline,
		Goals:       GoalQuota,
	}
}
