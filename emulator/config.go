package emulator

import (
	"strconv"
	"time"
)

// Config configures a Server. The zero value is a valid configuration: any
// API key is accepted, no rate limit, no faults, no latency.
type Config struct {
	// APIKey is the bearer token every request must carry
	// ("Authorization: Bearer <APIKey>"); a missing or different token gets
	// 401 with body code 1200. "" accepts any request, with or without a token.
	APIKey string

	// Rate is the per-sub-account token-bucket rate in requests per second;
	// 0 means unlimited. A request that finds the bucket empty gets 429 with
	// a Retry-After header and body code 429.
	Rate float64
	// Burst is the bucket size; 0 means max(1, ceil(Rate)).
	Burst int
	// Tenants holds per-sub-account overrides, keyed by sub-account ID.
	Tenants map[string]TenantConfig
	// RetryAfter is what a 429 advertises. Zero computes it from the bucket:
	// the time until one token is back, rounded up to whole seconds, at least 1s.
	RetryAfter time.Duration

	// Templates lists the chat-apps template names the server knows. A chat
	// message of type "template" naming any other template is rejected with
	// 400 and body code 3038 (or, inside a batch, a rejected item with
	// status.errorCode 3038).
	Templates []string

	// Faults is the random fault mix, drawn from a PRNG seeded with Seed.
	Faults Faults
	// Script is a sequence of faults consumed in order, one per request,
	// before any random fault is drawn. An entry with a SubAccount applies
	// only to that sub-account's requests; FaultNone entries serve normally.
	Script []Fault
	// Outage lists windows of time (read from Now) during which every request
	// gets the window's fault, by default 503.
	Outage []Window
	// Latency is added to every request before it is answered.
	Latency time.Duration
	// Seed seeds the fault PRNG: the same Seed gives the same sequence of
	// random fault decisions.
	Seed int64
	// MaxBodyBytes caps a request body; a larger one gets 413 with body code
	// 1000. Zero means 32 MiB (a full 10,000-message batch fits).
	MaxBodyBytes int64

	// LedgerCap bounds the entries the ledger endpoint (LedgerPath)
	// answers; 0 means DefaultLedgerCap.
	LedgerCap int

	// DestLimit answers 429 for a fixed, seeded share of destinations that
	// are sent to more often than once per DestLimit.Interval (8x8's
	// per-MSISDN limit); the zero value is off. See DestLimit.
	DestLimit DestLimit

	// DLR makes the server POST delivery receipts for the messages it
	// accepts to a webhook (or each message's dlrCallbackUrl); the zero
	// value is off. See DLR.
	DLR DLR

	// Now tells the time for arrival records, outage windows, token buckets,
	// expiry checks and response timestamps; nil means time.Now.
	Now func() time.Time
}

// TenantConfig overrides Config for one sub-account.
type TenantConfig struct {
	// Rate replaces Config.Rate for this sub-account; 0 keeps Config.Rate.
	Rate float64
	// Burst replaces Config.Burst. Zero keeps Config.Burst when Rate is not
	// overridden, and means max(1, ceil(Rate)) when it is.
	Burst int
	// Unlimited turns the rate limit off for this sub-account.
	Unlimited bool
	// Disabled answers every request of the sub-account with 403 and body
	// code 1201, as for a sub-account the key may not use.
	Disabled bool
}

const defaultMaxBodyBytes = 32 << 20

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string // e.g. "Faults.P500", "Script[2].Kind"
	Msg   string
}

func (e *ConfigError) Error() string { return "emulator: config " + e.Field + ": " + e.Msg }

func (c *Config) validate() error {
	if err := checkNonNeg("Rate", c.Rate); err != nil {
		return err
	}
	if c.Burst < 0 {
		return &ConfigError{"Burst", "must not be negative"}
	}
	for name, tc := range c.Tenants {
		f := "Tenants[" + strconv.Quote(name) + "]"
		if !validSubAccount(name) {
			return &ConfigError{f, "not a valid sub-account ID (3-50 of A-Z a-z 0-9 - . _ &)"}
		}
		if err := checkNonNeg(f+".Rate", tc.Rate); err != nil {
			return err
		}
		if tc.Burst < 0 {
			return &ConfigError{f + ".Burst", "must not be negative"}
		}
	}
	if c.RetryAfter < 0 {
		return &ConfigError{"RetryAfter", "must not be negative"}
	}
	if c.Latency < 0 {
		return &ConfigError{"Latency", "must not be negative"}
	}
	if c.MaxBodyBytes < 0 {
		return &ConfigError{"MaxBodyBytes", "must not be negative"}
	}
	if c.LedgerCap < 0 {
		return &ConfigError{"LedgerCap", "must not be negative"}
	}
	for i, name := range c.Templates {
		if name == "" {
			return &ConfigError{"Templates[" + strconv.Itoa(i) + "]", "empty template name"}
		}
	}
	if err := c.Faults.validate(); err != nil {
		return err
	}
	for i, f := range c.Script {
		if err := f.validate("Script[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	for i, w := range c.Outage {
		if err := w.validate("Outage[" + strconv.Itoa(i) + "]"); err != nil {
			return err
		}
	}
	if err := c.DLR.validate(); err != nil {
		return err
	}
	return c.DestLimit.validate()
}

func checkNonNeg(field string, v float64) error {
	if !(v >= 0) || v > maxFloat { // also catches NaN
		return &ConfigError{field, "must be a finite number >= 0"}
	}
	return nil
}

const maxFloat = 1.7976931348623157e308
