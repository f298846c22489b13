package redisbreaker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/clock"
)

// Defaults of Config.
const (
	DefaultRedisPrefix  = "octosend:breaker:"
	DefaultRedisRefresh = 200 * time.Millisecond
	DefaultRedisTimeout = 50 * time.Millisecond
)

// fullPollEvery is how many refreshes may pass with an unchanged
// generation counter before the store re-reads every followed key anyway,
// as a safety net for a counter update that was lost.
const fullPollEvery = 25

// reportSlack is how much later than the last reported "open until" a
// polled one must be to be reported again. Polls derive the time from the
// key's remaining TTL, which jitters by the round trip; without the slack
// a breaker that just went half-open could be reopened by the tail of the
// period it already served.
const reportSlack = 50 * time.Millisecond

// ErrNoClient is returned by New when Config.Client is nil.
var ErrNoClient = errors.New("redisbreaker: Config.Client is nil")

// Config configures a Store. Zero fields mean the documented
// defaults, except Client, which is required.
type Config struct {
	// Client is the Redis connection (a *redis.Client, *redis.ClusterClient
	// or *redis.Ring). Required. The store does not close it.
	//
	// go-redis applies a context deadline to the socket only with
	// Options.ContextTimeoutEnabled; without it a hung Redis holds the
	// store's goroutine (never a request) for the client's ReadTimeout
	// (3s by default), and Close waits that long. Set
	// ContextTimeoutEnabled, or ReadTimeout and WriteTimeout close to
	// Timeout, on the client given here.
	Client redis.UniversalClient
	// Prefix starts every Redis key the store uses: Prefix+"open:"+key
	// per breaker key, and Prefix+"gen", a counter bumped on each
	// publication. Zero means DefaultRedisPrefix ("octosend:breaker:").
	Prefix string
	// Refresh is how often the store polls Redis for the keys it follows,
	// and so the longest an instance takes to learn that another one
	// tripped (plus one round trip). Zero means DefaultRedisRefresh (200ms).
	Refresh time.Duration
	// Timeout bounds each Redis round trip. Zero means DefaultRedisTimeout
	// (50ms).
	Timeout time.Duration
	// Clock is the time source; use the Set's. Nil means the wall clock.
	Clock clock.Clock
}

// Store is the Redis implementation of breaker.Shared. For each key it keeps
// one Redis key whose TTL is the fleet's "open until": an instance that
// trips sets it (never shortening a longer one) and bumps a generation
// counter. Every Refresh each instance reads the counter — one command,
// however many keys it follows — and only when it moved reads the TTLs of
// the keys it follows (one pipelined round trip) and opens its local
// breakers accordingly. Times cross the fleet as remaining durations, so
// instances' clocks need not agree.
//
// Nothing on the request path touches Redis: publications are queued and
// written by a background goroutine (coalesced per key, retried while
// still relevant), and polls run in that goroutine too. When Redis is
// unreachable each call fails within Timeout and the instances keep
// running on their local breakers; they pick the shared state up again
// when Redis returns.
//
// A Store is safe for concurrent use and may serve several Sets. The
// zero value is not usable: create one with New, and Close it to
// stop its goroutine.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	refresh time.Duration
	timeout time.Duration
	clock   clock.Clock

	mu      sync.Mutex
	follows map[string]*follow
	pending map[string]time.Time // publications not yet written
	closed  bool
	nextID  uint64
	lastGen string              // generation counter at the last full poll
	haveGen bool                // lastGen is valid
	dirty   bool                // read every key at the next poll (after a failure)
	fresh   map[string]struct{} // keys followed since the last poll: read at the next one
	idle    int                 // polls skipped since the last full poll

	kick    chan struct{} // a publication is pending
	stop    chan struct{}
	cancel  context.CancelFunc // of the background goroutine's context
	done    chan struct{}
	syncMu  sync.Mutex // one poll at a time (background or Sync)
	healthy atomic.Bool
	once    sync.Once
}

// follow is what the store knows of one followed key.
type follow struct {
	subs     map[uint64]func(time.Time)
	reported time.Time // latest "open until" reported to subs (or published by them)
}

