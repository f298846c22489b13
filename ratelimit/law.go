package ratelimit

import "time"

// Law is the adaptive rate's law as a Limiter applies it: the numbers by
// which Throttled cuts a tenant's rate and Succeeded grows it back (see
// their docs). It is for Backends that run the same law somewhere else for
// a whole fleet (the Redis backend of module
// github.com/octosend/octosend/fleet runs it in a script on Redis, from
// these numbers), so that one set of numbers, this package's, governs both.
//
// In short: a cut sets the rate to MeasuredDecrease × the accepted rate
// (the successes of the last one to two AcceptWindows, or of the cycle
// since the previous cut while its estimate lasts), or to rate × Decrease
// when that cannot be measured (fewer than MinAccepted successes, or a
// window shorter than AcceptWindow); never below min(MinRate, configured
// rate), nor, against a fresh estimate, below half of it; a cut within
// ShortCycle of the previous one shrinks the estimate by
// ShortCycleShrink; 429s within DecreaseHold of a cut change nothing,
// unless RefineAfter has passed, at least RefineMin429s 429s (and
// RefineShare of the successes) came since the cut, and what the API
// accepted since the cut is under RefineBelow × the rate: then the
// estimate becomes that accepted rate (at most the cut's estimate, at
// least half of it) and the rate MeasuredDecrease × it (at least the
// floor), as a new cut.
// Growth: below NearQuota × the estimate, RegainGrowth × estimate per
// second (at least Increase); above it, NearQuotaGrowth × estimate per
// second doubling every ProbeDoubling since the cut (at most Increase);
// without an estimate, or once it is older than EstimateTTL or the rate is
// above EstimateOff × it, Increase. Time spent paused earns no growth.
type Law struct {
	// MinRate, Decrease and Increase are the Limiter's Config values
	// (defaults filled in; they follow Reconfigure). Increase 0 means
	// the tenant's configured rate divided by 20 per second.
	MinRate, Decrease, Increase float64

	DecreaseHold time.Duration
	RefineAfter  time.Duration
	RefineBelow  float64
	// RefineMin429s and RefineShare: the 429s since a cut that a
	// refinement takes, in number and as a share of the successes since.
	RefineMin429s int
	RefineShare   float64
	AcceptWindow  time.Duration
	MinAccepted   int

	MeasuredDecrease float64
	NearQuota        float64
	RegainGrowth     float64
	NearQuotaGrowth  float64
	ProbeDoubling    time.Duration
	EstimateTTL      time.Duration
	EstimateOff      float64
	ShortCycle       time.Duration
	ShortCycleShrink float64
}

// Law returns the law l applies now.
func (l *Limiter) Law() Law {
	s := l.cfg.Load()
	return Law{
		MinRate:          s.minRate,
		Decrease:         s.decrease,
		Increase:         s.increase,
		DecreaseHold:     DecreaseHold,
		RefineAfter:      refineAfter,
		RefineBelow:      refineBelow,
		RefineMin429s:    refineMin429s,
		RefineShare:      refineShare,
		AcceptWindow:     time.Duration(acceptWindow),
		MinAccepted:      minAccepted,
		MeasuredDecrease: measuredDecrease,
		NearQuota:        nearQuota,
		RegainGrowth:     regainGrowth,
		NearQuotaGrowth:  nearQuotaGrowth,
		ProbeDoubling:    probeDoubling,
		EstimateTTL:      time.Duration(estimateTTL),
		EstimateOff:      estimateOff,
		ShortCycle:       shortCycle,
		ShortCycleShrink: shortCycleShrink,
	}
}
