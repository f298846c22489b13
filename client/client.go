package client

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/internal/retrybudget"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// DefaultBatchConcurrency is how many chunks of one large batch are in
// flight at once when Config.BatchConcurrency is zero.
const DefaultBatchConcurrency = 4

// DefaultHaltCooldown is how long a halted tenant stays stopped when
// Config.HaltCooldown is zero.
const DefaultHaltCooldown = time.Minute

// Client sends messages through the 8x8 API. It is safe for concurrent
// use by many goroutines and many tenants; make one per process (per API
// key) and Close it when done.
type Client struct {
	smsBase, chatBase string
	header            http.Header // shared by every request; never modified after New

	live     *policy.Live
	pol      atomic.Pointer[polPair]
	polMu    sync.Mutex
	limiter  ratelimit.Backend
	ownLim   *ratelimit.Limiter
	breakers *breaker.Set
	byTenant bool
	failFast bool
	budget   *retrybudget.Budget

	rc *retryablehttp.Client
	tr *transport

	clk          clock.Clock
	wallClock    bool // clk is clock.Real: its readings are wall-clock readings too (see wallNow)
	log          *slog.Logger
	hooks        Hooks
	outcomes     OutcomeRecorder
	rand         func() float64
	maxBody      int64
	batchConc    int
	haltCooldown time.Duration
	halts        halts
	throttles    *throttles
	urls         urlCache
	closed       atomic.Bool
}

// polPair is a policy as configured (src) and as used (eff: src with the
// configured jitter source).
type polPair struct{ src, eff *policy.Policy }

// New returns a Client for cfg. It fails on an invalid base URL, on an API
// key that would travel over plain http to a non-loopback host, on a TLS
// setting below 1.2, and on invalid limiter or breaker settings.
func New(cfg Config) (*Client, error) {
	if err := checkAPIKey(cfg.APIKey); err != nil {
		return nil, err
	}
	if err := checkHeaderValue("UserAgent", cfg.UserAgent); err != nil {
		return nil, err
	}
	if !cfg.Region.valid() && (cfg.BaseURL == "" || cfg.ChatBaseURL == "") {
		return nil, errors.New("client: unknown region " + cfg.Region.String())
	}
	sms, chat := cfg.BaseURL, cfg.ChatBaseURL
	if sms == "" {
		sms = cfg.Region.SMSBaseURL()
	}
	if chat == "" {
		chat = cfg.BaseURL
		if chat == "" {
			chat = cfg.Region.ChatBaseURL()
		}
	}
	var err error
	if sms, err = checkBaseURL("BaseURL", sms, cfg.APIKey != ""); err != nil {
		return nil, err
	}
	if chat, err = checkBaseURL("ChatBaseURL", chat, cfg.APIKey != ""); err != nil {
		return nil, err
	}
	if cfg.MaxResponseBytes < 0 {
		return nil, errors.New("client: MaxResponseBytes is negative")
	}
	if cfg.HaltCooldown < 0 {
		return nil, errors.New("client: HaltCooldown is negative")
	}
	if cfg.BatchConcurrency < 0 {
		return nil, errors.New("client: BatchConcurrency is negative")
	}

	c := &Client{
		throttles: newThrottles(),
		smsBase:   sms, chatBase: chat,
		live: cfg.PolicyLive, byTenant: cfg.BreakerByTenant, failFast: cfg.FailFast,
		clk: clock.Or(cfg.Clock), log: cfg.Logger, hooks: cfg.Hooks, outcomes: cfg.Outcomes, rand: cfg.Rand,
		maxBody: cfg.MaxResponseBytes, haltCooldown: cfg.HaltCooldown,
	}
	c.wallClock = c.clk == clock.Real
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.haltCooldown == 0 {
		c.haltCooldown = DefaultHaltCooldown
	}
	c.batchConc = cfg.BatchConcurrency
	if c.batchConc == 0 {
		c.batchConc = DefaultBatchConcurrency
	}
	pol := cfg.Policy
	if cfg.PolicyLive != nil {
		pol = cfg.PolicyLive.Load()
	}
	if pol == nil {
		pol = policy.Default()
	}
	global := pol.Limits("")

	if err := c.initHTTP(cfg); err != nil {
		return nil, err
	}

	bc := cfg.Breaker
	bc.Clock = c.clk
	fillBreaker(&bc, global)
	userHook := cfg.Breaker.OnStateChange
	bc.OnStateChange = func(key string, from, to breaker.State) {
		if userHook != nil {
			userHook(key, from, to)
		}
		c.onBreakerChange(key, from, to)
	}
	if c.breakers, err = breaker.New(bc); err != nil {
		return nil, err
	}
	c.budget = retrybudget.New(pol.Budget(), c.clk)

	if cfg.Limiter != nil {
		c.limiter = cfg.Limiter
	} else {
		rc := cfg.RateLimit
		rc.Clock = c.clk
		if rc.Rate == 0 && global.Rate > 0 {
			rc.Rate = global.Rate
		}
		if rc.Burst == 0 && global.Burst > 0 {
			rc.Burst = global.Burst
		}
		l, err := ratelimit.New(rc)
		if err != nil {
			return nil, err
		}
		c.limiter, c.ownLim = l, l
	}
	c.applyPolicy(pol)
	if bc.Shared != nil {
		c.followShared(pol)
	}
	return c, nil
}

