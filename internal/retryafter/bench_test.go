package retryafter

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func BenchmarkParse(b *testing.B) {
	now := time.Now()
	b.Run("delta/retryafter", func(b *testing.B) {
		for b.Loop() {
			Parse("120", "", now)
		}
	})
	b.Run("delta/strconv", func(b *testing.B) {
		for b.Loop() {
			strconv.Atoi("120")
		}
	})
	b.Run("http-date/retryafter", func(b *testing.B) {
		for b.Loop() {
			Parse("Sat, 01 Aug 2026 02:14:37 GMT", "", now)
		}
	})
	b.Run("http-date/nethttp", func(b *testing.B) {
		for b.Loop() {
			http.ParseTime("Sat, 01 Aug 2026 02:14:37 GMT")
		}
	})
	b.Run("body/retryafter", func(b *testing.B) {
		msg := `{"code":429,"message":"Quota exceeded. Please try again in 1 second(s).","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f"}`
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			Parse("", msg, now)
		}
	})
}
