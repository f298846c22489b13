package ratelimit

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// The rates here are high enough never to bind: the benchmarks measure the
// cost of asking, on the path every request takes, against the raw
// rate.Limiter doing the same with time.Now.

const benchRate = 1e12

func benchLimiter(b *testing.B) *Limiter {
	b.Helper()
	l, err := New(Config{Rate: benchRate, Burst: 1 << 30, ProcessRate: benchRate, ProcessBurst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func BenchmarkAllow(b *testing.B) {
	b.Run("local", func(b *testing.B) {
		l := benchLimiter(b)
		b.ReportAllocs()
		for b.Loop() {
			l.Allow("acme")
		}
	})
	b.Run("x-time-rate", func(b *testing.B) {
		lim := rate.NewLimiter(benchRate, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			lim.Allow()
		}
	})
	// The same two-level check by hand: a map of limiters under a mutex plus
	// a process limiter, what a caller would write without this package.
	b.Run("x-time-rate-map", func(b *testing.B) {
		var mu sync.Mutex
		m := map[string]*rate.Limiter{"acme": rate.NewLimiter(benchRate, 1<<30)}
		proc := rate.NewLimiter(benchRate, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			now := time.Now()
			mu.Lock()
			lim := m["acme"]
			mu.Unlock()
			_ = lim.AllowN(now, 1) && proc.AllowN(now, 1)
		}
	})
}

// BenchmarkClockNow is the floor under every benchmark above: reading the
// clock, which both Allow and rate.Limiter.Allow do once per call.
func BenchmarkClockNow(b *testing.B) {
	b.Run("real/time.Now", func(b *testing.B) {
		for b.Loop() {
			_ = time.Now()
		}
	})
}

func BenchmarkWait(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.Run("local", func(b *testing.B) {
		l := benchLimiter(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Wait(ctx, "acme")
		}
	})
	b.Run("x-time-rate", func(b *testing.B) {
		lim := rate.NewLimiter(benchRate, 1<<30)
		b.ReportAllocs()
		for b.Loop() {
			_ = lim.Wait(ctx)
		}
	})
}

func BenchmarkSucceeded(b *testing.B) {
	b.Run("at-rate/local", func(b *testing.B) {
		l := benchLimiter(b)
		l.Allow("acme")
		b.ReportAllocs()
		for b.Loop() {
			l.Succeeded("acme")
		}
	})
}

// BenchmarkAllowParallel spreads goroutines over 10,000 live tenants.
func BenchmarkAllowParallel(b *testing.B) {
	const tenants = 10_000
	keys := make([]string, tenants)
	for i := range keys {
		keys[i] = "tenant-" + strconv.Itoa(i)
	}
	b.Run("10k-tenants/local", func(b *testing.B) {
		l := benchLimiter(b)
		for _, k := range keys {
			l.Allow(k)
		}
		var seq atomic.Uint32
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(seq.Add(7919)) % tenants
			for pb.Next() {
				l.Allow(keys[i])
				if i++; i == tenants {
					i = 0
				}
			}
		})
	})
	b.Run("1-tenant/local", func(b *testing.B) {
		l, err := New(Config{Rate: benchRate, Burst: 1 << 30, ProcessRate: -1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow("acme")
			}
		})
	})
	b.Run("1-tenant/x-time-rate", func(b *testing.B) {
		lim := rate.NewLimiter(benchRate, 1<<30)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				lim.Allow()
			}
		})
	})
}

// BenchmarkLookup compares the tenant index alone, 10,000 tenants read in
// parallel: the sharded RWMutex map the Limiter uses against sync.Map.
func BenchmarkLookup(b *testing.B) {
	const tenants = 10_000
	keys := make([]string, tenants)
	for i := range keys {
		keys[i] = "tenant-" + strconv.Itoa(i)
	}
	run := func(b *testing.B, get func(string) *tenant) {
		var seq atomic.Uint32
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(seq.Add(7919)) % tenants
			for pb.Next() {
				if get(keys[i]) == nil {
					b.Error("missing tenant")
					return
				}
				if i++; i == tenants {
					i = 0
				}
			}
		})
	}
	b.Run("10k-tenants/sharded", func(b *testing.B) {
		l := benchLimiter(b)
		for _, k := range keys {
			l.Allow(k)
		}
		run(b, l.lookup)
	})
	b.Run("10k-tenants/sync.Map", func(b *testing.B) {
		var m sync.Map
		for _, k := range keys {
			m.Store(k, new(tenant))
		}
		run(b, func(k string) *tenant {
			v, _ := m.Load(k)
			t, _ := v.(*tenant)
			return t
		})
	})
}
