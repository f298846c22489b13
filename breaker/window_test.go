package breaker

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestWindowMatchesNaive checks the ring against a plain list of
// timestamped outcomes: after any sequence of adds and clock moves, the
// totals equal the outcomes whose bucket is one of the newest len(ring).
func TestWindowMatchesNaive(t *testing.T) {
	type event struct {
		at     int64 // bucket index
		failed bool
	}
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		n := 1 + r.IntN(12)
		width := time.Duration(1+r.IntN(1000)) * time.Millisecond
		var w window
		now := t0
		w.reset(now, width, n)
		var events []event
		for step := 0; step < 300; step++ {
			switch r.IntN(4) {
			case 0:
				now = now.Add(time.Duration(r.Int64N(int64(width) * int64(n+2))))
			default:
				failed := r.IntN(2) == 0
				w.add(now, failed)
				events = append(events, event{int64(now.Sub(t0) / width), failed})
			}
			w.roll(now)
			cur := int64(now.Sub(t0) / width)
			var want counts
			for _, e := range events {
				if e.at > cur-int64(n) {
					if e.failed {
						want.failures++
					} else {
						want.successes++
					}
				}
			}
			if w.total != want {
				t.Fatalf("seed %d step %d (n=%d width=%v): totals %+v, want %+v", seed, step, n, width, w.total, want)
			}
		}
	}
}

func TestWindowClockBackwards(t *testing.T) {
	var w window
	w.reset(t0, time.Second, 4)
	w.add(t0.Add(3*time.Second), true)
	w.add(t0.Add(time.Second), false) // the clock stepped back: counted in the newest bucket
	w.add(t0.Add(-time.Hour), false)  // before the grid: likewise
	if w.total != (counts{successes: 2, failures: 1}) {
		t.Fatalf("totals %+v, want 2 successes 1 failure", w.total)
	}
	w.roll(t0.Add(7 * time.Second)) // buckets 4..7: everything at 3 has left
	if w.total != (counts{}) {
		t.Fatalf("totals after the window passed %+v, want zero", w.total)
	}
}
