package telemetry

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// cache is a copy-on-write map for values built once and read on every
// event: a read is an atomic load and a map lookup, without a lock and
// without an allocation; a miss builds the value under a mutex and
// publishes a copy of the map. Its keys are bounded by construction
// (tenants by Options.MaxTenants, codes to the known ones, and so on);
// past max entries every new key gets the overflow value instead, so even
// a bug or a hostile server cannot grow it, nor a metric's series, without
// end.
type cache[K comparable, V any] struct {
	m        atomic.Pointer[map[K]V]
	mu       sync.Mutex
	max      int
	overflow V
}

func newCache[K comparable, V any](max int, overflow V) *cache[K, V] {
	c := &cache[K, V]{max: max, overflow: overflow}
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
	if len(old) >= c.max {
		return c.overflow
	}
	v := build(k)
	m := make(map[K]V, len(old)+1)
	for kk, vv := range old {
		m[kk] = vv
	}
	m[k] = v
	c.m.Store(&m)
	return v
}

// snapshot returns the stored values (the map must not be modified).
func (c *cache[K, V]) snapshot() map[K]V { return *c.m.Load() }

// cell is one series of an octosend counter: its running total, added to
// with one atomic add on the hot path, and its attribute set, reported by
// the counter's callback at collection.
type cell struct {
	n   atomic.Int64
	opt metric.ObserveOption
}

func newCell(kv ...attribute.KeyValue) *cell {
	return &cell{opt: metric.WithAttributeSet(attribute.NewSet(kv...))}
}

// AttrOverflow marks the series that collects what a full cache refused:
// it should never appear (see cache).
const AttrOverflow = attribute.Key("octosend.overflow")
