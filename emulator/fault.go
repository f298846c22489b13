package emulator

import (
	"strings"
	"time"
)

// FaultKind is one way a request can go wrong on purpose.
type FaultKind int

// The fault kinds. "Reset" closes the TCP connection with SO_LINGER 0, so
// the client sees a connection reset (or an EOF) and no response at all.
const (
	// FaultNone serves the request normally.
	FaultNone FaultKind = iota
	// Fault500 answers 500 with body code 2000 before the body is looked at;
	// nothing is recorded.
	Fault500
	// Fault503 answers 503 with body code 2000 before the body is looked at;
	// nothing is recorded. Fault.RetryAfter, when set, is sent as Retry-After.
	Fault503
	// FaultResetBeforeBody resets the connection without reading the body.
	FaultResetBeforeBody
	// FaultResetAfterBody reads the whole body, then resets the connection
	// without answering; nothing is recorded (the client cannot know that).
	FaultResetAfterBody
	// FaultAcceptedThen500 processes the request normally, so accepted
	// messages ARE recorded in the ledger, then answers 500 with body code
	// 2000: the ambiguous case that makes a retry send a duplicate.
	FaultAcceptedThen500
	// Fault429 answers 429 with Retry-After (Fault.RetryAfter, else
	// Config.RetryAfter, else 1s) and body code 429, whatever the bucket says.
	Fault429
	// FaultLatency only delays the request (by Fault.Latency, or a uniform
	// draw up to Faults.LatencyMax), then serves it normally.
	FaultLatency
	// FaultGarbage processes the request (accepted messages are recorded),
	// then answers 200 with a body that is not valid JSON.
	FaultGarbage
	// FaultTruncated processes the request (accepted messages are recorded),
	// then sends a 200 whose body stops half way short of its Content-Length
	// and closes the connection.
	FaultTruncated
	// FaultAcceptedThenReset processes the request (accepted messages are
	// recorded), then resets the connection without answering.
	FaultAcceptedThenReset

	numFaultKinds
)

var faultNames = [numFaultKinds]string{
	FaultNone:              "none",
	Fault500:               "500",
	Fault503:               "503",
	FaultResetBeforeBody:   "reset-before-body",
	FaultResetAfterBody:    "reset-after-body",
	FaultAcceptedThen500:   "accepted-then-500",
	Fault429:               "429",
	FaultLatency:           "latency",
	FaultGarbage:           "garbage",
	FaultTruncated:         "truncated",
	FaultAcceptedThenReset: "accepted-then-reset",
}

// String returns the kind's name, e.g. "reset-after-body"; unknown kinds
// give "FaultKind(n)".
func (k FaultKind) String() string {
	if k >= 0 && k < numFaultKinds {
		return faultNames[k]
	}
	return "FaultKind(" + itoa(int(k)) + ")"
}

// Valid reports whether k is one of the defined kinds.
func (k FaultKind) Valid() bool { return k >= 0 && k < numFaultKinds }

// ParseFaultKind parses a name as written by String (case-insensitive).
func ParseFaultKind(s string) (FaultKind, bool) {
	for k, n := range faultNames {
		if strings.EqualFold(s, n) {
			return FaultKind(k), true
		}
	}
	return FaultNone, false
}

// MarshalText implements encoding.TextMarshaler.
func (k FaultKind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, &ConfigError{"FaultKind", "unknown kind " + itoa(int(k))}
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *FaultKind) UnmarshalText(b []byte) error {
	v, ok := ParseFaultKind(string(b))
	if !ok {
		return &ConfigError{"FaultKind", "unknown kind " + string(b)}
	}
	*k = v
	return nil
}

// Fault is one scripted fault.
type Fault struct {
	Kind FaultKind
	// RetryAfter is the Retry-After sent with Fault429 or Fault503 (zero:
	// the 429 default; no header on 503).
	RetryAfter time.Duration
	// Latency delays the request before the fault acts, for any kind.
	Latency time.Duration
	// SubAccount restricts the entry to one sub-account's requests; "" = any.
	SubAccount string
}

func (f Fault) validate(field string) error {
	if !f.Kind.Valid() {
		return &ConfigError{field + ".Kind", "unknown fault kind " + itoa(int(f.Kind))}
	}
	if f.RetryAfter < 0 {
		return &ConfigError{field + ".RetryAfter", "must not be negative"}
	}
	if f.Latency < 0 {
		return &ConfigError{field + ".Latency", "must not be negative"}
	}
	if f.Kind == FaultLatency && f.Latency == 0 {
		return &ConfigError{field + ".Latency", "a latency fault needs a positive Latency"}
	}
	if f.SubAccount != "" && !validSubAccount(f.SubAccount) {
		return &ConfigError{field + ".SubAccount", "not a valid sub-account ID"}
	}
	return nil
}

