package redislimit

import (
	"context"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/ratelimit"
	"github.com/redis/go-redis/v9"
)

// DefaultTimeout bounds each Redis call of a Limiter.
const DefaultTimeout = 50 * time.Millisecond

// DefaultRecheck is how long a Limiter stops asking Redis after
// a failed call.
const DefaultRecheck = time.Second

// DefaultPrefix prefixes every key a Limiter writes.
const DefaultPrefix = "octosend:rl:"

// DefaultMaxInFlight bounds the Redis calls a Limiter has in flight at
// once.
const DefaultMaxInFlight = 8

// Config configures a Limiter. Zero fields mean their defaults.
type Config struct {
	// Client is the Redis connection (required). A *redis.Client,
	// *redis.ClusterClient or *redis.Ring will do: the two keys of a tenant
	// share a hash tag. Give it MaxRetries: -1 and DialerRetries: 1 so a
	// dead Redis is noticed at once: the backend bounds each call by
	// Timeout and has its own fallback, and go-redis's own retries would
	// only spend that time waiting for a server that is gone.
	Client redis.UniversalClient
	// Prefix is prepended to every key. Zero means DefaultPrefix.
	Prefix string
	// Rate and Burst are each tenant's quota for the whole fleet, in
	// requests per second. Zero means ratelimit.DefaultRate and ratelimit.DefaultBurst (Burst
	// zero with Rate set means Rate/10 rounded up).
	Rate  float64
	Burst int
	// Timeout bounds each Redis call, from when it is sent: the time a
	// caller queues behind MaxInFlight others is bounded by its own context,
	// not by Timeout, so a busy process is not mistaken for a dead Redis.
	// Zero means DefaultTimeout (50ms).
	Timeout time.Duration
	// MaxInFlight bounds the Redis calls in flight at once; further callers
	// queue, in their own context. Keep it below the client's PoolSize (shared
	// by everything else that uses the client): a call waiting for a pooled
	// connection would spend its Timeout there. Zero means
	// DefaultMaxInFlight (8).
	MaxInFlight int
	// FailOpen chooses what Wait does while Redis is unreachable: true falls
	// back to Local (each instance then allows Local's full tenant rate, so
	// give Local a share of the quota if the fleet must stay under it even
	// then); false fails with an error wrapping ErrUnavailable. Grants made
	// on Local are counted (FailOpenGrants) and charged to the fleet's quota
	// once Redis answers again, so over the outage and the time after it the
	// fleet sends no more than its quota plus what Local allowed.
	FailOpen bool
	// Recheck is how long, after a failed Redis call, the backend goes
	// straight to the fail-open or fail-closed answer without asking Redis;
	// the first call after it asks again, so the backend recovers by itself
	// when Redis is back. Zero means DefaultRecheck (1s).
	Recheck time.Duration
	// Local is the in-process limiter: it supplies the process-wide bucket,
	// a local copy of pauses, the numbers of the adaptive rate's law that
	// the fleet runs in Redis (ratelimit.Law: its MinRate, Decrease and
	// Increase, so give every instance the same), and is the fallback when
	// FailOpen is set, with an adaptive rate of its own. Nil means
	// New(Config{Rate: Rate, Burst: Burst, Clock: Clock}).
	Local *ratelimit.Limiter
	// Clock is the time source for waiting; nil means clock.Real. The quota
	// itself runs on Redis server time.
	Clock clock.Clock
}

// Redis is a Backend that shares each tenant's quota across a fleet of
// sender processes through Redis (GCRA, one round trip per Wait), with a
// pause shared through Redis too, so one instance's 429 holds them all.
// Create it with New; the zero value is not usable. A *Limiter is safe for
// concurrent use.
//
// The adaptive rate is the fleet's too: its state lives in Redis, run by
// the law of package ratelimit (see Throttled, State and law.go), so a
// cut by one instance is the rate of all, measured from what the whole
// fleet got accepted. Local keeps an adaptive rate of its own, for the
// fallback.
type Limiter struct {
	client     redis.UniversalClient
	prefix     string
	timeout    time.Duration
	recheck    time.Duration
	failOpenOK bool
	local      *ratelimit.Limiter
	clock      clock.Clock
	scripts    *scripts
	// perInstance restores the behaviour before the fleet law, for the
	// comparison test: each instance cuts alone, in Local, and charges the
	// shared quota at its own lowered rate.
	perInstance bool

	def       atomic.Pointer[override] // default fleet rate and burst
	omu       sync.RWMutex
	overrides map[string]override

	downUntil atomic.Int64 // clock UnixNano until which Redis is not asked; 0: up

	sem      chan struct{} // MaxInFlight tokens for Redis calls
	failOpen atomic.Int64  // grants made on Local while Redis was unreachable
	dmu      sync.Mutex
	debt     map[string]int64 // per tenant: fail-open grants not yet charged to Redis
	succ     map[string]int64 // per tenant: successes not yet counted in Redis
}

