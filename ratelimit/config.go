package ratelimit

import (
	"fmt"
	"math"
	"time"

	"github.com/octosend/octosend/clock"
)

// Defaults applied to the zero fields of a Config.
const (
	// DefaultRate is the per-tenant rate in requests per second: just under
	// 8x8's quota of 1,800 requests per second per sub-account.
	DefaultRate = 1700
	// DefaultBurst is the per-tenant burst that goes with DefaultRate.
	DefaultBurst = 170
	// DefaultProcessRate is the process-wide rate: just under 8x8's quota of
	// 3,000 requests per second per source IP.
	DefaultProcessRate = 2900
	// DefaultProcessBurst is the process-wide burst that goes with DefaultProcessRate.
	DefaultProcessBurst = 290
	// DefaultMinRate is the AIMD floor in requests per second.
	DefaultMinRate = 1
	// DefaultDecrease is the AIMD multiplicative factor applied on a 429.
	DefaultDecrease = 0.5
	// DefaultIdleTTL is how long a tenant may stay unused before it is evicted.
	DefaultIdleTTL = 5 * time.Minute
	// DefaultMaxTenants is the cap on live tenants.
	DefaultMaxTenants = 100_000
)

// DecreaseHold is the AIMD hold-off: after a decrease, further 429s of the
// same tenant are ignored for this long. 8x8 counts its quota per second, so
// the 429s that answer the requests of one overloaded second are one
// congestion signal, not many; without the hold-off a burst of N concurrent
// 429s would cut the rate by Decrease^N.
const DecreaseHold = time.Second

// maxIncreaseStep caps the time one Succeeded call may credit to the AIMD
// increase: growth is Increase per second of successful sending, and a gap
// between two successes counts for at most this long.
const maxIncreaseStep = time.Second

// Config configures a Limiter. Its zero value means the documented default,
// field by field. It is a plain Go struct with no file form: in octosend's
// config file a tenant's rate and burst are policy.Limits (limits.rate,
// limits.burst), which the client hands to the limiter.
type Config struct {
	// Rate is each tenant's rate in requests per second. Zero means
	// DefaultRate (1,700/s); +Inf means unlimited. Negative or NaN is an error.
	Rate float64
	// Burst is each tenant's bucket size. Zero means DefaultBurst when Rate is
	// zero too, and otherwise Rate/10 rounded up (at least 1).
	Burst int

	// ProcessRate is the process-wide rate in requests per second, shared by
	// every tenant (8x8 counts 3,000/s per source IP). Zero means
	// DefaultProcessRate (2,900/s); a negative value turns the process limit off.
	ProcessRate float64
	// ProcessBurst is the process-wide bucket size. Zero means
	// DefaultProcessBurst when ProcessRate is zero, else ProcessRate/10
	// rounded up (at least 1).
	ProcessBurst int

	// MinRate is the AIMD floor in requests per second: Throttled never
	// lowers a tenant below it (nor below the tenant's configured rate, if
	// that is lower). Zero means DefaultMinRate (1/s).
	MinRate float64
	// Decrease is the AIMD multiplicative factor: Throttled sets the current
	// rate to rate*Decrease. It must be in (0, 1); zero means 0.5.
	Decrease float64
	// Increase is the AIMD additive step, in requests per second gained per
	// second of successful sending. Zero means the tenant's configured rate
	// divided by 20 (so recovery from half rate takes 10 s of successes).
	Increase float64

	// IdleTTL is how long a tenant may go without Wait, Allow or Pause (and
	// not paused) before it is evicted, by the next sweep of its shard (see
	// Limiter.Sweep). Zero means DefaultIdleTTL (5m).
	IdleTTL time.Duration
	// MaxTenants caps the live tenants. Zero means DefaultMaxTenants (100,000).
	MaxTenants int

	// Clock is the time source; nil means clock.Real. Reconfigure ignores it.
	Clock clock.Clock
}

// settings is a validated Config with every default filled in.
type settings struct {
	rate         float64
	burst        int
	processRate  float64 // < 0: off
	processBurst int
	minRate      float64
	decrease     float64
	increase     float64 // 0: per tenant, rate/20
	idleTTL      time.Duration
	maxTenants   int
}

func (c *Config) settings() (*settings, error) {
	s := &settings{}
	var err error
	if s.rate, s.burst, err = rateBurst("rate", c.Rate, c.Burst, DefaultRate, DefaultBurst); err != nil {
		return nil, err
	}
	if c.ProcessRate < 0 {
		s.processRate = -1
	} else if s.processRate, s.processBurst, err = rateBurst("process rate", c.ProcessRate, c.ProcessBurst, DefaultProcessRate, DefaultProcessBurst); err != nil {
		return nil, err
	}
	switch {
	case math.IsNaN(c.MinRate) || c.MinRate < 0 || math.IsInf(c.MinRate, 0):
		return nil, configError("min rate %v must be a finite number >= 0", c.MinRate)
	case c.MinRate == 0:
		s.minRate = DefaultMinRate
	default:
		s.minRate = c.MinRate
	}
	switch {
	case c.Decrease == 0:
		s.decrease = DefaultDecrease
	case !(c.Decrease > 0 && c.Decrease < 1):
		return nil, configError("decrease %v must be in (0, 1)", c.Decrease)
	default:
		s.decrease = c.Decrease
	}
	if math.IsNaN(c.Increase) || c.Increase < 0 || math.IsInf(c.Increase, 0) {
		return nil, configError("increase %v must be a finite number >= 0", c.Increase)
	}
	s.increase = c.Increase
	switch {
	case c.IdleTTL < 0:
		return nil, configError("idle ttl %v must be >= 0", c.IdleTTL)
	case c.IdleTTL == 0:
		s.idleTTL = DefaultIdleTTL
	default:
		s.idleTTL = c.IdleTTL
	}
	switch {
	case c.MaxTenants < 0:
		return nil, configError("max tenants %d must be >= 0", c.MaxTenants)
	case c.MaxTenants == 0:
		s.maxTenants = DefaultMaxTenants
	default:
		s.maxTenants = c.MaxTenants
	}
	return s, nil
}

// rateBurst validates a rate and burst pair and fills in their defaults.
func rateBurst(what string, r float64, b int, defRate float64, defBurst int) (float64, int, error) {
	if math.IsNaN(r) || r < 0 {
		return 0, 0, configError("%s %v must be >= 0", what, r)
	}
	if b < 0 {
		return 0, 0, configError("%s burst %d must be >= 0", what, b)
	}
	if r == 0 {
		r = defRate
		if b == 0 {
			b = defBurst
		}
	}
	if b == 0 {
		b = defaultBurst(r)
	}
	return r, b, nil
}

// defaultBurst is a tenth of a second's worth of r, at least 1.
func defaultBurst(r float64) int {
	if math.IsInf(r, 1) || r/10 > math.MaxInt32 {
		return math.MaxInt32
	}
	return max(1, int(math.Ceil(r/10)))
}

func configError(format string, args ...any) error {
	return fmt.Errorf("ratelimit: invalid config: "+format+": %w", append(args, ErrInvalidConfig)...)
}
