package client

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// Region is the 8x8 data centre an account is provisioned in. It picks the
// base URLs of the SMS and Messaging Apps APIs.
type Region uint8

// The regions. The zero value is RegionAPAC, 8x8's default.
const (
	RegionAPAC Region = iota // Asia-Pacific (Singapore): sms.8x8.com, chatapps.8x8.com
	RegionUS                 // North America: sms.us.8x8.com, chatapps.us.8x8.com
	RegionEU                 // Europe: sms.8x8.uk, chatapps.8x8.uk
	RegionID                 // Indonesia: sms.8x8.id, chatapps.8x8.id
)

var regions = [...]struct{ name, sms, chat string }{
	RegionAPAC: {"apac", "https://sms.8x8.com", "https://chatapps.8x8.com"},
	RegionUS:   {"us", "https://sms.us.8x8.com", "https://chatapps.us.8x8.com"},
	RegionEU:   {"eu", "https://sms.8x8.uk", "https://chatapps.8x8.uk"},
	RegionID:   {"id", "https://sms.8x8.id", "https://chatapps.8x8.id"},
}

// String returns "apac", "us", "eu" or "id" ("Region(N)" when invalid).
func (r Region) String() string {
	if r.valid() {
		return regions[r].name
	}
	return "Region(" + strconv.Itoa(int(r)) + ")"
}

// SMSBaseURL returns the region's SMS API base URL, e.g. https://sms.8x8.com.
func (r Region) SMSBaseURL() string {
	if r.valid() {
		return regions[r].sms
	}
	return ""
}

// ChatBaseURL returns the region's Messaging Apps API base URL, e.g.
// https://chatapps.8x8.com.
func (r Region) ChatBaseURL() string {
	if r.valid() {
		return regions[r].chat
	}
	return ""
}

// ParseRegion returns the region named s ("apac", "us", "eu", "id";
// case-insensitive).
func ParseRegion(s string) (Region, bool) {
	for i, r := range regions {
		if strings.EqualFold(s, r.name) {
			return Region(i), true
		}
	}
	return 0, false
}

func (r Region) valid() bool { return int(r) < len(regions) }

