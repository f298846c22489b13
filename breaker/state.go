package breaker

import "strconv"

// Outcome is what a caller reports about one request that a breaker let
// through. Only Failure counts against a breaker; Neutral is excluded from
// every count, so it neither helps nor hurts. The zero value is Success.
type Outcome uint8

const (
	// Success counts toward closing (half-open) and dilutes the failure
	// ratio (closed).
	Success Outcome = iota
	// Failure is a server fault: it counts toward tripping the breaker.
	Failure
	// Neutral is neither success nor failure: caller faults (4xx),
	// cancellations, throttling. Unknown Outcome values are treated as
	// Neutral.
	Neutral
)

// String returns "success", "failure" or "neutral" ("Outcome(N)" otherwise).
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Neutral:
		return "neutral"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// State is the state of one keyed breaker. The zero value is Closed.
type State uint8

const (
	// Closed lets every request through and counts outcomes.
	Closed State = iota
	// HalfOpen lets a limited number of probe requests through; the rest
	// are rejected until the probes report.
	HalfOpen
	// Open rejects every request until its open period ends.
	Open
)

// String returns "closed", "half-open" or "open" ("State(N)" otherwise).
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case HalfOpen:
		return "half-open"
	case Open:
		return "open"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}
