package breaker

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sony/gobreaker/v2"
)

// BenchmarkAllow measures the request path — Allow plus the done report —
// of a closed breaker whose key exists, against gobreaker's
// TwoStepCircuitBreaker (the baseline) in the same run.
func BenchmarkAllow(b *testing.B) {
	b.Run("closed/octosend", func(b *testing.B) {
		s := mustSet(b)
		warm(b, s, key)
		b.ReportAllocs()
		for b.Loop() {
			done, err := s.Allow(key)
			if err != nil {
				b.Fatal(err)
			}
			done(Success)
		}
	})
	b.Run("closed/gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker[any](gobreaker.Settings{})
		b.ReportAllocs()
		for b.Loop() {
			done, err := cb.Allow()
			if err != nil {
				b.Fatal(err)
			}
			done(nil)
		}
	})

	const nkeys = 64
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = "https://region-" + strconv.Itoa(i) + ".8x8.test"
	}
	b.Run("closed-parallel-keys/octosend", func(b *testing.B) {
		s := mustSet(b)
		for _, k := range keys {
			warm(b, s, k)
		}
		var next atomic.Uint32
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1))
			for pb.Next() {
				i++
				done, err := s.Allow(keys[i%nkeys])
				if err != nil {
					b.Error(err)
					return
				}
				done(Success)
			}
		})
	})
	b.Run("closed-parallel-keys/gobreaker", func(b *testing.B) {
		// A read-only map built up front: the cheapest keyed lookup there is,
		// so the baseline pays nothing for keys.
		cbs := make(map[string]*gobreaker.TwoStepCircuitBreaker[any], nkeys)
		for _, k := range keys {
			cbs[k] = gobreaker.NewTwoStepCircuitBreaker[any](gobreaker.Settings{Name: k})
		}
		var next atomic.Uint32
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1))
			for pb.Next() {
				i++
				done, err := cbs[keys[i%nkeys]].Allow()
				if err != nil {
					b.Error(err)
					return
				}
				done(nil)
			}
		})
	})
	b.Run("open/octosend", func(b *testing.B) {
		s := mustSet(b)
		s.OpenFor(key, 1<<62)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Allow(key); err == nil {
				b.Fatal("open breaker let a request through")
			}
		}
	})
	b.Run("open/gobreaker", func(b *testing.B) {
		cb := gobreaker.NewTwoStepCircuitBreaker[any](gobreaker.Settings{Timeout: 1 << 62,
			ReadyToTrip: func(gobreaker.Counts) bool { return true }})
		done, _ := cb.Allow()
		done(errFail)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cb.Allow(); err == nil {
				b.Fatal("open breaker let a request through")
			}
		}
	})
}

func mustSet(b *testing.B) *Set {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func warm(b *testing.B, s *Set, k string) {
	done, err := s.Allow(k)
	if err != nil {
		b.Fatal(err)
	}
	done(Success)
}