// Config configures a Client. It is a plain struct: every zero field means
// the documented default. Printing it (fmt, slog) never shows the API key.
type Config struct {
	// APIKey is the 8x8 API key, sent as "Authorization: Bearer <key>".
	// It never appears in a log line, an error or a panic. Over plain http
	// it is refused unless the host is a loopback address.
	APIKey string

	// Region picks the base URLs; zero is RegionAPAC.
	Region Region
	// BaseURL overrides the SMS API base URL (e.g. an emulator's URL).
	// http is allowed only to a loopback host.
	BaseURL string
	// ChatBaseURL overrides the Messaging Apps base URL. When empty and
	// BaseURL is set, BaseURL is used for both (the emulator serves both).
	ChatBaseURL string

	// Policy decides what to do with each outcome. Nil means
	// policy.Default(). Ignored when PolicyLive is set.
	Policy *policy.Policy
	// PolicyLive, when not nil, is read at the start of every send, so a
	// policy stored into it takes effect for the next send (hot reload).
	// Storing a new policy also lifts every tenant halt.
	PolicyLive *policy.Live

	// RateLimit configures the per-tenant and per-process limiter the
	// client builds when Limiter is nil. Zero fields take the policy's
	// default limits, then ratelimit's defaults. Its Clock is replaced by
	// Config.Clock.
	RateLimit ratelimit.Config
	// Limiter, when not nil, is used instead of building one from
	// RateLimit (e.g. a *redislimit.Limiter of module github.com/octosend/octosend/fleet, shared by a fleet). The client
	// does not close it.
	Limiter ratelimit.Backend

	// Breaker configures the circuit breakers. Zero fields take the
	// policy's default limits, then breaker's defaults, except
	// Consecutive (DefaultConsecutive, 20 failures in a row) and
	// MinOpenFor (DefaultMinOpenFor, 1s), which the client sets. Its Clock is
	// replaced by Config.Clock; its OnStateChange is kept and called
	// before Hooks.OnBreakerStateChange.
	//
	// With Breaker.Shared (a fleet store such as redisbreaker.Store), New
	// follows the breakers of the base URLs (with BreakerByTenant: the
	// policy's tenants, up to 10,000) and, when the store is a
	// breaker.Syncer, reads the fleet's state once, bounded by 250ms: an
	// instance that has not sent yet does not send into an outage the
	// fleet already found.
	Breaker breaker.Config
	// BreakerByTenant keys breakers by tenant (sub-account) instead of by
	// base URL (the region: where 8x8's health lives).
	BreakerByTenant bool
	// FailFast makes a send that meets an open breaker fail at once with
	// ErrBreakerOpen, and one refused a retry by the retry budget fail with
	// ErrBudgetExhausted: for callers that shed or reroute load during an
	// outage. By default (false) such a send holds: it waits (on Clock,
	// polling, without a goroutine of its own) until the breaker lets a
	// probe through or the budget has room, and goes out then; it fails
	// only when the wait cannot end before its deadline (the caller's or
	// the policy's). The breaker's open period starts at
	// Breaker.MinOpenFor (1s by default here); after a failed probe the
	// next comes a quarter of the outage's age later, up to OpenFor, so
	// held sends go out at most max(1s, a quarter of the outage) after the
	// API's recovery while a long outage costs one probe per OpenFor.
	FailFast bool

	// HTTPClient is the client requests go through. Nil means a tuned
	// pooled transport (TLS 1.2 minimum, 1.3 preferred, keep-alives,
	// 256 idle connections per host). The client uses a copy of it with
	// its own redirect rule and a transport wrapper; its TLS settings must
	// not allow less than TLS 1.2 nor cap the version below 1.3. Set its
	// transport's MaxResponseHeaderBytes (the client's own uses
	// MaxResponseHeaderBytes, 64 KiB; net/http's default is 10 MiB) so a
	// hostile server's header or 1xx flood stays cheap.
	HTTPClient *http.Client
	// WrapTransport, when not nil, wraps the transport requests go through
	// (HTTPClient's, or the client's own tuned one) once, in New, after its
	// TLS settings are checked: e.g. to add trace headers (module
	// github.com/octosend/octosend/telemetry does). The wrapper sees every
	// attempt's request, whose context descends from the send's (see
	// Hooks.OnSend); it must not modify the request's shared headers in
	// place (clone the request to add some). The client
	// reuses a request once its send has ended (the request, its context
	// and its body serve a later send): a wrapper must not keep them past
	// the attempt's response body's Close; copy out the values it needs.
	WrapTransport func(http.RoundTripper) http.RoundTripper

	// MaxResponseBytes caps how much of a response body is read. Zero
	// means 1 MiB. A batch request's cap grows by 512 bytes per message
	// (its answer lists every message). A larger body is an error
	// (ErrResponseTooLarge), and the read never allocates more than the cap.
	MaxResponseBytes int64

	// BatchConcurrency is how many chunks of one large SendBatch or
	// SendChatBatch (split at MaxSMSBatch / MaxChatBatch messages) are in
	// flight at once. Every attempt of every chunk still waits for the
	// tenant's limiter and breaker. Zero means DefaultBatchConcurrency (4);
	// 1 sends the chunks one after another.
	BatchConcurrency int

	// HaltCooldown is how long a tenant stays halted after a halt action,
	// unless the policy sets the tenant's HaltFor. Zero means one minute.
	HaltCooldown time.Duration

	// UserAgent is sent with each request. Empty means "octosend".
	UserAgent string

	// Logger receives a Debug record per attempt and a Warn record per
	// give-up. Nil means silent. Records carry the tenant, attempt,
	// status, code, action and delay, and a masked destination; never the
	// API key nor the message text.
	Logger *slog.Logger

	// Hooks are called as sends progress. Nil hooks are skipped.
	Hooks Hooks

	// Outcomes, when not nil, receives the final outcome of every message
	// sent (see OutcomeRecorder): a dlr.Store, so that a dlr.Reconciler
	// can settle Ambiguous sends from their delivery receipts. Nil costs
	// nothing.
	Outcomes OutcomeRecorder

	// Clock is the time source for backoff waits, the limiter and the
	// breaker. Nil means the wall clock. Network I/O (attempt timeouts,
	// context deadlines) always runs on real time.
	Clock clock.Clock

	// Rand returns numbers in [0, 1) for backoff jitter. Nil means the
	// policy's default source.
	Rand func() float64
}

