package policy

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// tenantShapes are the tenants of a large deployment's config file, one
// line each; i numbers the tenant.
// Each has a budget of what loading it may allocate (alloc bytes and
// allocations per tenant, garbage included; most of it is the YAML
// parser's node tree), a little over what it takes today and under what
// it took before tenants' rules became overlays (4.1 KiB and 62
// allocations, 8.7 KiB and 90, 16.6 KiB and 216, 28.8 KiB and 89).
var tenantShapes = []struct {
	name           string
	line           func(i int) string
	alloc, mallocs float64
}{
	{"limits", func(i int) string { return "  t-" + strconv.Itoa(100000+i) + ": {limits: {rate: 50}}\n" }, 3584, 45},
	{"one-rule", func(i int) string {
		return "  t-" + strconv.Itoa(100000+i) + ": {rules: [{status: 500, action: fail}]}\n"
	}, 5120, 65},
	{"retry-and-rules", func(i int) string {
		return "  t-" + strconv.Itoa(100000+i) + ": {semantics: at_most_once, retry: {max_attempts: 2}, limits: {rate: 9}, " +
			"rules: [{status: 429, action: fail}, {code: 1002, action: fail}, {status: 5xx, code: 2000, action: retry}]}\n"
	}, 14336, 200},
	// Each tenant names a code no other does: the codes must not make
	// every tenant pay for every other tenant's codes.
	{"own-code", func(i int) string {
		return "  t-" + strconv.Itoa(100000+i) + ": {rules: [{code: " + strconv.Itoa(10000+i) + ", action: fail}]}\n"
	}, 5120, 65},
}

func tenantFile(n int, line func(int) string) []byte {
	var b strings.Builder
	b.WriteString("rules: [{status: 503, action: retry}]\ntenants:\n")
	for i := range n {
		b.WriteString(line(i))
	}
	return []byte(b.String())
}

// tenantCost loads a file of n tenants like Load does (Parse, then New)
// and returns what each tenant adds: the live heap the Policy keeps, and
// the bytes and allocations loading made, past those of a file with none.
func tenantCost(tb testing.TB, n int, line func(int) string) (live, alloc, mallocs float64) {
	tb.Helper()
	measure := func(data []byte) (live, alloc, mallocs uint64) {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		cfg, err := Parse("tenants.yaml", data)
		if err != nil {
			tb.Fatal(err)
		}
		p, err := New(cfg)
		if err != nil {
			tb.Fatal(err)
		}
		cfg = Config{}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(p)
		return m1.HeapAlloc - min(m0.HeapAlloc, m1.HeapAlloc), m1.TotalAlloc - m0.TotalAlloc, m1.Mallocs - m0.Mallocs
	}
	l0, a0, m0 := measure(tenantFile(0, line))
	l1, a1, m1 := measure(tenantFile(n, line))
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(n) }
	return per(l0, l1), per(a0, a1), per(m0, m1)
}

// tenantLiveBudget is the heap a loaded Policy may keep per tenant,
// whatever its shape: a few KiB at most (issue 11). A tenant with rules of
// its own used to cost a flattened 600-status resolver and a slot for
// every code any tenant names: 4.3 KiB with one rule, 24 KiB per tenant
// for 4,000 tenants naming a code each (quadratic), 0.9 s in New for
// 20,000 tenants.
const tenantLiveBudget = 2048

// TestTenantMemoryBudget fails when a configured tenant costs more than
// the budget: a few KiB at most, whatever its shape.
func TestTenantMemoryBudget(t *testing.T) {
	const n = 4000 // the largest shape's file stays under MaxConfigSize
	for _, s := range tenantShapes {
		t.Run(s.name, func(t *testing.T) {
			live, alloc, mallocs := tenantCost(t, n, s.line)
			t.Logf("%s: %.0f B live, %.0f B allocated, %.1f allocations per tenant", s.name, live, alloc, mallocs)
			if live > tenantLiveBudget {
				t.Errorf("a tenant keeps %.0f B of heap, budget %d", live, tenantLiveBudget)
			}
			if alloc > s.alloc {
				t.Errorf("loading a tenant allocates %.0f B, budget %.0f", alloc, s.alloc)
			}
			if mallocs > s.mallocs {
				t.Errorf("loading a tenant makes %.1f allocations, budget %.0f", mallocs, s.mallocs)
			}
		})
	}
}

// BenchmarkTenantMemory reports what one configured tenant costs: B/tenant
// of live heap kept by the Policy, alloc-B/tenant and allocs/tenant made
// by Parse+New, and the time to load the whole file.
func BenchmarkTenantMemory(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		for _, s := range tenantShapes {
			b.Run(s.name+"/"+strconv.Itoa(n)+"/policy", func(b *testing.B) {
				data := tenantFile(n, s.line)
				b.SetBytes(int64(len(data)))
				var live, alloc, mallocs float64
				for b.Loop() {
					live, alloc, mallocs = tenantCost(b, n, s.line)
				}
				b.ReportMetric(live, "B/tenant")
				b.ReportMetric(alloc, "alloc-B/tenant")
				b.ReportMetric(mallocs, "allocs/tenant")
			})
		}
	}
}
