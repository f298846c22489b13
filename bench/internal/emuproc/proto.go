package emuproc

import (
	"time"

	"github.com/octosend/octosend/emulator"
)

// ChildEnv is the environment variable that makes MaybeServe act as the
// emulator child.
const ChildEnv = "OCTOSEND_BENCH_EMULATOR_CHILD"

// Setup describes the emulator of one run: the emulator.Config fields a
// benchmark varies (the rest keep their zero-value meaning), and an outage
// placed relative to the setup time.
type Setup struct {
	APIKey     string
	Rate       float64 // per sub-account requests/s; 0 = unlimited
	Burst      int
	RetryAfter time.Duration // what a 429 advertises; 0 = computed from the bucket
	Faults     emulator.Faults
	Latency    time.Duration
	Seed       int64
	// OutageIn and OutageFor, when OutageFor > 0, put one 503 outage window
	// in [setup+OutageIn, setup+OutageIn+OutageFor).
	OutageIn, OutageFor time.Duration
	// OutageNoRetryAfter sends the outage's 503s without Retry-After
	// (emulator.Window.NoRetryAfter); by default they advertise the
	// seconds left.
	OutageNoRetryAfter bool
	// DestLimit is the per-destination 429 limit (emulator.DestLimit).
	DestLimit emulator.DestLimit
}

// config returns the emulator.Config for s, with the outage placed
// relative to now.
func (s Setup) config(now time.Time) emulator.Config {
	cfg := emulator.Config{
		APIKey: s.APIKey, Rate: s.Rate, Burst: s.Burst, RetryAfter: s.RetryAfter,
		Faults: s.Faults, Latency: s.Latency, Seed: s.Seed, DestLimit: s.DestLimit,
	}
	if s.OutageFor > 0 {
		start := now.Add(s.OutageIn)
		cfg.Outage = []emulator.Window{{Start: start, End: start.Add(s.OutageFor), Kind: emulator.Fault503,
			NoRetryAfter: s.OutageNoRetryAfter}}
	}
	return cfg
}

// Report is what the child saw during one run.
type Report struct {
	Stats emulator.Stats
	// Ledger maps clientMessageId to the times it was accepted.
	Ledger map[string]int
	// Requests maps clientMessageId to the requests that carried it,
	// whatever their outcome.
	Requests map[string]int
	// Wasted maps clientMessageId to the requests that carried it after
	// it had been refused with a 400 (only ids with some).
	Wasted map[string]int
	// Anonymous counts requests in which no clientMessageId was found.
	Anonymous int64
}
