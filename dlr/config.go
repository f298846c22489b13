package dlr

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/octosend/octosend/clock"
)

// Config configures a Receiver. Its zero value is not usable: set
// Authorization (or AllowUnauthenticated) and OnReceipt. Every other zero
// field means the documented default.
type Config struct {
	// Authorization lists the accepted values of the Authorization header,
	// each exactly as configured in the webhook's httpAuthorization (e.g.
	// "Bearer 9QQhlsEb8VY" or "Basic dXNlcjpwYXNzd29yZA=="); list two while
	// rotating the secret. A request without one of them gets 401. Values
	// are compared in constant time (as SHA-256 digests, so neither content
	// nor length leaks). Empty values are ignored.
	Authorization []string

	// AllowUnauthenticated must be true to run with no Authorization value:
	// 8x8 documents no signature, and does not say that a message's
	// dlrCallbackUrl gets the account webhook's header, so such a URL needs
	// another secret (a random path, an IP allow-list in front). New refuses
	// an empty Authorization without it.
	AllowUnauthenticated bool

	// OnReceipt receives each delivery receipt that advances its message's
	// state (see Receiver). It runs on the Receiver's worker goroutines,
	// never in the HTTP handler; a slow OnReceipt fills the queue (see
	// QueueSize). Required.
	OnReceipt func(Receipt)

	// OnInbound receives inbound SMS and chat messages and WhatsApp
	// Business App echoes, deduplicated by umid, like OnReceipt. Nil means
	// they are answered 200 and counted (Stats.Ignored).
	OnInbound func(Inbound)

	// MaxBodyBytes bounds a request body. Zero means 64 KiB (a v9 receipt
	// with a carousel's outboundContent is a few KiB). A longer body is read
	// no further, answered 200 (8x8 would only send it again) and counted
	// (Stats.Oversize).
	MaxBodyBytes int64

	// ReadTimeout bounds the reading of one request body, through
	// http.ResponseController (wall-clock socket deadlines). Zero means 5 s,
	// the time 8x8 gives a webhook to answer. Negative means none.
	ReadTimeout time.Duration

	// QueueSize bounds the receipts and inbound messages waiting for the
	// callbacks, over all workers. Zero means 4096.
	QueueSize int

	// QueueWait is how long the handler waits for room in a full queue
	// before it answers 503, so that 8x8 delivers the event again later (at
	// 1, 10, 30 and 90 s; after that it is lost). Zero means 2 s (8x8 waits
	// about 5 s for an answer). Negative means do not wait.
	QueueWait time.Duration

	// Workers is the number of goroutines calling the callbacks. Zero means
	// 1. Each message (umid) belongs to one worker, so its receipts reach
	// OnReceipt one at a time and in rising rank whatever the number.
	Workers int

	// StateTTL is how long the state of a message (and the umid of an
	// inbound message) is kept to recognize redeliveries and out-of-order
	// receipts. Zero means 48 h, the time 8x8 waits for an SMS carrier
	// receipt.
	StateTTL time.Duration

	// MaxTracked bounds the messages whose state is kept; past it the least
	// recently updated is dropped (Stats.Evicted), and a late receipt for
	// it is then handed over as if it were the first. Zero means 100,000
	// (about 20 MB).
	MaxTracked int

	// Clock tells the time for StateTTL, QueueWait and Receipt.ReceivedAt.
	// Nil means clock.Real.
	Clock clock.Clock

	// Logger receives a Warn record for each body that is answered but not
	// used (malformed, oversize, unknown kind), and for a callback that
	// panicked; records carry no receipt content. Nil means silent.
	Logger *slog.Logger
}

const (
	defaultMaxBody    = 64 << 10
	defaultReadTO     = 5 * time.Second
	defaultQueueSize  = 4096
	defaultQueueWait  = 2 * time.Second
	defaultStateTTL   = 48 * time.Hour
	defaultMaxTracked = 100_000
)

// ConfigError reports a Config that New refuses.
type ConfigError struct {
	Field string // the Config field, e.g. "Authorization"
	Msg   string
}

// Error implements error.
func (e *ConfigError) Error() string { return "dlr: config " + e.Field + ": " + e.Msg }

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	var auth []string
	for _, a := range c.Authorization {
		if a != "" {
			auth = append(auth, a)
		}
	}
	c.Authorization = auth
	switch {
	case len(auth) == 0 && !c.AllowUnauthenticated:
		return c, &ConfigError{"Authorization", "empty; set the webhook's httpAuthorization value, or AllowUnauthenticated"}
	case c.OnReceipt == nil:
		return c, &ConfigError{"OnReceipt", "nil"}
	case c.MaxBodyBytes < 0:
		return c, &ConfigError{"MaxBodyBytes", "negative"}
	case c.QueueSize < 0:
		return c, &ConfigError{"QueueSize", "negative"}
	case c.Workers < 0 || c.Workers > 1024:
		return c, &ConfigError{"Workers", strconv.Itoa(c.Workers) + " out of range (want 0..1024)"}
	case c.StateTTL < 0:
		return c, &ConfigError{"StateTTL", "negative"}
	case c.MaxTracked < 0:
		return c, &ConfigError{"MaxTracked", "negative"}
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = defaultMaxBody
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = defaultReadTO
	}
	if c.QueueSize == 0 {
		c.QueueSize = defaultQueueSize
	}
	if c.QueueWait == 0 {
		c.QueueWait = defaultQueueWait
	}
	if c.Workers == 0 {
		c.Workers = 1
	}
	if c.StateTTL == 0 {
		c.StateTTL = defaultStateTTL
	}
	if c.MaxTracked == 0 {
		c.MaxTracked = defaultMaxTracked
	}
	c.Clock = clock.Or(c.Clock)
	return c, nil
}
