package redislimit

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/ratelimit"
)

// benchRate is high enough never to bind: the benchmark measures the cost
// of asking.
const benchRate = 1e12

func benchLocal(b *testing.B) *ratelimit.Limiter {
	b.Helper()
	l, err := ratelimit.New(ratelimit.Config{Rate: benchRate, Burst: 1 << 30, ProcessRate: benchRate, ProcessBurst: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkRedisWait measures one fleet-wide Wait (one script round trip to
// a local redis-server) against redis_rate's Allow on the same server.
func BenchmarkRedisWait(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	b.Run("lua-gcra", func(b *testing.B) {
		c := newClient(b, srv.Addr)
		r, err := New(Config{Client: c, Rate: benchRate, Burst: 1 << 30, Local: benchLocal(b)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := r.Wait(ctx, "acme"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("redis_rate", func(b *testing.B) {
		c := newClient(b, srv.Addr)
		lim := redis_rate.NewLimiter(c)
		limit := redis_rate.Limit{Rate: 1 << 30, Burst: 1 << 30, Period: time.Second}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := lim.Allow(ctx, "acme", limit); err != nil {
				b.Fatal(err)
			}
		}
	})
}