// New returns a Limiter. It returns an error wrapping
// ErrInvalidConfig when cfg has no Client or holds a value out of range. It
// does not contact Redis.
func New(cfg Config) (*Limiter, error) {
	if cfg.Client == nil {
		return nil, configError("redis client is nil")
	}
	r, b, err := ratelimit.CheckRateBurst(cfg.Rate, cfg.Burst)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 || cfg.Recheck < 0 || cfg.MaxInFlight < 0 {
		return nil, configError("redis timeout %v, recheck %v and max in flight %d must be >= 0", cfg.Timeout, cfg.Recheck, cfg.MaxInFlight)
	}
	rd := &Limiter{
		client:     cfg.Client,
		prefix:     cmp(cfg.Prefix, DefaultPrefix),
		timeout:    cmp(cfg.Timeout, DefaultTimeout),
		recheck:    cmp(cfg.Recheck, DefaultRecheck),
		failOpenOK: cfg.FailOpen,
		local:      cfg.Local,
		clock:      clock.Or(cfg.Clock),
		overrides:  make(map[string]override),
		sem:        make(chan struct{}, cmp(cfg.MaxInFlight, DefaultMaxInFlight)),
		debt:       make(map[string]int64),
		succ:       make(map[string]int64),
	}
	if rd.local == nil {
		if rd.local, err = ratelimit.New(ratelimit.Config{Rate: r, Burst: b, Clock: cfg.Clock}); err != nil {
			return nil, err
		}
	}
	rd.scripts = newScripts(rd.local.Law())
	rd.def.Store(&override{rate: r, burst: b})
	return rd, nil
}

