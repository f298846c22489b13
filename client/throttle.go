package client

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/policy"
)

// Scope is what a 429 is inferred to be about. 8x8 answers 429 when a
// sub-account's quota is spent, but also for per-destination limits
// (anti-pumping), for its per-source-IP limit across sub-accounts, and
// proxies answer 429 too: the client decides from the evidence which it
// is, and only a quota (or a process) 429 slows the whole tenant.
type Scope uint8

const (
	// ScopeNone: the event is not a 429.
	ScopeNone Scope = iota
	// ScopeMessage: a lone 429. Only its own message waits (its
	// Retry-After, jittered, within its deadline); the tenant goes on.
	ScopeMessage
	// ScopeDestination: repeated 429s for one destination
	// (Limits.Destination429s). That destination is held for the
	// Retry-After; the tenant goes on.
	ScopeDestination
	// ScopeTenant: 429s cluster across the tenant's traffic
	// (Limits.Throttle429s on two or more destinations, and at least
	// Limits.ThrottleShare of its responses beyond chance — two standard
	// deviations — within Limits.ThrottleWindow):
	// its quota is spent. The tenant is paused for the Retry-After and its
	// rate is cut.
	ScopeTenant
	// ScopeProcess: several tenants (Limits.ProcessTenants) throttled
	// within the window: the process's source IP is limited. Each tenant
	// is paused and slowed as for ScopeTenant.
	ScopeProcess
)

var scopeNames = [...]string{"none", "message", "destination", "tenant", "process"}

// String returns "none", "message", "destination", "tenant" or "process".
func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return "Scope(?)"
}

// Bounds of the throttle state, so that 10^5 tenants or destinations
// cannot grow it without end.
const (
	maxThrottleTenants = 4096
	maxHeldDests       = 4096
	ring429            = 16 // 429s remembered per tenant
)

// throttles infers the scope of 429s. One mutex: it is touched on every
// response only for tenants that had a 429 recently.
type throttles struct {
	active  atomic.Int32 // len(tenants): the fast path of response
	mu      sync.Mutex
	seed    maphash.Seed
	tenants map[string]*tenantThrottle
	dests   map[uint64]*destThrottle
	recent  [8]tenantMark // the last tenant-scope inferences
	next    int
}

type tenantThrottle struct {
	at      [ring429]time.Time
	dest    [ring429]uint64
	n       int // 429s recorded (the ring holds the last ring429)
	win     int64
	cur     int // responses in the current window (429s included)
	prev    int // responses in the previous window
	cur429  int // 429s in the current window
	prev429 int // 429s in the previous window
	last    time.Time
	quota   time.Time // when the tenant's quota was last inferred spent (ScopeTenant)
}

type destThrottle struct {
	count int
	first time.Time
	until time.Time // held until
}

type tenantMark struct {
	tenant string
	at     time.Time
}

func newThrottles() *throttles {
	return &throttles{seed: maphash.MakeSeed(), tenants: map[string]*tenantThrottle{}, dests: map[uint64]*destThrottle{}}
}

// response counts a non-429 response of tenant, for the share of 429s.
// Nothing is kept for a tenant without a recent 429.
func (th *throttles) response(tenant string, now time.Time, window time.Duration) {
	th.mu.Lock()
	if t := th.tenants[tenant]; t != nil {
		t.count(now, window)
	}
	th.mu.Unlock()
}

func (t *tenantThrottle) count(now time.Time, window time.Duration) {
	w := now.UnixNano() / int64(window)
	switch {
	case w == t.win:
	case w == t.win+1:
		t.prev, t.cur = t.cur, 0
		t.prev429, t.cur429 = t.cur429, 0
	default:
		t.prev, t.cur = 0, 0
		t.prev429, t.cur429 = 0, 0
	}
	t.win = w
	t.cur++
	t.last = now
}

// responses estimates the tenant's responses and 429s in the last window.
func (t *tenantThrottle) responses(now time.Time, window time.Duration) (all, throttled float64) {
	frac := float64(now.UnixNano()%int64(window)) / float64(window)
	return float64(t.cur) + float64(t.prev)*(1-frac), float64(t.cur429) + float64(t.prev429)*(1-frac)
}

// shareZ is how many standard deviations the window's 429s must stand
// above share × responses for the share test to pass (see significant).
const shareZ = 2

// significant reports whether n429 429s among all responses show a share
// of at least share, beyond chance: n429 - share·all must exceed shareZ
// binomial standard deviations, sqrt(all·share·(1-share)) (one 429
// alone, at the default share, just reaches it). A bare
// comparison passes on small samples by luck: a tracker starts at a
// tenant's first 429, and 3 random 429s (5% of the traffic) among its
// first 13 responses are 23% of them, which in one run of twelve made
// the tenant's quota the cause and cut its rate for no reason. A spent
// quota, whose responses are nearly all 429s, passes from its third.
func significant(n429, all, share float64) bool {
	excess := n429 - share*all
	if excess <= 0 {
		return false
	}
	return excess*excess >= shareZ*shareZ*all*share*(1-share)
}

