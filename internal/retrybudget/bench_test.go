package retrybudget

import (
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

func BenchmarkBudget(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		bg := New(policy.BudgetConfig{}, clock.Real)
		b.ReportAllocs()
		for b.Loop() {
			bg.Request()
			if t, ok := bg.TryRetry(); ok {
				bg.Refund(t)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		bg := New(policy.BudgetConfig{}, clock.Real)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				bg.Request()
				bg.TryRetry()
			}
		})
	})
}