// New returns a Store and starts its background goroutine.
// It returns ErrNoClient without a Client and an error wrapping
// breaker.ErrInvalidConfig for a negative Refresh or Timeout. It does not contact
// Redis: an unreachable Redis is not an error, only a degraded mode.
func New(cfg Config) (*Store, error) {
	if cfg.Client == nil {
		return nil, ErrNoClient
	}
	if cfg.Refresh < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: Config Refresh %v, Timeout %v: negative", breaker.ErrInvalidConfig, cfg.Refresh, cfg.Timeout)
	}
	r := &Store{
		client:  cfg.Client,
		prefix:  cfg.Prefix,
		refresh: cfg.Refresh,
		timeout: cfg.Timeout,
		clock:   clock.Or(cfg.Clock),
		follows: make(map[string]*follow),
		pending: make(map[string]time.Time),
		fresh:   make(map[string]struct{}),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if r.prefix == "" {
		r.prefix = DefaultRedisPrefix
	}
	if r.refresh == 0 {
		r.refresh = DefaultRedisRefresh
	}
	if r.timeout == 0 {
		r.timeout = DefaultRedisTimeout
	}
	r.healthy.Store(true)
	var ctx context.Context
	ctx, r.cancel = context.WithCancel(context.Background())
	go r.loop(ctx)
	return r, nil
}

// Publish records that key is open until until and returns at once; the
// background goroutine writes it to Redis. It implements breaker.Shared.
func (r *Store) Publish(key string, until time.Time) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if until.After(r.pending[key]) {
		r.pending[key] = until
	}
	if f := r.follows[key]; f != nil && until.After(f.reported) {
		f.reported = until // our own opening: do not report it back
	}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Subscribe follows key: open is called (never under the store's lock)
// whenever a poll finds key open, fleet-wide, until a time later than any
// reported or published before. If the store already knows key to be open,
// open is called before Subscribe returns. It implements breaker.Shared.
func (r *Store) Subscribe(key string, open func(until time.Time)) (cancel func()) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return func() {}
	}
	f := r.follows[key]
	if f == nil {
		f = &follow{subs: make(map[uint64]func(time.Time))}
		r.follows[key] = f
	}
	r.nextID++
	id := r.nextID
	f.subs[id] = open
	r.fresh[key] = struct{}{} // the next poll reads the new key
	known := f.reported
	r.mu.Unlock()
	if known.After(r.clock.Now()) {
		open(known)
	}
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if f := r.follows[key]; f != nil {
			delete(f.subs, id)
			if len(f.subs) == 0 {
				delete(r.follows, key)
			}
		}
	}
}

// Healthy reports whether the last Redis round trip succeeded (true until
// the first one fails).
func (r *Store) Healthy() bool { return r.healthy.Load() }

// Sync writes pending publications and polls every followed key once, now,
// returning the first Redis error. The background goroutine does the same
// every Refresh; Sync is for tests and for callers that want the fleet
// state at once (for example at start-up). Each round trip is bounded by
// Timeout and by ctx.
func (r *Store) Sync(ctx context.Context) error {
	r.syncMu.Lock()
	werr := r.flush(ctx)
	deliver, perr := r.poll(ctx)
	r.syncMu.Unlock()
	deliver() // outside every lock of the store: subscribers may call back in
	if werr != nil {
		return werr
	}
	return perr
}

// Close stops the background goroutine and waits for it. Pending
// publications not yet written are dropped; the Client stays open. Close
// is idempotent. It must not be called from an OnStateChange hook, which
// may be running on that goroutine.
func (r *Store) Close() error {
	r.once.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.stop)
		r.cancel() // ends a round trip in flight
		<-r.done
	})
	return nil
}

func (r *Store) loop(ctx context.Context) {
	defer close(r.done)
	t := r.clock.NewTimer(r.refresh)
	defer func() { t.Stop() }()
	for {
		select {
		case <-r.stop:
			return
		case <-r.kick:
			r.syncMu.Lock()
			_ = r.flush(ctx)
			r.syncMu.Unlock()
		case <-t.C():
			_ = r.Sync(ctx)
			t = r.clock.NewTimer(r.refresh)
		}
	}
}
