// Package drivers sends one SMS at a time to the 8x8 API (in practice, the
// emulator on loopback) through octosend and through the stacks its users
// would otherwise assemble: a bare net/http loop, go-retryablehttp with its
// defaults, go-retryablehttp + gobreaker v2 + x/time/rate wired together
// the way blog posts do it, and failsafe-go's failsafehttp round tripper
// with a retry policy, a circuit breaker and a rate limiter.
//
// Every driver gets the same Env: the same base URL and key, its own
// *http.Transport built by NewTransport (so every stack has the same pool
// size and timeouts), and the same Settings (attempts, backoff, rate,
// breaker thresholds), applied as far as each library allows. The drivers
// are written the way a competent user would write them; where a library's
// default is known to hurt (go-retryablehttp's stderr logger, failsafe-go
// leaving retried response bodies open), the driver does what such a user
// does once they notice, and the comment says so.
package drivers