// Faults is the random fault mix: each field is the probability that a
// request gets that fault. They must each lie in [0, 1] and sum to at most 1;
// the rest of the requests are served normally.
type Faults struct {
	P500, P503, PResetBefore, PResetAfter, PAcceptedThen500, P429, PLatency float64
	PGarbage, PTruncated, PAcceptedThenReset                                float64
	// LatencyMax bounds the delay of a latency fault, drawn uniformly in
	// (0, LatencyMax]. It must be positive when PLatency is.
	LatencyMax time.Duration
	// RetryAfter is sent as Retry-After with random 429 and 503 faults
	// (zero: the 429 default; no header on 503).
	RetryAfter time.Duration
}

// faultProb is one entry of a Faults mix.
type faultProb struct {
	p    float64
	kind FaultKind
	name string // the Faults field, for errors
}

// table returns the probabilities in decision order.
func (f *Faults) table() [10]faultProb {
	return [10]faultProb{
		{f.P500, Fault500, "P500"},
		{f.P503, Fault503, "P503"},
		{f.PResetBefore, FaultResetBeforeBody, "PResetBefore"},
		{f.PResetAfter, FaultResetAfterBody, "PResetAfter"},
		{f.PAcceptedThen500, FaultAcceptedThen500, "PAcceptedThen500"},
		{f.P429, Fault429, "P429"},
		{f.PLatency, FaultLatency, "PLatency"},
		{f.PGarbage, FaultGarbage, "PGarbage"},
		{f.PTruncated, FaultTruncated, "PTruncated"},
		{f.PAcceptedThenReset, FaultAcceptedThenReset, "PAcceptedThenReset"},
	}
}

func (f *Faults) validate() error {
	sum := 0.0
	for _, e := range f.table() {
		if !(e.p >= 0 && e.p <= 1) {
			return &ConfigError{"Faults." + e.name, "must be a probability in [0, 1]"}
		}
		sum += e.p
	}
	if sum > 1+1e-9 {
		return &ConfigError{"Faults", "probabilities sum to more than 1"}
	}
	if f.LatencyMax < 0 {
		return &ConfigError{"Faults.LatencyMax", "must not be negative"}
	}
	if f.PLatency > 0 && f.LatencyMax == 0 {
		return &ConfigError{"Faults.LatencyMax", "must be positive when PLatency is"}
	}
	if f.RetryAfter < 0 {
		return &ConfigError{"Faults.RetryAfter", "must not be negative"}
	}
	return nil
}

func (f *Faults) any() bool {
	for _, e := range f.table() {
		if e.p > 0 {
			return true
		}
	}
	return false
}

// Window is a span of time [Start, End) during which every request gets
// Kind, before authentication or any other check: one of Fault503 (the
// default, also meant by FaultNone), Fault500, Fault429,
// FaultResetBeforeBody or FaultResetAfterBody. A 503 or 429 in a window
// advertises Retry-After: the whole seconds left until End (at least 1),
// unless NoRetryAfter is set on a 503 window.
type Window struct {
	Start, End time.Time
	Kind       FaultKind
	// NoRetryAfter sends the window's 503s without a Retry-After header,
	// as an overloaded load balancer or a failing backend does: the client
	// has to find the end of the outage itself. Only for 503 windows.
	NoRetryAfter bool
}

func (w Window) validate(field string) error {
	if !w.End.After(w.Start) {
		return &ConfigError{field, "End must be after Start"}
	}
	if !w.Kind.Valid() {
		return &ConfigError{field + ".Kind", "unknown fault kind " + itoa(int(w.Kind))}
	}
	switch w.Kind {
	case FaultNone, Fault503, Fault500, Fault429, FaultResetBeforeBody, FaultResetAfterBody:
	default:
		return &ConfigError{field + ".Kind", "a window cannot hold a " + w.Kind.String() + " fault"}
	}
	if w.NoRetryAfter && w.kind() != Fault503 {
		return &ConfigError{field + ".NoRetryAfter", "only a 503 window can leave out Retry-After"}
	}
	return nil
}

func (w Window) kind() FaultKind {
	if w.Kind == FaultNone {
		return Fault503
	}
	return w.Kind
}