// followSyncTimeout bounds the read of the fleet's breaker state in New.
const followSyncTimeout = 250 * time.Millisecond

// maxFollowTenants caps the tenants whose breakers New follows with
// BreakerByTenant: others follow the fleet from their first send.
const maxFollowTenants = 10000

// followShared makes the breakers of every key this client will use follow
// the fleet's shared state from the start, and reads that state once,
// bounded by followSyncTimeout: a cold instance does not send into an
// outage another instance already found. An unreachable store costs that
// bound once and is otherwise ignored, as on the request path.
func (c *Client) followShared(pol *policy.Policy) {
	keys := []string{c.smsBase, c.chatBase}
	if c.byTenant {
		keys = pol.Tenants()
		if len(keys) > maxFollowTenants {
			keys = keys[:maxFollowTenants]
		}
	}
	c.breakers.Follow(keys...)
	ctx, cancel := context.WithTimeout(context.Background(), followSyncTimeout)
	defer cancel()
	_ = c.breakers.Sync(ctx)
}

// String describes the client without its API key.
func (c *Client) String() string {
	return "client.Client{BaseURL:" + c.smsBase + " ChatBaseURL:" + c.chatBase + " APIKey:[REDACTED]}"
}

// GoString is String, so %#v does not print the key either.
func (c *Client) GoString() string { return c.String() }

// LogValue renders the client for slog without its API key.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.smsBase),
		slog.String("chat_base_url", c.chatBase),
		slog.String("api_key", "[REDACTED]"),
	)
}

// FromFile returns a Client whose policy is loaded from the YAML or JSON
// file at path (policy.Load), on top of base. Per-tenant rate limits and
// (with BreakerByTenant) breaker settings come from the file's tenants.
func FromFile(path string, base Config) (*Client, error) {
	pol, err := policy.Load(path)
	if err != nil {
		return nil, err
	}
	base.Policy, base.PolicyLive = pol, nil
	return New(base)
}

func (c *Client) initHTTP(cfg Config) error {
	var rt http.RoundTripper
	hc := &http.Client{CheckRedirect: checkRedirect}
	if cfg.HTTPClient != nil {
		rt = cfg.HTTPClient.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		hc.Jar, hc.Timeout = cfg.HTTPClient.Jar, cfg.HTTPClient.Timeout
	} else {
		rt = newDefaultTransport()
	}
	if err := checkTLS(rt); err != nil {
		return err
	}
	c.tr = &transport{base: rt, idle: rt}
	if cfg.WrapTransport != nil {
		if w := cfg.WrapTransport(rt); w != nil {
			c.tr.base = w
		}
	}
	hc.Transport = c.tr
	c.rc = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // never its default stderr logger
		RetryMax:     math.MaxInt32,
		CheckRetry:   c.checkRetry,
		Backoff:      zeroBackoff, // the wait happens in PrepareRetry, on the injected clock
		ErrorHandler: errorHandler,
		PrepareRetry: c.prepareRetry,
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "octosend"
	}
	c.header = http.Header{
		"Content-Type": {"application/json"},
		"Accept":       {"application/json"},
		"User-Agent":   {ua},
	}
	if cfg.APIKey != "" {
		c.header["Authorization"] = []string{"Bearer " + cfg.APIKey}
	}
	return nil
}

