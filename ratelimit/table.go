package ratelimit

import (
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"time"
)

// The tenant table is a fixed set of shards, each a map under an RWMutex.
// Lookups of live tenants take one shard's read lock; creation, sweeping and
// eviction take its write lock. (BenchmarkLookup compares this with
// sync.Map; see the package doc for the numbers.)
//
// Memory is bounded per shard: each shard holds at most
// ceil(MaxTenants/len(shards)) tenants, so the table never holds more than
// MaxTenants plus less than one per shard. The shard count is fixed at New
// from MaxTenants (about 64 tenants per shard, between 1 and maxShards
// shards), so a small cap is not split into tiny shards.

const maxShards = 128

type shard struct {
	mu        sync.RWMutex
	m         map[string]*tenant
	nextSweep int64 // ns since epoch of the next idle sweep
	_         [128 - 24 - 8 - 8]byte
}

func shardCount(maxTenants int) int {
	n := 1
	for n < maxShards && n*64 < maxTenants {
		n <<= 1
	}
	return n
}

// capPerShard is the most tenants one shard may hold.
func (l *Limiter) capPerShard(s *settings) int {
	n := len(l.shards)
	return max(1, (s.maxTenants+n-1)/n)
}

func (l *Limiter) shardOf(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)&l.mask]
}

// lookup returns the live tenant key, or nil.
func (l *Limiter) lookup(key string) *tenant {
	s := l.shardOf(key)
	s.mu.RLock()
	t := s.m[key]
	s.mu.RUnlock()
	return t
}

// get returns the tenant key, creating it when it is not live.
func (l *Limiter) get(key string, now time.Time) *tenant {
	s := l.shardOf(key)
	s.mu.RLock()
	t := s.m[key]
	s.mu.RUnlock()
	if t != nil {
		return t
	}
	return l.create(s, key, now)
}

// create adds tenant key to shard s. Before adding it sweeps the shard when
// a sweep is due or the shard is full; see sweepLocked.
func (l *Limiter) create(s *shard, key string, now time.Time) *tenant {
	ns := l.since(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.m[key]; t != nil {
		return t
	}
	cfg := l.cfg.Load()
	if ns >= s.nextSweep || len(s.m) >= l.capPerShard(cfg) {
		l.sweepLocked(s, ns, cfg)
	}
	r, b, override := l.limitsFor(key, cfg)
	key = strings.Clone(key) // do not pin the caller's buffer
	t := new(tenant)
	t.init(r, b, override, now, ns)
	s.m[key] = t
	l.count.Add(1)
	return t
}

// sweepLocked evicts the tenants of s that have been idle for IdleTTL (not
// used and not paused), then, if the shard is still full, the least recently
// used one. s.mu is held for writing.
func (l *Limiter) sweepLocked(s *shard, ns int64, cfg *settings) {
	ttl := int64(cfg.idleTTL)
	var (
		lruKey  string
		lruUsed int64 = math.MaxInt64
	)
	for k, t := range s.m {
		used := t.used.Load()
		if used <= ns-ttl && t.paused.Load() <= ns {
			delete(s.m, k)
			l.count.Add(-1)
			continue
		}
		if used < lruUsed {
			lruKey, lruUsed = k, used
		}
	}
	if len(s.m) >= l.capPerShard(cfg) && lruUsed != math.MaxInt64 {
		delete(s.m, lruKey)
		l.count.Add(-1)
	}
	s.nextSweep = ns + max(ttl/4, 1)
}

// limitsFor returns the configured rate and burst of tenant key, and
// whether they come from SetTenant. The caller holds key's shard lock.
func (l *Limiter) limitsFor(key string, cfg *settings) (float64, int, bool) {
	l.omu.RLock()
	o, ok := l.overrides[key]
	l.omu.RUnlock()
	if ok {
		return o.rate, o.burst, true
	}
	return cfg.rate, cfg.burst, false
}

// override is a per-tenant rate and burst set by SetTenant.
type override struct {
	rate  float64
	burst int
}

// Sweep evicts every tenant that has been idle for IdleTTL, in every shard,
// and returns how many it evicted. Sweeps also run by themselves (a shard is
// swept when a tenant is created in it and a quarter of IdleTTL has passed
// since its last sweep), so calling Sweep is only needed to release memory
// promptly after a burst of tenants when no new tenants follow.
func (l *Limiter) Sweep() int {
	now := l.since(l.clock.Now())
	cfg := l.cfg.Load()
	ttl := int64(cfg.idleTTL)
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for k, t := range s.m {
			if t.used.Load() <= now-ttl && t.paused.Load() <= now {
				delete(s.m, k)
				n++
			}
		}
		s.nextSweep = now + max(ttl/4, 1)
		s.mu.Unlock()
	}
	l.count.Add(int64(-n))
	return n
}