// String returns a description of the Config with the API key redacted.
func (c Config) String() string {
	b := make([]byte, 0, 128)
	b = append(b, "client.Config{APIKey:"...)
	b = append(b, redactKey(c.APIKey)...)
	b = append(b, " Region:"...)
	b = append(b, c.Region.String()...)
	if c.BaseURL != "" {
		b = append(b, " BaseURL:"...)
		b = append(b, c.BaseURL...)
	}
	if c.ChatBaseURL != "" {
		b = append(b, " ChatBaseURL:"...)
		b = append(b, c.ChatBaseURL...)
	}
	if c.BreakerByTenant {
		b = append(b, " BreakerByTenant:true"...)
	}
	if c.MaxResponseBytes != 0 {
		b = append(b, " MaxResponseBytes:"...)
		b = strconv.AppendInt(b, c.MaxResponseBytes, 10)
	}
	b = append(b, '}')
	return string(b)
}

// GoString is String, so %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// LogValue renders the Config for slog without the key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_key", redactKey(c.APIKey)),
		slog.String("region", c.Region.String()),
		slog.String("base_url", c.BaseURL),
		slog.String("chat_base_url", c.ChatBaseURL),
		slog.Bool("breaker_by_tenant", c.BreakerByTenant),
	)
}

func redactKey(k string) string {
	if k == "" {
		return `""`
	}
	return "[REDACTED]"
}

// Event describes one step of a send, for Hooks. It never holds the API
// key, the message text or the unmasked destination.
type Event struct {
	Tenant string // the sub-account
	// ClientMessageID is the message's clientMessageId; "" for a batch
	// request (Messages then says how many it carries).
	ClientMessageID string
	Messages        int              // messages in the request (1 for a single send)
	Attempt         int              // 1-based attempt number
	Status          int              // HTTP status; 0 when no response
	Code            envelope.Code    // API body code; 0 when none
	Transport       policy.Transport // transport failure class when Status is 0
	Action          policy.Action    // what the policy said
	Delay           time.Duration    // wait before the next attempt (OnRetry, OnThrottled)
	RetryAfter      time.Duration    // the server's hint; 0 when none
	Ambiguous       bool             // the attempt may have been accepted
	Reason          string           // the policy's reason
	Scope           Scope            // the inferred scope of a 429 (OnThrottled); ScopeNone otherwise
	Err             error            // the send's error (OnGiveUp, OnDone); nil when accepted
	// Destination is the message's destination masked as in the logs
	// ("+65*****67"), in OnSend's event only; "" for a batch chunk.
	Destination string
	// Latency is, for OnAttempt, OnRetry and OnThrottled, the attempt's
	// duration on the wall clock (from handing the request to the
	// transport to its body read and decided); for OnGiveUp and OnDone,
	// the whole send's, on Config.Clock (waits included). Zero for OnSend.
	Latency time.Duration
	// LimiterWait is how long the attempt waited for the tenant's rate
	// limiter, on Config.Clock.
	LimiterWait time.Duration
	// BaseURL is the base URL of the API the request goes to
	// (https://sms.8x8.com, the chat-apps one, or Config.BaseURL): no
	// tenant, no path. For telemetry's server.address.
	BaseURL string
	// BudgetRefused reports that the retry budget (policy.Budget) refused
	// a retry: in OnRetry's event, the retry then waits for room in the
	// budget; in OnDone's, the send ended on the refusal
	// (ErrBudgetExhausted) without waiting. A held retry that later runs
	// out of time ends with ErrBudgetExhausted too, with BudgetRefused
	// false in OnDone (its refusal was reported by OnRetry).
	BudgetRefused bool
	// Context is the send's context: the caller's, or what OnSend returned
	// (e.g. one holding a trace span). It is for tracing hooks; it carries
	// no key nor text.
	Context context.Context
}

