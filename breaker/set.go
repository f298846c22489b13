package breaker

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/clock"
)

const shardCount = 32 // power of two

// Set is a collection of circuit breakers, one per key, created on first
// use. The key is the caller's choice: octosend's client uses the region
// base URL by default and the tenant when configured.
//
// A Set is safe for concurrent use. The zero value is not usable: create
// one with New. A key's breaker is dropped after it stays idle for
// Config.IdleTTL, so keys that come and go do not accumulate.
type Set struct {
	base    settings
	idleTTL time.Duration // <= 0: never drop idle keys
	swept   atomic.Int64  // clock time (UnixNano) of the last sweep
	hook    func(key string, from, to State)
	clock   clock.Clock
	shared  Shared
	seed    maphash.Seed
	shards  [shardCount]shard

	closeOnce sync.Once
	closed    atomic.Bool // after Close: no Shared subscriptions or publications
}

type shard struct {
	mu        sync.RWMutex
	m         map[string]*circuit
	overrides map[string]settings // Configure'd keys, kept across drops
	cancels   map[*circuit]func() // Shared subscriptions
	_         [16]byte            // pad to 64 bytes: shards on separate cache lines
}

// Counts is a snapshot of one breaker, for observability and tests: a
// plain value, detached from the Set. The zero value is a closed breaker
// with nothing counted.
type Counts struct {
	// State is the breaker's state when the snapshot was taken.
	State State
	// Successes and Failures are the outcomes in the rolling window
	// (Closed), or zero (HalfOpen, Open).
	Successes, Failures int
	// ConsecutiveFailures is the current run of failures (Closed).
	ConsecutiveFailures int
}

// New returns a Set configured by cfg. It returns an error wrapping
// ErrInvalidConfig when a field is out of range.
//
// A Set starts no goroutine. Idle keys (see Config.IdleTTL) are dropped by
// a sweep that runs, at most once per IdleTTL, when a new key is created.
func New(cfg Config) (*Set, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Set{
		base:    cfg.settings(defaultSettings()),
		idleTTL: cfg.IdleTTL,
		hook:    cfg.OnStateChange,
		clock:   clock.Or(cfg.Clock),
		shared:  cfg.Shared,
		seed:    maphash.MakeSeed(),
	}
	if s.idleTTL == 0 {
		s.idleTTL = DefaultIdleTTL
	}
	s.swept.Store(s.clock.Now().UnixNano())
	for i := range s.shards {
		s.shards[i].m = make(map[string]*circuit)
		s.shards[i].overrides = make(map[string]settings)
		s.shards[i].cancels = make(map[*circuit]func())
	}
	return s, nil
}

func (s *Set) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)&(shardCount-1)]
}

// lookup returns the breaker of key, or nil.
func (s *Set) lookup(key string) *circuit {
	sh := s.shard(key)
	sh.mu.RLock()
	c := sh.m[key]
	sh.mu.RUnlock()
	return c
}

// get returns the breaker of key, creating it when it does not exist yet.
func (s *Set) get(key string) *circuit {
	if c := s.lookup(key); c != nil {
		return c
	}
	c, _ := s.create(key, nil)
	return c
}

// create returns the breaker of key and whether it was made by this call.
// A non-nil override is recorded as the key's settings (Configure).
func (s *Set) create(key string, override *settings) (*circuit, bool) {
	now := s.clock.Now()
	s.maybeSweep(now)
	sh := s.shard(key)
	sh.mu.Lock()
	if override != nil {
		sh.overrides[key] = *override
	}
	if c := sh.m[key]; c != nil {
		sh.mu.Unlock()
		return c, false
	}
	key = strings.Clone(key) // the caller's string may alias a reused buffer
	cfg, ok := sh.overrides[key]
	if !ok {
		cfg = s.base
	}
	c := newCircuit(s, key, cfg, now)
	sh.m[key] = c
	sh.mu.Unlock()
	if s.shared != nil && !s.closed.Load() {
		// Outside the shard lock: Subscribe may deliver a cached state at
		// once, and delivery takes the circuit's lock.
		cancel := s.shared.Subscribe(key, c.fleetOpen)
		sh.mu.Lock()
		if sh.m[key] == c && !s.closed.Load() {
			sh.cancels[c] = cancel
			cancel = nil
		}
		sh.mu.Unlock()
		if cancel != nil { // dropped or closed meanwhile
			cancel()
		}
	}
	return c, true
}

