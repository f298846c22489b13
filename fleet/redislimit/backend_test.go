package redislimit

import (
	"math"

	"github.com/octosend/octosend/ratelimit"
)

var _ ratelimit.Backend = (*Limiter)(nil)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }
