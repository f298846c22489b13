package emulator

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// injector decides which fault, if any, each request gets. The script and
// the PRNG sit behind one mutex, so the k-th decision is the same for the
// same Seed and the same sequence of sub-accounts; a server with no script
// and no random faults never takes the lock.
type injector struct {
	active  atomic.Bool // script left or random faults configured
	outage  atomic.Pointer[[]Window]
	mu      sync.Mutex
	rng     *rand.Rand
	faults  Faults
	script  []Fault
	used    []bool
	head    int // every script entry before head is used
	pending int // unused script entries
}

func newInjector(cfg *Config) *injector {
	seed := uint64(cfg.Seed)
	in := &injector{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	in.setFaults(cfg.Faults)
	in.setScript(cfg.Script)
	in.setOutage(cfg.Outage)
	return in
}

func (in *injector) setFaults(f Faults) {
	in.mu.Lock()
	in.faults = f
	in.updateLocked()
	in.mu.Unlock()
}

func (in *injector) setScript(s []Fault) {
	in.mu.Lock()
	in.script = append([]Fault(nil), s...)
	in.used = make([]bool, len(s))
	in.head = 0
	in.pending = len(s)
	in.updateLocked()
	in.mu.Unlock()
}

func (in *injector) setOutage(ws []Window) {
	c := append([]Window(nil), ws...)
	in.outage.Store(&c)
}

func (in *injector) updateLocked() { in.active.Store(in.pending > 0 || in.faults.any()) }

// inOutage returns the window covering now, if any.
func (in *injector) inOutage(now time.Time) (Window, bool) {
	for _, w := range *in.outage.Load() {
		if !now.Before(w.Start) && now.Before(w.End) {
			return w, true
		}
	}
	return Window{}, false
}

// decide returns the fault for one request of sub: the first unused script
// entry that matches sub, else a random draw.
func (in *injector) decide(sub string) Fault {
	if !in.active.Load() {
		return Fault{}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.pending > 0 {
		for i := in.head; i < len(in.script); i++ {
			if in.used[i] {
				continue
			}
			if f := in.script[i]; f.SubAccount == "" || f.SubAccount == sub {
				in.used[i] = true
				in.pending--
				for in.head < len(in.used) && in.used[in.head] {
					in.head++
				}
				in.updateLocked()
				return f
			}
		}
	}
	u := in.rng.Float64()
	for _, e := range in.faults.table() {
		if u < e.p {
			f := Fault{Kind: e.kind}
			switch e.kind {
			case FaultLatency:
				f.Latency = time.Duration(1 + in.rng.Int64N(int64(in.faults.LatencyMax)))
			case Fault429, Fault503:
				f.RetryAfter = in.faults.RetryAfter
			}
			return f
		}
		u -= e.p
	}
	return Fault{}
}
