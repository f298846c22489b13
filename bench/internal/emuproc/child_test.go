package emuproc

import (
	"testing"
	"time"

	"github.com/octosend/octosend/emulator"
)

func TestClientMessageID(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"destination":"+6591234567","text":"hi","clientMessageId":"m-000017"}`, "m-000017"},
		{`{"clientMessageId":"a","destination":"+6591234567"}`, "a"},
		{`{"destination":"+6591234567","text":"hi"}`, ""},
		{`{"clientMessageId":"unterminated`, ""},
		{``, ""},
	} {
		if got := clientMessageID([]byte(tc.body)); got != tc.want {
			t.Errorf("clientMessageID(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestCountsWasted(t *testing.T) {
	c := newCounts()
	c.add("a") // first try: 500
	c.add("a") // second: 400
	c.refused("a")
	c.add("a") // a retry after the 400: wasted
	c.add("b")
	c.add("")
	c.refused("") // no id: nothing to mark
	reqs, wasted := c.snapshot()
	if reqs["a"] != 3 || reqs["b"] != 1 || len(reqs) != 2 {
		t.Errorf("requests = %v, want a:3 b:1", reqs)
	}
	if wasted["a"] != 1 || len(wasted) != 1 {
		t.Errorf("wasted = %v, want a:1", wasted)
	}
	if n := c.anon.Load(); n != 1 {
		t.Errorf("anonymous = %d, want 1", n)
	}
}

func TestSetupConfig(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	s := Setup{APIKey: "k", Rate: 25, Burst: 5, Seed: 3, Faults: emulator.Faults{P500: 0.1},
		OutageIn: time.Second, OutageFor: 5 * time.Second}
	cfg := s.config(now)
	if cfg.APIKey != "k" || cfg.Rate != 25 || cfg.Burst != 5 || cfg.Seed != 3 || cfg.Faults.P500 != 0.1 {
		t.Errorf("config = %+v, fields not carried over", cfg)
	}
	want := emulator.Window{Start: now.Add(time.Second), End: now.Add(6 * time.Second), Kind: emulator.Fault503}
	if len(cfg.Outage) != 1 || cfg.Outage[0] != want {
		t.Errorf("outage = %+v, want [%+v]", cfg.Outage, want)
	}
	if cfg := (Setup{}).config(now); cfg.Outage != nil {
		t.Errorf("outage without OutageFor = %+v, want none", cfg.Outage)
	}
	dl := emulator.DestLimit{Share: 0.01, Interval: 2 * time.Second}
	cfg = Setup{OutageFor: time.Second, OutageNoRetryAfter: true, DestLimit: dl}.config(now)
	if len(cfg.Outage) != 1 || !cfg.Outage[0].NoRetryAfter || cfg.DestLimit != dl {
		t.Errorf("config = %+v, NoRetryAfter or DestLimit not carried over", cfg)
	}
}
