package breaker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"
)

// errFail and errNeutral are what the gobreaker twin is told for Failure
// and Neutral.
var (
	errFail    = errors.New("server fault")
	errNeutral = errors.New("caller fault")
)

// TestConformsToGobreaker runs random operation sequences — take a ticket,
// report one of the outstanding tickets with a random outcome — against
// this package and against gobreaker's TwoStepCircuitBreaker configured
// alike, and checks that both let the same requests through and reach the
// same states. Time plays no part except that both open periods end at
// once (gobreaker: Timeout 1ns of real time; here: OpenFor 1ns of fake time,
// advanced after each trip), so the comparison covers counting, the trip
// rule, exclusions, probes and stale generations.
func TestConformsToGobreaker(t *testing.T) {
	var seen [3]int
	rejected := 0
	for seed := uint64(0); seed < 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		cfg := Config{
			MinRequests:    1 + r.IntN(8),
			FailureRatio:   []float64{0.25, 0.5, 0.75, 1}[r.IntN(4)],
			Consecutive:    r.IntN(4),
			HalfOpenProbes: 1 + r.IntN(3),
			OpenFor:        time.Nanosecond,
			Window:         time.Hour,
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { rejected += conform(t, r, cfg, &seen) })
	}
	// The sequences must have reached every state and rejected requests,
	// or the comparison proves little.
	if seen[Closed] == 0 || seen[HalfOpen] == 0 || seen[Open] != 0 || rejected == 0 {
		t.Fatalf("states seen %v (open is never observed: both end at once), rejections %d", seen, rejected)
	}
}

func conform(t *testing.T, r *rand.Rand, cfg Config, seen *[3]int) (rejected int) {
	tripped := false
	cfg.OnStateChange = func(_ string, _, to State) { tripped = tripped || to == Open }
	s, fc := newFake(t, cfg)
	gb := gobreaker.NewTwoStepCircuitBreaker[any](gobreaker.Settings{
		MaxRequests: uint32(cfg.HalfOpenProbes),
		Timeout:     time.Nanosecond,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			if cfg.Consecutive > 0 && int(c.ConsecutiveFailures) >= cfg.Consecutive {
				return true
			}
			n := c.TotalSuccesses + c.TotalFailures
			return n >= uint32(cfg.MinRequests) && float64(c.TotalFailures) >= cfg.FailureRatio*float64(n)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, errNeutral) },
	})
	type pair struct {
		ours func(Outcome)
		gb   func(error)
	}
	var out []pair
	var log []string
	for step := 0; step < 200; step++ {
		if len(out) == 0 || r.IntN(2) == 0 {
			done, err := s.Allow(key)
			gdone, gerr := gb.Allow()
			log = append(log, fmt.Sprintf("acquire ours=%v gb=%v", err == nil, gerr == nil))
			if (err == nil) != (gerr == nil) {
				t.Fatalf("step %d (cfg %+v): ours let through %v, gobreaker %v (%v)\n%v", step, cfg, err == nil, gerr == nil, gerr, log)
			}
			if err == nil {
				out = append(out, pair{done, gdone})
			} else {
				rejected++
			}
		} else {
			i := r.IntN(len(out))
			p := out[i]
			out = append(out[:i], out[i+1:]...)
			o := Outcome(r.IntN(3))
			log = append(log, "report "+o.String())
			p.ours(o)
			switch o {
			case Success:
				p.gb(nil)
			case Failure:
				p.gb(errFail)
			default:
				p.gb(errNeutral)
			}
		}
		if tripped {
			// Both open periods end: gobreaker's 1ns has passed in real time.
			fc.Advance(time.Nanosecond)
			for start := time.Now(); time.Since(start) < 2*time.Nanosecond; {
			}
			tripped = false
		}
		if got, want := s.State(key), fromGobreaker(gb.State()); got != want {
			t.Fatalf("step %d (cfg %+v): state %v, gobreaker %v\n%v", step, cfg, got, want, log)
		} else {
			seen[got]++
		}
	}
	return rejected
}

func fromGobreaker(st gobreaker.State) State {
	switch st {
	case gobreaker.StateOpen:
		return Open
	case gobreaker.StateHalfOpen:
		return HalfOpen
	}
	return Closed
}
