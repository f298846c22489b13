package drivers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Message is one SMS of the workload.
type Message struct {
	ID          string // clientMessageId, unique in a run
	Destination string
	Text        string
}

// Outcome is what a driver reports for one message.
type Outcome struct {
	// Accepted reports that the driver considers the message accepted by
	// the API (a 2xx whose status is not REJECTED).
	Accepted bool
	// Status is the HTTP status of the final response; 0 when the driver
	// got none or could not tell (go-retryablehttp hides it on give-up).
	Status int
	// Code is the API body code of the final response; 0 when none.
	Code int
	// Err is the driver's error; nil when Accepted.
	Err error
	// Cause, when set, says why the send failed in the driver's own terms
	// (CauseBreakerOpen, ...); Why falls back to the status and error.
	Cause string
	// Ambiguous, on a failure, reports that the driver flagged the message
	// as possibly accepted (octosend's Ambiguous): a failed message the
	// ledger holds is then reported honestly, not misreported. The peers
	// cannot tell, so they never set it.
	Ambiguous bool
}

// Failure causes a driver can name itself.
const (
	CauseBreakerOpen      = "breaker open"
	CauseRetriesExhausted = "retries exhausted"
	CauseBudget           = "retry budget exhausted"
	CauseDeadline         = "deadline"
	CauseHalted           = "tenant halted"
)

// Why classifies a failed outcome for the report: the driver's Cause, else
// "HTTP 400/1002", "HTTP 503", ..., "deadline" or "transport error". It is
// "" for an accepted message.
func (o Outcome) Why() string {
	switch {
	case o.Accepted:
		return ""
	case o.Cause != "":
		return o.Cause
	case o.Status == 400 && o.Code != 0:
		return "HTTP 400/" + strconv.Itoa(o.Code)
	case o.Status != 0:
		return "HTTP " + strconv.Itoa(o.Status)
	case errors.Is(o.Err, context.DeadlineExceeded), errors.Is(o.Err, context.Canceled):
		return CauseDeadline
	default:
		return "transport error"
	}
}

// Permanent reports whether the message itself was refused for good:
// 1002 (invalid MSISDN) or 3038 (template not found).
func (o Outcome) Permanent() bool { return o.Code == 1002 || o.Code == 3038 }

// Settings are the retry, rate and breaker settings every driver applies
// as far as its library allows.
type Settings struct {
	MaxAttempts int           // attempts per message, the first included
	BaseDelay   time.Duration // first backoff
	MaxDelay    time.Duration // backoff cap
	// AttemptTimeout bounds one HTTP attempt.
	AttemptTimeout time.Duration
	// Rate and Burst are the client-side limiter (requests/s), for the
	// drivers that have one.
	Rate  float64
	Burst int
	// Breaker thresholds: open when at least BreakerMinRequests requests
	// in BreakerWindow saw a failure ratio of BreakerFailureRatio or more;
	// stay open BreakerOpenFor.
	BreakerMinRequests  int
	BreakerFailureRatio float64
	BreakerWindow       time.Duration
	BreakerOpenFor      time.Duration
}

// DefaultSettings returns octosend's defaults (policy, ratelimit and
// breaker packages) with two changes, applied to every driver alike: the
// breaker's open time is scaled down from 30s to 2s so that a 5-second
// outage scenario stays short, and the client-side rate limit is raised
// from 1,700/s (just under 8x8's per-sub-account quota) to 100,000/s, far
// above what one machine sends to the emulator, so that the limiters never
// bind and the clean scenario measures overhead, not the quota.
func DefaultSettings() Settings {
	return Settings{
		MaxAttempts:         5,
		BaseDelay:           200 * time.Millisecond,
		MaxDelay:            10 * time.Second,
		AttemptTimeout:      10 * time.Second,
		Rate:                100_000,
		Burst:               10_000,
		BreakerMinRequests:  20,
		BreakerFailureRatio: 0.5,
		BreakerWindow:       10 * time.Second,
		BreakerOpenFor:      2 * time.Second,
	}
}

// Env is what a driver is built from.
type Env struct {
	BaseURL    string // e.g. http://127.0.0.1:8088
	APIKey     string
	SubAccount string
	// Transport is the driver's own transport, from NewTransport.
	Transport *http.Transport
	Settings  Settings
}

// URL returns the single-SMS endpoint for env.
func (e Env) URL() string {
	return e.BaseURL + "/api/v1/subaccounts/" + e.SubAccount + "/messages"
}

// Driver sends messages. Send is called from many goroutines at once.
type Driver interface {
	// Send sends m and reports its one outcome. It returns when the
	// driver is done with m (accepted, or given up).
	Send(ctx context.Context, m Message) Outcome
	// Close releases the driver's resources.
	Close() error
}

// Spec names a driver and builds it.
type Spec struct {
	Name string // short, for tables and flags: "octosend", "nethttp", ...
	Desc string // one line: what the driver is
	New  func(Env) (Driver, error)
}

// All returns every driver, octosend's first.
func All() []Spec {
	return []Spec{
		{"octosend", "octosend client.SendSMS with its defaults (policy, limiter, breaker, budget; a send holds at an open breaker or an exhausted budget within its deadline)", NewOctosend},
		{"octosend-failfast", "octosend with Config.FailFast (opt-in): an open breaker or an exhausted budget fails a send at once", NewOctosendFailFast},
		{"nethttp", "bare net/http loop, no retries", NewNetHTTP},
		{"retryablehttp", "go-retryablehttp, default retry policy and backoff", NewRetryableHTTP},
		{"assembled", "go-retryablehttp + gobreaker v2 + x/time/rate", NewAssembled},
		{"failsafe", "failsafe-go: retry (Retry-After) + circuit breaker + rate limiter + timeout", NewFailsafe},
	}
}

// NewTransport returns the transport every driver uses: the same pool and
// timeouts as octosend's own default transport.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // loopback only
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 0,
	}
}
