package policy

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/octosend/octosend/envelope"
)

// decideCase is one benchmark and allocation case: an outcome for Decide
// and the same situation as go-retryablehttp's baseline sees it.
type decideCase struct {
	name string
	o    Outcome
	resp *http.Response // for the baseline; nil with err for transport failures
	err  error
}

func decideCases() []decideCase {
	hdr429 := http.Header{"Retry-After": []string{"1"}}
	return []decideCase{
		{"ok", Outcome{Status: 200, Attempt: 1, Tenant: "acme-1"}, &http.Response{StatusCode: 200}, nil},
		{"fail-1002", Outcome{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempt: 1, Tenant: "acme-1"}, &http.Response{StatusCode: 400}, nil},
		{"trip-500-2000", Outcome{Status: 500, Code: envelope.CodeInternalError, Attempt: 2, Elapsed: time.Second, Tenant: "acme-1"}, &http.Response{StatusCode: 500}, nil},
		{"backoff-429-retry-after", Outcome{Status: 429, Code: envelope.CodeTooManyRequests, Attempt: 1, RetryAfter: time.Second, HasDeadline: true, Remaining: 5 * time.Second, Tenant: "acme-1"}, &http.Response{StatusCode: 429, Header: hdr429}, nil},
		{"transport-timeout", Outcome{Transport: TransportTimeout, Attempt: 1, Tenant: "acme-1"}, nil, errors.New("timeout")},
		{"tenant-rule", Outcome{Status: 503, Attempt: 1, Tenant: "acme-otp"}, &http.Response{StatusCode: 503}, nil},
		{"unknown-tenant", Outcome{Status: 502, Attempt: 1, Tenant: "nobody-here"}, &http.Response{StatusCode: 502}, nil},
	}
}

// benchPolicy has config rules and 10,000 tenants, so Decide pays for the
// layered lookup and the tenant map of a real deployment.
func benchPolicy(tb testing.TB) *Policy {
	tenants := map[string]Tenant{
		"acme-otp": {Semantics: ptr(AtMostOnce), Rules: []Rule{{Status: 503, Action: ActionFail}, {Code: 2000, Action: ActionFail}}},
	}
	for i := range 10000 {
		tenants["acme-"+strconv.Itoa(i)] = Tenant{Retry: Retry{MaxAttempts: 3}}
	}
	return mustNew(tb, Config{
		Rules:   []Rule{{Status: 503, Code: 2000, Action: ActionRetry}, {Code: 1400, Action: ActionBackoff}, {StatusClass: "5xx", Action: ActionTrip}},
		Tenants: tenants,
	})
}

func TestDecideAllocs(t *testing.T) {
	for _, p := range []*Policy{Default(), benchPolicy(t)} {
		for _, c := range decideCases() {
			allocs := testing.AllocsPerRun(200, func() { p.Decide(c.o) })
			if allocs != 0 {
				t.Errorf("Decide(%s): %v allocs, want 0", c.name, allocs)
			}
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	p := benchPolicy(b)
	ctx := context.Background()
	for _, c := range decideCases() {
		b.Run(c.name+"/policy", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Decide(c.o)
			}
		})
		// The peer baseline: go-retryablehttp's classification and backoff,
		// which know nothing of codes, tenants, semantics or deadlines.
		b.Run(c.name+"/retryablehttp", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, _ := retryablehttp.DefaultRetryPolicy(ctx, c.resp, c.err); ok {
					retryablehttp.DefaultBackoff(100*time.Millisecond, 10*time.Second, c.o.Attempt, c.resp)
				}
			}
		})
	}
	// The floor: the built-in policy, no config rules, no tenant map.
	def := Default()
	b.Run("no-tenants-fail-1002/policy", func(b *testing.B) {
		o := Outcome{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempt: 1}
		b.ReportAllocs()
		for b.Loop() {
			def.Decide(o)
		}
	})
	b.Run("parallel/policy", func(b *testing.B) {
		o := decideCases()[2].o
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p.Decide(o)
			}
		})
	})
}

func BenchmarkDecideFloor(b *testing.B) {
	// The floor: the built-in policy, no config rules, no tenant map.
	def := Default()
	b.Run("no-tenants-fail-1002/policy", func(b *testing.B) {
		o := Outcome{Status: 400, Code: envelope.CodeInvalidMSISDN, Attempt: 1}
		b.ReportAllocs()
		for b.Loop() {
			def.Decide(o)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"policy.yaml", "policy.json"} {
		data, err := readExample(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/policy", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
