package redislimit

import (
	"errors"
	"fmt"

	"github.com/octosend/octosend/ratelimit"
)

// ErrUnavailable is wrapped by the errors of a fail-closed Limiter while
// Redis cannot be reached.
var ErrUnavailable = errors.New("redislimit: redis unavailable")

// override is a tenant's fleet-wide rate and burst.
type override struct {
	rate  float64
	burst int
}

// configError wraps ratelimit.ErrInvalidConfig, so one errors.Is serves
// both packages' configs.
func configError(format string, args ...any) error {
	return fmt.Errorf("redislimit: invalid config: "+format+": %w", append(args, ratelimit.ErrInvalidConfig)...)
}
