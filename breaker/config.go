package breaker

import (
	"fmt"
	"math"
	"time"

	"github.com/octosend/octosend/clock"
)

// Defaults applied to zero Config fields.
const (
	DefaultWindow         = 10 * time.Second
	DefaultBuckets        = 10
	DefaultMinRequests    = 20
	DefaultFailureRatio   = 0.5
	DefaultOpenFor        = 30 * time.Second
	DefaultHalfOpenProbes = 1
	DefaultIdleTTL        = 5 * time.Minute
)

// Config configures a Set, and through Set.Configure one key of it. It is a
// plain value, copied by New and Configure; every zero field means the
// documented default, so the zero Config is the default configuration. It
// has no file form: in octosend's config file the breaker settings are
// policy.Limits (limits.breaker_failure_ratio and the other breaker_ keys),
// which the client hands to its Set.
//
// A closed breaker trips (goes Open) when, over the rolling Window, at least
// MinRequests outcomes were counted and Failures/(Successes+Failures) has
// reached FailureRatio — or, with Consecutive > 0, when Consecutive failures
// came in a row with no success between them and no gap longer than Window.
// It stays Open for OpenFor (or for the duration given to Set.OpenFor), then
// goes HalfOpen and lets HalfOpenProbes probes through: when all of them
// succeed it closes; when one fails it opens again.
type Config struct {
	// Window is the span of the rolling window the failure ratio is
	// computed over. Zero means DefaultWindow (10s).
	Window time.Duration
	// Buckets is how many buckets Window is split into; outcomes leave the
	// window one bucket (Window/Buckets) at a time. Zero means
	// DefaultBuckets (10).
	Buckets int
	// MinRequests is how many counted outcomes (successes plus failures)
	// the window must hold before the ratio may trip. Zero means
	// DefaultMinRequests (20).
	MinRequests int
	// FailureRatio is the failure share, in (0, 1], that trips the
	// breaker. Zero means DefaultFailureRatio (0.5).
	FailureRatio float64
	// Consecutive trips the breaker after that many failures in a row,
	// whatever the ratio. Zero means off.
	Consecutive int
	// OpenFor is how long a tripped breaker stays open before a probe (the
	// longest, with MinOpenFor). Zero means DefaultOpenFor (30s).
	OpenFor time.Duration
	// MinOpenFor is the first open period after a trip. After a failed
	// probe the next one comes a quarter of the outage's age later (the
	// time since the trip), at least MinOpenFor and at most OpenFor, and a
	// closing starts over. So sends held at the breaker go out at most
	// max(MinOpenFor, a quarter of the outage) after the API recovers
	// (about 1s after a 5s outage), while a long outage still costs one
	// probe per OpenFor. Zero (or OpenFor) means a fixed period, as
	// gobreaker's Timeout; the client sets 1s unless told otherwise.
	MinOpenFor time.Duration
	// HalfOpenProbes is how many probe requests a half-open breaker lets
	// through; all must succeed to close it. Zero means 1.
	HalfOpenProbes int
	// IdleTTL bounds the memory of keys that come and go (tenants): a
	// key's breaker that has stayed Closed with an empty window and no
	// outcome reported for at least IdleTTL is dropped when new keys
	// arrive (a fresh breaker is identical; Configure overrides are kept).
	// Zero means DefaultIdleTTL (5m); negative means never. Set-wide:
	// ignored by Set.Configure.
	IdleTTL time.Duration

	// OnStateChange, when not nil, is called on every state change of
	// every key. It is called outside any lock of the Set, in order per
	// key, and may call back into the Set. It should return quickly: while
	// it runs, later changes of the same key queue up behind it (requests
	// are never blocked by it). It runs on the goroutine that caused the
	// change: a caller of Allow, done, State or OpenFor, or the Shared
	// store's goroutine for fleet-wide openings. Set-wide: ignored by
	// Set.Configure.
	OnStateChange func(key string, from, to State)
	// Clock is the time source. Nil means the wall clock. Set-wide:
	// ignored by Set.Configure.
	Clock clock.Clock
	// Shared, when not nil, shares "open until T" with a fleet of
	// instances (see package redisbreaker of module github.com/octosend/octosend/fleet). Nil means local only. Set-wide: ignored
	// by Set.Configure.
	Shared Shared
}

