package ratelimit

import (
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"
)

func TestShardLayout(t *testing.T) {
	if got := unsafe.Sizeof(shard{}); got != 128 {
		t.Errorf("sizeof(shard) = %d, want 128 (two cache lines, no false sharing)", got)
	}
	tests := []struct{ max, want int }{
		{1, 1}, {64, 1}, {65, 2}, {1000, 16}, {100_000, 128}, {10_000_000, 128},
	}
	for _, tt := range tests {
		if got := shardCount(tt.max); got != tt.want {
			t.Errorf("shardCount(%d) = %d, want %d", tt.max, got, tt.want)
		}
	}
}

func TestIdleEviction(t *testing.T) {
	// MaxTenants 64: one shard, so every creation sweeps the same map.
	l, f := newFake(t, Config{ProcessRate: -1, IdleTTL: time.Minute, MaxTenants: 64})
	l.Allow("a")
	l.Allow("b")
	f.Advance(30 * time.Second)
	l.Allow("b") // b stays busy
	f.Advance(31 * time.Second)
	l.Allow("c") // a sweep is due (a quarter TTL has passed): a is idle
	if _, ok := l.State("a"); ok {
		t.Error("tenant a, idle for 61s with a 1m TTL, was not evicted")
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := l.State(k); !ok {
			t.Errorf("tenant %s was evicted while in use", k)
		}
	}
	if l.Len() != 2 {
		t.Errorf("Len = %d, want 2", l.Len())
	}

	// An evicted tenant comes back with a full bucket and default state.
	l.Throttled("b")
	f.Advance(2 * time.Minute)
	if n := l.Sweep(); n != 2 {
		t.Fatalf("Sweep evicted %d, want 2", n)
	}
	if l.Len() != 0 {
		t.Fatalf("Len = %d after sweeping everything", l.Len())
	}
	l.Allow("b")
	if st, _ := l.State("b"); st.Rate != DefaultRate {
		t.Errorf("re-created tenant has rate %v, want the default %v", st.Rate, float64(DefaultRate))
	}
}

func TestClose(t *testing.T) {
	l, _ := newFake(t, Config{Rate: 10, Burst: 2, ProcessRate: -1})
	l.SetTenant("pinned", 1, 1)
	for _, k := range []string{"a", "b", "pinned"} {
		countAllows(l, k)
	}
	l.Close()
	if l.Len() != 0 {
		t.Fatalf("Len = %d after Close", l.Len())
	}
	// Still usable; tenants come back fresh, overrides stay.
	if got := countAllows(l, "a"); got != 2 {
		t.Errorf("tenant a allowed %d after Close, want a fresh burst of 2", got)
	}
	if got := countAllows(l, "pinned"); got != 1 {
		t.Errorf("pinned tenant allowed %d after Close, want its override burst of 1", got)
	}
}

func TestCapEvictsLeastRecentlyUsed(t *testing.T) {
	l, f := newFake(t, Config{ProcessRate: -1, IdleTTL: time.Hour, MaxTenants: 3})
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k)
		f.Advance(time.Second)
	}
	l.Allow("a") // now b is the least recently used
	f.Advance(time.Second)
	l.Allow("d")
	if l.Len() != 3 {
		t.Fatalf("Len = %d, want the cap of 3", l.Len())
	}
	if _, ok := l.State("b"); ok {
		t.Error("b, the least recently used, was kept")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := l.State(k); !ok {
			t.Errorf("%s was evicted instead of b", k)
		}
	}
	// Idle tenants go first, before any LRU choice.
	f.Advance(2 * time.Hour)
	l.Allow("e")
	if l.Len() != 1 {
		t.Errorf("Len = %d, want 1: the idle tenants are all swept", l.Len())
	}
}

func TestCapNeverExceeded(t *testing.T) {
	const maxTenants = 1000
	l, f := newFake(t, Config{ProcessRate: -1, IdleTTL: time.Hour, MaxTenants: maxTenants})
	limit := maxTenants + len(l.shards) // per-shard rounding; see table.go
	for i := range 20_000 {
		l.Allow("t" + strconv.Itoa(i))
		if i%100 == 0 {
			f.Advance(time.Millisecond)
		}
		if n := l.Len(); n > limit {
			t.Fatalf("Len = %d after %d tenants, above the bound %d", n, i+1, limit)
		}
	}
	if n := l.Len(); n < maxTenants*9/10 {
		t.Errorf("Len = %d: the table keeps far fewer than MaxTenants", n)
	}
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// tenantMemoryBudget is the documented budget for one idle tenant with a
// short (up to 16-byte) name: the tenant, its share of the table and the
// table's own copy of the name.
const tenantMemoryBudget = 256

func TestMemoryPerIdleTenant(t *testing.T) {
	const n = 50_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "tenant-" + strconv.Itoa(i)
	}
	l, _ := newFake(t, Config{MaxTenants: 2 * n}) // no shard reaches its cap
	before := heapAlloc()
	for _, k := range keys {
		l.Allow(k)
	}
	after := heapAlloc()
	per := float64(after-before) / n
	t.Logf("memory per idle tenant: %.0f B", per)
	if l.Len() != n {
		t.Fatalf("Len = %d, want %d", l.Len(), n)
	}
	if per > tenantMemoryBudget {
		t.Errorf("memory per idle tenant %.0f B, above the budget of %d B", per, tenantMemoryBudget)
	}
	runtime.KeepAlive(keys)
	runtime.KeepAlive(l)
}

// TestMillionTenantsNoGrowth creates and evicts a million tenants and checks
// that the heap does not grow with the number created: memory is bounded by
// MaxTenants and IdleTTL, not by history.
func TestMillionTenantsNoGrowth(t *testing.T) {
	total := 1_000_000
	if raceEnabled {
		total = 200_000 // the race detector is ~10x slower
	}
	const maxTenants = 20_000
	// Tenants go idle after 50ms of fake time and 10µs pass per creation,
	// so about 5,000 are within the TTL at any moment (idle eviction), and
	// bursts without time passing hit the cap (LRU eviction).
	l, f := newFake(t, Config{ProcessRate: -1, IdleTTL: 50 * time.Millisecond, MaxTenants: maxTenants})
	buf := make([]byte, 0, 32)
	create := func(from, to int) {
		for i := from; i < to; i++ {
			buf = strconv.AppendInt(append(buf[:0], "t-"...), int64(i), 10)
			l.Allow(string(buf))
			if i%64 == 0 {
				f.Advance(640 * time.Microsecond)
			}
			if i%200_000 == 100_000 { // a burst: 30,000 creations at one instant
				for j := range 30_000 {
					l.Allow("burst-" + strconv.Itoa(i) + "-" + strconv.Itoa(j))
				}
			}
		}
	}
	create(0, total/5)
	mid := heapAlloc()
	create(total/5, total)
	end := heapAlloc()
	t.Logf("heap after %d tenants: %d KiB; after %d: %d KiB; live tenants %d", total/5, mid>>10, total, end>>10, l.Len())
	if n := l.Len(); n > maxTenants+len(l.shards) {
		t.Errorf("Len = %d, above MaxTenants", n)
	}
	if end > mid+1<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB while tenants were replaced", mid>>10, end>>10)
	}
}