// maybeSweep drops idle breakers if the last sweep is IdleTTL old. One
// caller wins the sweep; the others go on at once.
func (s *Set) maybeSweep(now time.Time) {
	if s.idleTTL <= 0 {
		return
	}
	last := s.swept.Load()
	if now.UnixNano()-last < int64(s.idleTTL) || !s.swept.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	var cancels []func()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, c := range sh.m {
			if c.sweep(now) {
				delete(sh.m, k)
				if cancel := sh.cancels[c]; cancel != nil {
					cancels = append(cancels, cancel)
					delete(sh.cancels, c)
				}
			}
		}
		sh.mu.Unlock()
	}
	for _, cancel := range cancels {
		cancel()
	}
}

// Len returns how many keys have a breaker (idle ones are dropped in time,
// see Config.IdleTTL).
func (s *Set) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// Allow asks the breaker of key to let one request through, creating the
// breaker on first use. When it does, Allow returns done, which the caller
// must call exactly once with the request's outcome (a result reported
// after the breaker changed state is dropped). When it does not, err is an
// *OpenError (errors.Is(err, ErrOpen)) saying how long until the next
// probe.
//
// Allow and done do not allocate for a closed breaker of an existing key;
// done is shared by every request of one breaker state, so calling it
// twice counts twice.
func (s *Set) Allow(key string) (done func(Outcome), err error) {
	g, err := s.get(key).acquire()
	if err != nil {
		return nil, err
	}
	return g.done, nil
}

// OpenFor forces the breaker of key open for d from now — for example for
// the Retry-After of a 503 — and tells the fleet when the Set has a Shared
// store. A d <= 0 means the key's OpenFor setting. OpenFor never shortens
// a longer open period already running.
func (s *Set) OpenFor(key string, d time.Duration) {
	for !s.get(key).forceOpen(d) { // dropped as idle meanwhile: use the new one
	}
}

// State returns the state of the breaker of key (Closed for a key never
// used), applying the transitions that time alone causes, such as Open to
// HalfOpen.
func (s *Set) State(key string) State {
	c := s.lookup(key)
	if c == nil {
		return Closed
	}
	return c.currentState()
}

// Counts returns a snapshot of the breaker of key (zero for a key never
// used).
func (s *Set) Counts(key string) Counts {
	c := s.lookup(key)
	if c == nil {
		return Counts{}
	}
	return c.snapshot()
}

// Configure overrides the settings of one key (for example a tenant's own
// thresholds), creating its breaker if needed; the override outlives the
// breaker being dropped when idle. Zero fields take the Set's
// value, as do fields that fail Validate (check with cfg.Validate first to
// catch them). OnStateChange, Clock and Shared are Set-wide and ignored.
// The breaker keeps its state and any open period; its window restarts
// when Window or Buckets change.
func (s *Set) Configure(key string, cfg Config) {
	st := cfg.settings(s.base)
	for {
		c, created := s.create(key, &st)
		if created || c.configure(st) {
			return
		}
	}
}

// Close ends the Set's subscriptions to its Shared store. The Set stays
// usable, local only for the keys it had; it does not close the store.
// Close is idempotent.
func (s *Set) Close() {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		for i := range s.shards {
			sh := &s.shards[i]
			sh.mu.Lock()
			cancels := sh.cancels
			sh.cancels = make(map[*circuit]func())
			sh.mu.Unlock()
			for _, cancel := range cancels {
				cancel()
			}
		}
	})
}