// checkBaseURL validates and normalises a base URL. http is allowed for
// loopback hosts only when a key is set.
func checkBaseURL(name, raw string, withKey bool) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("client: " + name + " is not a URL")
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("client: " + name + " must be an http(s) URL with a host and no credentials, query or fragment")
	}
	if u.Scheme == "http" && withKey && !isLoopback(u.Hostname()) {
		return "", errors.New("client: refusing to send the API key over plain http to non-loopback " + name)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func fillBreaker(bc *breaker.Config, l policy.Limits) {
	if bc.FailureRatio == 0 {
		bc.FailureRatio = l.BreakerFailureRatio
	}
	if bc.MinRequests == 0 {
		bc.MinRequests = l.BreakerMinRequests
	}
	if bc.Consecutive == 0 {
		bc.Consecutive = l.BreakerConsecutive
	}
	if bc.Consecutive == 0 {
		bc.Consecutive = DefaultConsecutive
	}
	if bc.OpenFor == 0 {
		bc.OpenFor = l.BreakerOpenFor
	}
	if bc.Window == 0 {
		bc.Window = l.BreakerWindow
	}
	if bc.MinOpenFor == 0 {
		bc.MinOpenFor = DefaultMinOpenFor
	}
}

// DefaultConsecutive is the run of failures in a row that trips the
// client's breakers (breaker.Config.Consecutive) unless Config.Breaker or
// the policy's limits.breaker_consecutive sets one. The failure ratio alone
// is slow to see an outage that follows busy healthy traffic: after a
// second at 1,000 sends/s the 10-second window holds 1,000 successes, so
// 1,000 requests fail before the ratio reaches 0.5, while 20 failures in a
// row with no success between them say the same thing in 20. Random faults
// do not trip it: at a 12% failure rate, 20 in a row come once in 10^18
// requests.
const DefaultConsecutive = 20

// DefaultMinOpenFor is the first open period of the client's breakers
// (breaker.Config.MinOpenFor) unless Config.Breaker sets one.
const DefaultMinOpenFor = time.Second

// policy returns the policy for a send that starts now.
func (c *Client) policy() *policy.Policy {
	p := c.pol.Load()
	if c.live == nil {
		return p.eff
	}
	if src := c.live.Load(); src != nil && src != p.src {
		return c.applyPolicy(src)
	}
	return p.eff
}

type tenantSetter interface {
	SetTenant(tenant string, rate float64, burst int)
}

// applyPolicy makes src the current policy: its per-tenant limits go to
// the limiter and (with BreakerByTenant) the breakers; tenants dropped
// from the config go back to the global limits.
func (c *Client) applyPolicy(src *policy.Policy) *policy.Policy {
	c.polMu.Lock()
	defer c.polMu.Unlock()
	old := c.pol.Load()
	if old != nil && old.src == src {
		return old.eff
	}
	eff := src
	if c.rand != nil {
		eff = src.WithRand(c.rand)
	}
	ts, _ := c.limiter.(tenantSetter)
	global := src.Limits("")
	tenants := src.Config().Tenants
	for t := range tenants {
		l := src.Limits(t)
		if ts != nil && l.Rate > 0 {
			ts.SetTenant(t, l.Rate, l.Burst)
		}
		if c.byTenant {
			var bc breaker.Config
			fillBreaker(&bc, l)
			c.breakers.Configure(t, bc)
		}
	}
	if old != nil {
		for t := range old.src.Config().Tenants {
			if _, ok := tenants[t]; ok {
				continue
			}
			if ts != nil && global.Rate > 0 {
				ts.SetTenant(t, global.Rate, global.Burst)
			}
			if c.byTenant {
				var bc breaker.Config
				fillBreaker(&bc, global)
				c.breakers.Configure(t, bc)
			}
		}
	}
	c.pol.Store(&polPair{src: src, eff: eff})
	return eff
}

// Close stops the client's background work (the breakers' subscriptions
// to a shared store; the state of a limiter the client built) and closes
// idle connections. Sends after
// Close fail with ErrClosed. It is safe to call more than once.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	if c.ownLim != nil {
		c.ownLim.Close()
	}
	c.breakers.Close()
	c.tr.closeIdle()
	return nil
}