// cmp returns v, or def when v is the zero value.
func cmp[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Local returns the in-process limiter the backend uses.
func (r *Limiter) Local() *ratelimit.Limiter { return r.local }

// SetTenant sets tenant's fleet-wide rate and burst, overriding
// Config.Rate and Burst; a burst <= 0 means rate/10 rounded up, and a
// rate <= 0 removes the override. Every instance of the fleet should be
// given the same settings (they come from the same config file).
func (r *Limiter) SetTenant(tenant string, rate float64, burst int) {
	r.omu.Lock()
	defer r.omu.Unlock()
	if !(rate > 0) {
		delete(r.overrides, tenant)
		return
	}
	if burst <= 0 {
		_, burst, _ = ratelimit.CheckRateBurst(rate, 0)
	}
	r.overrides[tenant] = override{rate: rate, burst: burst}
}

// SetDefaults changes the fleet-wide rate and burst of tenants without an
// override (a config reload). It returns an error wrapping ErrInvalidConfig,
// changing nothing, for a negative or NaN rate or a negative burst.
func (r *Limiter) SetDefaults(rate float64, burst int) error {
	rt, b, err := ratelimit.CheckRateBurst(rate, burst)
	if err != nil {
		return err
	}
	r.def.Store(&override{rate: rt, burst: b})
	return nil
}

// Available reports whether the last Redis call succeeded (or the recheck
// interval after a failure has passed, so the next call will try again).
func (r *Limiter) Available() bool {
	d := r.downUntil.Load()
	return d == 0 || r.clock.Now().UnixNano() >= d
}

// conf returns tenant's configured fleet rate and burst.
func (r *Limiter) conf(tenant string) override {
	r.omu.RLock()
	o, ok := r.overrides[tenant]
	r.omu.RUnlock()
	if !ok {
		o = *r.def.Load()
	}
	return o
}

// params returns the GCRA emission interval and burst tolerance, in
// microseconds, of tenant's configured fleet rate (the scripts lower them to
// the fleet's adaptive rate).
func (r *Limiter) params(tenant string) (interval, tau float64) {
	o := r.conf(tenant)
	rate, burst := o.rate, float64(o.burst)
	if r.perInstance {
		if f := r.local.RateFactor(tenant); f < 1 {
			rate *= f
			burst = max(1, math.Round(burst*f))
		}
	}
	if math.IsInf(rate, 1) {
		return 0, 0
	}
	interval = 1e6 / rate
	return interval, interval * burst
}

// lawArgs returns the fleet law's arguments for tenant: its configured rate
// (0 when it is unlimited or the law is off), burst and increase (Local's
// Increase, or a twentieth of the rate).
func (r *Limiter) lawArgs(tenant string) (rate string, burst int, inc string) {
	o := r.conf(tenant)
	if r.perInstance || math.IsInf(o.rate, 1) {
		return "0", o.burst, "0"
	}
	i := r.local.Law().Increase
	if i == 0 {
		i = o.rate / 20
	}
	return ftoa(o.rate), o.burst, ftoa(i)
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// keys are the tenant's Redis keys: tat, pause (script.go), acc and ctl
// (lawscript.go).
func (r *Limiter) keys(tenant string) []string {
	base := r.prefix + "{" + tenant + "}:"
	return []string{base + "tat", base + "pause", base + "acc", base + "ctl"}
}

// Wait blocks until tenant may send one request: until a slot of the
// tenant's fleet-wide quota is reserved in Redis and has come, any pause of
// the tenant (seen by this instance, or by any instance through Redis) has
// ended, and the local process bucket has a token. A slot reserved before
// this instance paused the tenant is dropped, and a new one reserved after
// the pause, so the waiters of a pause leave spaced at the tenant's rate
// rather than together at its end. (A pause set by another instance holds
// every slot reserved after it; a slot this instance reserved before it
// keeps its time, which costs no extra round trip per wait.)
//
// It returns nil when the request may go; at once a *DelayError (errors.Is
// ErrDeadline and context.DeadlineExceeded) when the wait cannot finish
// before ctx's deadline; ctx.Err() when ctx ends during the wait (the
// reserved slot is given back when no later one was taken). While Redis is
// unreachable it returns Local.Wait's answer (FailOpen) or an error
// wrapping ErrUnavailable.
func (r *Limiter) Wait(ctx context.Context, tenant string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline, hasDeadline := ctx.Deadline()
	for {
		if err := r.local.WaitPaused(ctx, tenant); err != nil {
			return err
		}
		now := r.clock.Now()
		if r.down(now) {
			return r.fallback(ctx, tenant, nil)
		}
		maxWait := int64(-1)
		if hasDeadline {
			maxWait = max(0, deadline.Sub(now).Microseconds())
		}
		keys := r.keys(tenant)
		res, err := r.reserve(ctx, tenant, keys, maxWait)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return r.fallback(ctx, tenant, err)
		}
		if !res.reserved {
			return &ratelimit.DelayError{Tenant: tenant, Delay: res.wait, Remaining: deadline.Sub(now), Paused: res.paused}
		}
		if err := clock.Sleep(ctx, r.clock, res.wait); err != nil {
			r.refund(keys, res)
			return err
		}
		// A 429 seen by this instance while we slept pauses the tenant,
		// and the slot we hold falls inside the pause: leaving with it at
		// the pause's end would leave together with every other waiter
		// that holds such a slot. Drop it (its time has passed, there is
		// nothing to give back), wait the pause out and reserve a new slot,
		// which the pause queued behind its end at the tenant's rate (see
		// pauseLua).
		if !r.local.Paused(tenant) {
			break
		}
	}
	return r.local.WaitProcess(ctx, tenant)
}

// Allow reports whether tenant may send one request now, taking a slot of
// its fleet-wide quota and a process token if so. It never waits. While
// Redis is unreachable it answers Local.Allow (FailOpen) or false.
func (r *Limiter) Allow(tenant string) bool {
	now := r.clock.Now()
	if r.local.Paused(tenant) {
		return false
	}
	if r.down(now) {
		if r.failOpenOK && r.local.Allow(tenant) {
			r.owe(tenant)
			return true
		}
		return false
	}
	keys := r.keys(tenant)
	res, err := r.reserve(context.Background(), tenant, keys, 0)
	if err != nil {
		if r.failOpenOK && r.local.Allow(tenant) {
			r.owe(tenant)
			return true
		}
		return false
	}
	if !res.reserved {
		return false
	}
	if !r.local.AllowProcess(now) {
		r.refund(keys, res)
		return false
	}
	return true
}

func (r *Limiter) fallback(ctx context.Context, tenant string, cause error) error {
	if !r.failOpenOK {
		return unavailable(cause)
	}
	if err := r.local.Wait(ctx, tenant); err != nil {
		return err
	}
	r.owe(tenant)
	return nil
}

// Pause holds every sender of tenant, on every instance, until the time
// until: it pauses the tenant in Local at once and shares the pause through
// Redis (as a duration from now, so host clock skew does not matter). When
// Redis is unreachable the pause holds this instance only. A pause only
// ever extends.
func (r *Limiter) Pause(tenant string, until time.Time) {
	r.local.Pause(tenant, until)
	now := r.clock.Now()
	d := until.Sub(now)
	if d <= 0 || r.down(now) {
		return
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	interval, tau := r.params(tenant)
	rate, burst, inc := r.lawArgs(tenant)
	if r.acquire(context.Background()) != nil {
		return
	}
	defer r.release()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	err := r.scripts.pause.Run(ctx, r.client, r.keys(tenant), int64(ms),
		strconv.FormatFloat(interval, 'f', 3, 64), strconv.FormatFloat(tau, 'f', 3, 64), rate, burst, inc).Err()
	r.result(err)
}