// BreakerEvent is a circuit breaker's change of state.
type BreakerEvent struct {
	Key      string // base URL, or tenant with Config.BreakerByTenant
	From, To breaker.State
}

// Hooks are optional callbacks. They are called synchronously on the
// sending goroutine (OnBreakerStateChange: on whichever goroutine caused
// the change), so they should return quickly. Payloads never hold the API
// key or the message text.
type Hooks struct {
	// OnSend is called once per request (a single send, or each chunk of
	// a batch) before its first attempt, when its input is valid. It may
	// return a context derived from ctx (e.g. holding a trace span), which
	// becomes the send's: every attempt's request and every later Event's
	// Context descend from it. Returning nil keeps ctx.
	OnSend func(ctx context.Context, ev Event) context.Context
	// OnDone is called once per request OnSend saw, when it ends, with
	// its final outcome: Err nil when 8x8 accepted it (for a batch chunk:
	// the request; its items may still be refused), Ambiguous when it may
	// have been accepted although Err is set (or accepted twice), Latency
	// the send's.
	OnDone func(Event)
	// OnAttempt is called after every attempt, with its outcome.
	OnAttempt func(Event)
	// OnRetry is called when the client decides to retry, with the delay.
	OnRetry func(Event)
	// OnThrottled is called on a 429 (or a backoff code), with its inferred
	// Scope: a lone 429 (ScopeMessage) delays only its message, a
	// destination's (ScopeDestination) holds that destination, a tenant's
	// or the process's pauses the tenant until the Retry-After and lowers
	// its rate.
	OnThrottled func(Event)
	// OnBreakerStateChange is called when a breaker changes state.
	OnBreakerStateChange func(BreakerEvent)
	// OnGiveUp is called when a send fails for good, with its error.
	OnGiveUp func(Event)
}

// checkAPIKey refuses a key that cannot work: empty (an unset environment
// variable), or with a byte that cannot travel in an HTTP header or that no
// 8x8 key has (control characters, DEL, spaces, non-ASCII). Such a key
// would make every attempt fail before it is sent, or halt every tenant on
// the 401 it earns. The error names the byte's position, never the key.
func checkAPIKey(key string) error {
	if key == "" {
		return &ConfigError{Field: "APIKey", Problem: "is empty (is OCTOSEND_API_KEY set?)"}
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f {
			return &ConfigError{Field: "APIKey", Problem: "contains " + byteName(c) + " at byte " + strconv.Itoa(i) + ": not a valid API key"}
		}
	}
	return nil
}

// checkHeaderValue refuses a header value net/http would reject (control
// characters other than tab, DEL).
func checkHeaderValue(field, v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return &ConfigError{Field: field, Problem: "contains " + byteName(c) + " at byte " + strconv.Itoa(i)}
		}
	}
	return nil
}

// byteName names a byte refused in a header value.
func byteName(c byte) string {
	switch c {
	case '\r':
		return "a carriage return (CR)"
	case '\n':
		return "a line feed (LF)"
	case 0:
		return "a NUL byte"
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case 0x7f:
		return "a DEL byte"
	}
	if c < ' ' {
		return "a control character"
	}
	return "a non-ASCII byte"
}
