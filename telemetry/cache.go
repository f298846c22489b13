package telemetry

import (
	"sync"
	"sync/atomic"
)

// cache is a copy-on-write map for values built once and read on every
// event: a read is an atomic load and a map lookup, without a lock and
// without an allocation; a miss builds the value under a mutex and
// publishes a copy of the map. Past max entries a miss is built but not
// stored (the callers' keys are bounded well below it; the bound only
// keeps a bug from growing the map without end).
type cache[K comparable, V any] struct {
	m   atomic.Pointer[map[K]V]
	mu  sync.Mutex
	max int
}

func newCache[K comparable, V any](max int) *cache[K, V] {
	c := &cache[K, V]{max: max}
	m := make(map[K]V)
	c.m.Store(&m)
	return c
}

// lookup returns k's value if it is stored.
func (c *cache[K, V]) lookup(k K) (V, bool) {
	v, ok := (*c.m.Load())[k]
	return v, ok
}

// get returns k's value, building it with build on the first use.
func (c *cache[K, V]) get(k K, build func(K) V) V {
	if v, ok := (*c.m.Load())[k]; ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.m.Load()
	if v, ok := old[k]; ok {
		return v
	}
	v := build(k)
	if len(old) >= c.max {
		return v
	}
	m := make(map[K]V, len(old)+1)
	for kk, vv := range old {
		m[kk] = vv
	}
	m[k] = v
	c.m.Store(&m)
	return v
}