// Validate reports the first out-of-range field, wrapped around
// ErrInvalidConfig. Zero fields are valid (they mean the default).
func (c Config) Validate() error {
	switch {
	case c.Window < 0:
		return fmt.Errorf("%w: Window %v is negative", ErrInvalidConfig, c.Window)
	case c.Buckets < 0:
		return fmt.Errorf("%w: Buckets %d is negative", ErrInvalidConfig, c.Buckets)
	case c.MinRequests < 0:
		return fmt.Errorf("%w: MinRequests %d is negative", ErrInvalidConfig, c.MinRequests)
	case math.IsNaN(c.FailureRatio) || c.FailureRatio < 0 || c.FailureRatio > 1:
		return fmt.Errorf("%w: FailureRatio %v is outside [0, 1]", ErrInvalidConfig, c.FailureRatio)
	case c.Consecutive < 0:
		return fmt.Errorf("%w: Consecutive %d is negative", ErrInvalidConfig, c.Consecutive)
	case c.MinOpenFor < 0:
		return fmt.Errorf("%w: MinOpenFor %v is negative", ErrInvalidConfig, c.MinOpenFor)
	case c.OpenFor < 0:
		return fmt.Errorf("%w: OpenFor %v is negative", ErrInvalidConfig, c.OpenFor)
	case c.HalfOpenProbes < 0:
		return fmt.Errorf("%w: HalfOpenProbes %d is negative", ErrInvalidConfig, c.HalfOpenProbes)
	}
	window, buckets := c.Window, c.Buckets
	if window == 0 {
		window = DefaultWindow
	}
	if buckets == 0 {
		buckets = DefaultBuckets
	}
	if window/time.Duration(buckets) <= 0 {
		return fmt.Errorf("%w: Window %v is shorter than %d buckets of 1ns", ErrInvalidConfig, window, buckets)
	}
	return nil
}

// settings is a Config with every default applied: what a breaker runs on.
type settings struct {
	window      time.Duration
	buckets     int
	minRequests int
	ratio       float64
	consecutive int
	openFor     time.Duration
	minOpenFor  time.Duration
	probes      int
}

// firstOpen is the open period after a trip.
func (s settings) firstOpen() time.Duration {
	if s.minOpenFor <= 0 {
		return s.openFor
	}
	return min(s.minOpenFor, s.openFor)
}

func defaultSettings() settings {
	return settings{
		window:      DefaultWindow,
		buckets:     DefaultBuckets,
		minRequests: DefaultMinRequests,
		ratio:       DefaultFailureRatio,
		openFor:     DefaultOpenFor,
		probes:      DefaultHalfOpenProbes,
	}
}

// settings returns base with every valid non-zero field of c laid over it.
// Invalid fields are skipped, so base's value stays.
func (c Config) settings(base settings) settings {
	s := base
	if c.Window > 0 {
		s.window = c.Window
	}
	if c.Buckets > 0 {
		s.buckets = c.Buckets
	}
	if c.MinRequests > 0 {
		s.minRequests = c.MinRequests
	}
	if c.FailureRatio > 0 && c.FailureRatio <= 1 {
		s.ratio = c.FailureRatio
	}
	if c.Consecutive > 0 {
		s.consecutive = c.Consecutive
	}
	if c.OpenFor > 0 {
		s.openFor = c.OpenFor
	}
	if c.MinOpenFor > 0 {
		s.minOpenFor = c.MinOpenFor
	}
	if c.HalfOpenProbes > 0 {
		s.probes = c.HalfOpenProbes
	}
	if s.window/time.Duration(s.buckets) <= 0 {
		s.window, s.buckets = base.window, base.buckets
	}
	return s
}

// bucket is the width of one window bucket.
func (s settings) bucket() time.Duration { return s.window / time.Duration(s.buckets) }
