package reliability

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
	"github.com/octosend/octosend/ratelimit"
)

// FuzzFromFile feeds fuzzed config files to client.FromFile, the loader a
// user calls: it must never panic, must agree with policy.Parse and
// policy.New on what is valid, must return a *policy.ConfigError for what
// is not, and must not put the client's API key in its error.
func FuzzFromFile(f *testing.F) {
	for _, s := range []struct{ ext, data string }{
		{".yaml", "semantics: at_most_once\nretry:\n  max_attempts: 3\n  base_delay: 100ms\n"},
		{".yaml", "rules:\n  - status: 5xx\n    action: fail\n  - code: InvalidMSISDN\n    action: fail\n"},
		{".yaml", "tenants:\n  acme_hq:\n    semantics: at_least_once\n    limits:\n      rate: 100\n      burst: 10\n"},
		{".json", `{"retry":{"deadline":"30s","retry_after_ceiling":"1h"},"budget":{"ratio":0.2}}`},
		{".json", `{"rules":[{"status":429,"action":"backoff","reason":"quota"}]}`},
		{".yaml", "retry:\n  max_attempts: 0\n"},
		{".yaml", "retry: [1, 2\n"},
		{".yaml", "a: &x [*x]\n"},
		{".json", `{"tenants":{"x":{"rules":[{"code":99999999999999999999,"action":"halt"}]}}}`},
		{".yaml", ""},
	} {
		f.Add(s.ext, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, ext string, data []byte) {
		if ext != ".json" {
			ext = ".yaml"
		}
		path := filepath.Join(t.TempDir(), "policy"+ext)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		obs := newObserver(t)
		var (
			c   *client.Client
			err error
		)
		obs.guard("FromFile", func() {
			c, err = client.FromFile(path, obs.configure(client.Config{BaseURL: "http://127.0.0.1:1"}))
		})
		obs.err("FromFile", err)
		cfg, perr := policy.Parse(path, data)
		if perr == nil {
			_, perr = policy.New(cfg)
		}
		switch {
		case err == nil:
			c.Close()
			if perr != nil {
				t.Fatalf("FromFile accepted a config that policy rejects: %v", perr)
			}
		case perr == nil:
			// A valid policy whose limits the limiter or the breaker refuse.
			if !errors.Is(err, ratelimit.ErrInvalidConfig) && !errors.Is(err, breaker.ErrInvalidConfig) {
				t.Fatalf("FromFile refused a valid policy with an unexpected error %T: %v", err, err)
			}
		default:
			if _, ok := errors.AsType[*policy.ConfigError](err); !ok {
				t.Fatalf("FromFile error %T is not a *policy.ConfigError: %v", err, err)
			}
		}
	})
}

// FuzzNameParsers covers the small by-name parsers of every package
// (envelope.ParseCode, policy.ParseAction, emulator.ParseFaultKind,
// client.ParseRegion): never a panic, and whatever parses prints back to
// something that parses to the same value.
func FuzzNameParsers(f *testing.F) {
	for _, s := range []string{"InvalidMSISDN", "1002", "3038", "templatenotfound", "retry", "backoff",
		"accepted-then-500", "Reset-Before-Body", "apac", "EU", "", "-1", "99999999999999999999", "Code(1234)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c, ok := envelope.ParseCode(s); ok {
			if c2, ok := envelope.ParseCode(c.String()); c.Known() && (!ok || c2 != c) {
				t.Fatalf("ParseCode(%q) = %d, but its String %q parses to %d, %v", s, c, c.String(), c2, ok)
			}
			if c2, ok := envelope.ParseCode(strconv.Itoa(int(c))); !ok || c2 != c {
				t.Fatalf("ParseCode(%q) = %d, but %q parses to %d, %v", s, c, strconv.Itoa(int(c)), c2, ok)
			}
		}
		if a, ok := policy.ParseAction(s); ok {
			if a2, ok := policy.ParseAction(a.String()); !ok || a2 != a {
				t.Fatalf("ParseAction(%q) = %v, which does not parse back", s, a)
			}
		}
		if k, ok := emulator.ParseFaultKind(s); ok {
			if k2, ok := emulator.ParseFaultKind(k.String()); !ok || k2 != k {
				t.Fatalf("ParseFaultKind(%q) = %v, which does not parse back", s, k)
			}
		}
		if r, ok := client.ParseRegion(s); ok {
			if r2, ok := client.ParseRegion(r.String()); !ok || r2 != r || r.SMSBaseURL() == "" {
				t.Fatalf("ParseRegion(%q) = %v, which does not parse back", s, r)
			}
		}
	})
}
