package telemetry

import (
	"sync"
	"sync/atomic"
)

// OtherTenant is the value of the octosend.tenant attribute for the
// tenants past Options.MaxTenants: they share one series.
const OtherTenant = "_other"

// tenants decides which tenant ids become attribute values: none when
// max is 0 (the default), else the first max distinct tenants seen, in
// order; every later one is OtherTenant. A metrics backend so sees at most
// max+1 tenant values however many tenants send (10^5 sub-accounts must
// not make 10^5 series per metric).
type tenants struct {
	max  int
	vals *cache[string, string] // the visible tenants, each its own value
	full atomic.Bool            // max tenants are visible: every other one is OtherTenant

	mu   sync.Mutex
	seen []string // the visible tenants, in order (gauges iterate them)
}

func newTenants(max int) *tenants {
	t := &tenants{max: max}
	if max > 0 {
		t.vals = newCache[string](max, OtherTenant)
	}
	return t
}

// value returns tenant's attribute value, "" when tenants are not
// attributes at all.
func (t *tenants) value(tenant string) string {
	if t.max <= 0 {
		return ""
	}
	if v, ok := t.vals.lookup(tenant); ok {
		return v
	}
	if t.full.Load() {
		return OtherTenant // without a lock: the visible set is final
	}
	return t.vals.get(tenant, t.decide)
}

// decide runs under the cache's mutex, once per visible tenant.
func (t *tenants) decide(tenant string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.seen) < t.max {
		t.seen = append(t.seen, tenant)
		if len(t.seen) == t.max {
			t.full.Store(true)
		}
		return tenant
	}
	return OtherTenant
}

// visible returns the tenants that have an attribute value of their own.
func (t *tenants) visible() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.seen...)
}
