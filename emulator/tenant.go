package emulator

import (
	"math"
	"sync"
	"time"
)

// tenant is the state of one sub-account: its arrival log and its token
// bucket, each behind its own short mutex so different sub-accounts never
// contend.
type tenant struct {
	disabled  bool
	unlimited bool
	rate      float64 // tokens per second
	burst     float64

	amu      sync.Mutex
	arrivals []time.Time

	bmu    sync.Mutex
	tokens float64
	last   time.Time // when tokens was last brought up to date; zero = never
}

// tenants maps sub-account IDs to their state, created on first use.
type tenants struct {
	cfg *Config
	m   sync.Map // string -> *tenant
}

func (ts *tenants) get(sub string) *tenant {
	if t, ok := ts.m.Load(sub); ok {
		return t.(*tenant)
	}
	t, _ := ts.m.LoadOrStore(sub, ts.newTenant(sub))
	return t.(*tenant)
}

func (ts *tenants) newTenant(sub string) *tenant {
	rate, burst := ts.cfg.Rate, ts.cfg.Burst
	t := &tenant{}
	if tc, ok := ts.cfg.Tenants[sub]; ok {
		t.disabled = tc.Disabled
		if tc.Rate > 0 {
			rate, burst = tc.Rate, 0
		}
		if tc.Burst > 0 {
			burst = tc.Burst
		}
		t.unlimited = tc.Unlimited
	}
	if rate == 0 {
		t.unlimited = true
	}
	if burst == 0 {
		burst = max(1, int(math.Ceil(rate)))
	}
	t.rate, t.burst, t.tokens = rate, float64(burst), float64(burst)
	return t
}

func (ts *tenants) each(f func(sub string, t *tenant)) {
	ts.m.Range(func(k, v any) bool {
		f(k.(string), v.(*tenant))
		return true
	})
}

func (t *tenant) arrive(now time.Time) {
	t.amu.Lock()
	t.arrivals = append(t.arrivals, now)
	t.amu.Unlock()
}

func (t *tenant) arrivalsCopy() []time.Time {
	t.amu.Lock()
	defer t.amu.Unlock()
	return append([]time.Time(nil), t.arrivals...)
}

func (t *tenant) clearArrivals() {
	t.amu.Lock()
	t.arrivals = nil
	t.amu.Unlock()
}

// take takes one token at now. When the bucket is empty it returns false
// and how long until a token is back.
func (t *tenant) take(now time.Time) (bool, time.Duration) {
	if t.unlimited {
		return true, 0
	}
	t.bmu.Lock()
	defer t.bmu.Unlock()
	if !t.last.IsZero() {
		if el := now.Sub(t.last); el > 0 {
			t.tokens = min(t.burst, t.tokens+el.Seconds()*t.rate)
		}
	}
	if t.last.IsZero() || now.After(t.last) {
		t.last = now
	}
	if t.tokens >= 1 {
		t.tokens--
		return true, 0
	}
	wait := time.Duration((1 - t.tokens) / t.rate * float64(time.Second))
	return false, wait
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
