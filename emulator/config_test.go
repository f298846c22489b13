package emulator

import (
	"errors"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewRejectsBadConfig(t *testing.T) {
	win := func(start, end time.Duration, k FaultKind) []Window {
		return []Window{{Start: t0.Add(start), End: t0.Add(end), Kind: k}}
	}
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"negative rate", Config{Rate: -1}, "Rate"},
		{"NaN rate", Config{Rate: math.NaN()}, "Rate"},
		{"infinite rate", Config{Rate: math.Inf(1)}, "Rate"},
		{"negative burst", Config{Burst: -1}, "Burst"},
		{"bad tenant name", Config{Tenants: map[string]TenantConfig{"x": {}}}, `Tenants["x"]`},
		{"negative tenant rate", Config{Tenants: map[string]TenantConfig{"abc": {Rate: -2}}}, `Tenants["abc"].Rate`},
		{"negative tenant burst", Config{Tenants: map[string]TenantConfig{"abc": {Burst: -2}}}, `Tenants["abc"].Burst`},
		{"negative retry-after", Config{RetryAfter: -time.Second}, "RetryAfter"},
		{"negative latency", Config{Latency: -1}, "Latency"},
		{"negative max body", Config{MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"empty template", Config{Templates: []string{"a", ""}}, "Templates[1]"},
		{"negative probability", Config{Faults: Faults{P500: -0.1}}, "Faults.P500"},
		{"probability over 1", Config{Faults: Faults{PResetAfter: 1.5}}, "Faults.PResetAfter"},
		{"NaN probability", Config{Faults: Faults{P429: math.NaN()}}, "Faults.P429"},
		{"sum over 1", Config{Faults: Faults{P500: 0.6, P503: 0.5}}, "Faults"},
		{"latency without max", Config{Faults: Faults{PLatency: 0.1}}, "Faults.LatencyMax"},
		{"negative latency max", Config{Faults: Faults{LatencyMax: -1}}, "Faults.LatencyMax"},
		{"negative fault retry-after", Config{Faults: Faults{RetryAfter: -1}}, "Faults.RetryAfter"},
		{"unknown script kind", Config{Script: []Fault{{}, {Kind: -1}}}, "Script[1].Kind"},
		{"script latency without duration", Config{Script: []Fault{{Kind: FaultLatency}}}, "Script[0].Latency"},
		{"script negative retry-after", Config{Script: []Fault{{Kind: Fault429, RetryAfter: -1}}}, "Script[0].RetryAfter"},
		{"script bad sub-account", Config{Script: []Fault{{Kind: Fault500, SubAccount: "a/b"}}}, "Script[0].SubAccount"},
		{"empty window", Config{Outage: win(time.Minute, time.Minute, Fault503)}, "Outage[0]"},
		{"window backwards", Config{Outage: win(time.Minute, 0, Fault503)}, "Outage[0]"},
		{"window with latency", Config{Outage: win(0, time.Minute, FaultLatency)}, "Outage[0].Kind"},
		{"window accepted-then-500", Config{Outage: win(0, time.Minute, FaultAcceptedThen500)}, "Outage[0].Kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New = %v, %v; want a *ConfigError", s, err)
			}
			if ce.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", ce.Field, tc.field, err)
			}
			if !strings.HasPrefix(err.Error(), "emulator: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
			if _, err := Listen("127.0.0.1:0", tc.cfg); !errors.As(err, &ce) {
				t.Errorf("Listen = %v, want the same *ConfigError", err)
			}
		})
	}
	good := Config{Faults: Faults{P500: 0.5, P503: 0.5}, Script: []Fault{{Kind: FaultLatency, Latency: time.Millisecond}},
		Outage: win(0, time.Minute, FaultNone), Tenants: map[string]TenantConfig{"a.b&c-d_e": {Rate: 1, Burst: 2}}}
	if _, err := New(good); err != nil {
		t.Errorf("New(good) = %v", err)
	}
}

func TestListen(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Config{APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
		t.Errorf("status %d", r.status)
	}
	if _, err := Listen(strings.TrimPrefix(s.URL(), "http://"), Config{}); err == nil {
		t.Error("a second Listen on the same port succeeded")
	}
	s.Close()
	if _, err := tryPost(s, smsPath("acme_hq"), testKey, okSMS); err == nil {
		t.Error("request succeeded after Close")
	}
}

// A Server from New is a plain http.Handler: it works behind any server,
// including a recorder, where the resets fall back to aborting the handler.
func TestNewAsHandler(t *testing.T) {
	s, err := New(Config{Script: []Fault{{Kind: FaultResetBeforeBody}}})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL() != "" {
		t.Errorf("URL of a handler-only server = %q", s.URL())
	}
	req := httptest.NewRequest("POST", smsPath("acme_hq"), strings.NewReader(okSMS))
	func() {
		defer func() {
			if p := recover(); p == nil {
				t.Error("a reset without a hijackable connection did not abort the handler")
			}
		}()
		s.ServeHTTP(httptest.NewRecorder(), req)
	}()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("POST", smsPath("acme_hq"), strings.NewReader(okSMS)))
	if rec.Code != 200 || s.Ledger().Count("acme_hq", "m-1") != 1 {
		t.Errorf("recorder: status %d, ledger %d", rec.Code, s.Ledger().Count("acme_hq", "m-1"))
	}
	s.Close() // harmless without a listener
}
