package breaker

import "time"

// counts is a pair of outcome tallies.
type counts struct {
	successes, failures uint32
}

// window is a rolling window of outcome counts split into fixed buckets on
// an absolute grid (bucket n covers [epoch+n·width, epoch+(n+1)·width)).
// Outcomes leave the window a whole bucket at a time, so the window covers
// between (len(ring)-1)·width and len(ring)·width of the past. The zero
// value is unusable: see reset. Not safe for concurrent use (the owning
// circuit's mutex guards it).
type window struct {
	width time.Duration
	epoch time.Time
	cur   int64 // grid index of the newest bucket
	ring  []counts
	total counts
}

// reset empties w and lays a grid of n buckets of width starting at now.
func (w *window) reset(now time.Time, width time.Duration, n int) {
	w.width, w.epoch, w.cur, w.total = width, now, 0, counts{}
	if cap(w.ring) >= n {
		w.ring = w.ring[:n]
		clear(w.ring)
	} else {
		w.ring = make([]counts, n)
	}
}

// clear empties w, keeping its grid.
func (w *window) clear() {
	clear(w.ring)
	w.total = counts{}
}

// roll moves the window forward to now, dropping the buckets that fell out
// of it. A now before the newest bucket (a clock step backwards) changes
// nothing.
func (w *window) roll(now time.Time) {
	d := now.Sub(w.epoch)
	if d < 0 {
		return
	}
	idx := int64(d / w.width)
	if idx <= w.cur {
		return
	}
	n := int64(len(w.ring))
	if idx-w.cur >= n {
		w.clear()
	} else {
		for i := w.cur + 1; i <= idx; i++ {
			b := &w.ring[i%n]
			w.total.successes -= b.successes
			w.total.failures -= b.failures
			*b = counts{}
		}
	}
	w.cur = idx
}

// add counts one outcome at now (Success or Failure).
func (w *window) add(now time.Time, failed bool) {
	w.roll(now)
	b := &w.ring[w.cur%int64(len(w.ring))]
	if failed {
		b.failures++
		w.total.failures++
	} else {
		b.successes++
		w.total.successes++
	}
}
