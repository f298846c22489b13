package redisbreaker

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/fleet/redistest"
)

// BenchmarkAllowShared is breaker's BenchmarkAllow/closed with a Store
// attached: the request path is the same, since the store is never
// consulted per request. Compare with `go test -bench Allow ./breaker/`.
func BenchmarkAllowShared(b *testing.B) {
	srv := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer client.Close()
	st, err := New(Config{Client: client})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := breaker.New(breaker.Config{Shared: st})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for range 100 {
		done, err := s.Allow(key)
		if err != nil {
			b.Fatal(err)
		}
		done(breaker.Success)
	}
	b.ReportAllocs()
	for b.Loop() {
		done, err := s.Allow(key)
		if err != nil {
			b.Fatal(err)
		}
		done(breaker.Success)
	}
}