// nearQuotaFor is how long, in throttle windows, a tenant whose quota was
// found spent stays sensitive: its 429s count as the tenant's from a
// tenth of Limits.ThrottleShare (see throttled).
const nearQuotaFor = 30

// throttled records a 429 of tenant for dest ("" when the request had
// several) and returns its inferred scope.
func (th *throttles) throttled(tenant, dest string, now time.Time, lim policy.Limits) Scope {
	window, min429s, share, dest429s, procTenants := lim.Throttle()
	var dh uint64
	if dest != "" {
		dh = maphash.String(th.seed, dest) | 1
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if dh != 0 {
		d := th.dests[dh]
		if d == nil || now.Sub(d.first) > 10*window {
			if d == nil {
				if len(th.dests) >= maxHeldDests {
					th.sweepDests(now)
				}
				d = &destThrottle{}
				th.dests[dh] = d
			}
			d.count, d.first = 0, now
		}
		d.count++
		if d.count >= dest429s {
			return ScopeDestination
		}
	}
	t := th.tenants[tenant]
	if t == nil {
		if len(th.tenants) >= maxThrottleTenants {
			th.sweepTenants(now, window)
		}
		t = &tenantThrottle{}
		th.tenants[tenant] = t
		th.active.Store(int32(len(th.tenants)))
	}
	t.count(now, window)
	t.cur429++
	i := t.n % ring429
	t.at[i], t.dest[i] = now, dh
	t.n++
	k, distinct := 0, 0
	var first uint64
	for j := range min(t.n, ring429) {
		if now.Sub(t.at[j]) > window {
			continue
		}
		k++
		switch {
		case t.dest[j] == 0: // a batch: counts as another destination
			distinct = 2
		case first == 0:
			first, distinct = t.dest[j], max(distinct, 1)
		case t.dest[j] != first:
			distinct = 2
		}
	}
	all, n429 := t.responses(now, window)
	if !t.quota.IsZero() && now.Sub(t.quota) < nearQuotaFor*window {
		// The tenant's quota was spent recently and its rate was cut to
		// what the API accepted: 429s now mean the rate crept past the
		// quota again, long before they reach the share that first
		// revealed it. React to a tenth of it (a 2% overshoot by default).
		share /= 10
	}
	if k < min429s || (min429s > 1 && distinct < 2) || !significant(n429, all, share) {
		return ScopeMessage
	}
	t.quota = now
	th.recent[th.next%len(th.recent)] = tenantMark{tenant, now}
	th.next++
	seen := 0
	for j, m := range th.recent {
		if m.tenant == "" || now.Sub(m.at) > window {
			continue
		}
		dup := false
		for _, o := range th.recent[:j] {
			if o.tenant == m.tenant && now.Sub(o.at) <= window {
				dup = true
				break
			}
		}
		if !dup {
			seen++
		}
	}
	if seen >= procTenants {
		return ScopeProcess
	}
	return ScopeTenant
}

// hold marks dest as held until until (ScopeDestination).
func (th *throttles) hold(dest string, until time.Time) {
	dh := maphash.String(th.seed, dest) | 1
	th.mu.Lock()
	if d := th.dests[dh]; d != nil && until.After(d.until) {
		d.until = until
	}
	th.mu.Unlock()
}

// heldUntil returns when dest's hold ends (zero when not held).
func (th *throttles) heldUntil(dest string, now time.Time) time.Time {
	if dest == "" {
		return time.Time{}
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if len(th.dests) == 0 {
		return time.Time{}
	}
	if d := th.dests[maphash.String(th.seed, dest)|1]; d != nil && d.until.After(now) {
		return d.until
	}
	return time.Time{}
}

func (th *throttles) sweepDests(now time.Time) {
	for k, d := range th.dests {
		if !d.until.After(now) {
			delete(th.dests, k)
		}
	}
	for k := range th.dests { // still full: drop any, down to 3/4
		if len(th.dests) <= maxHeldDests*3/4 {
			break
		}
		delete(th.dests, k)
	}
}

func (th *throttles) sweepTenants(now time.Time, window time.Duration) {
	for k, t := range th.tenants {
		if now.Sub(t.last) > 10*window {
			delete(th.tenants, k)
		}
	}
	for k := range th.tenants {
		if len(th.tenants) <= maxThrottleTenants*3/4 {
			break
		}
		delete(th.tenants, k)
	}
	th.active.Store(int32(len(th.tenants)))
}
