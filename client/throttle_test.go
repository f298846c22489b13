package client

import (
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/policy"
)

// TestThrottleScopes drives the 429 scope inference directly on fake
// instants: sporadic 429s in busy traffic stay lone, a spent quota is the
// tenant's, several tenants at once the process's, one number repeated is
// the destination's, and the state stays bounded.
func TestThrottleScopes(t *testing.T) {
	var lim policy.Limits
	t.Run("sporadic-5%-in-busy-traffic", func(t *testing.T) {
		th := newThrottles()
		now := t0
		for i := range 900 { // 300 responses/s for 3 s, every 20th a 429 on a new number
			now = now.Add(time.Second / 300)
			if i%20 == 19 {
				if s := th.throttled("acme", "+6591"+strconv.Itoa(i), now, lim); s != ScopeMessage {
					t.Fatalf("429 #%d: scope %v, want message (5%% of the traffic)", i/20, s)
				}
				continue
			}
			th.response("acme", now, time.Second)
		}
	})
	t.Run("sporadic-at-the-tracker's-start", func(t *testing.T) {
		// The tracker starts at the first 429 and has seen none of the
		// traffic before it: three random 429s among its first 13
		// responses are 23%, over the 20% share, but not beyond chance.
		th := newThrottles()
		now := t0
		for i := range 13 {
			now = now.Add(time.Millisecond)
			if i%6 == 0 {
				if s := th.throttled("acme", "+6591"+strconv.Itoa(i), now, lim); s != ScopeMessage {
					t.Fatalf("429 at response %d: scope %v, want message (3 of 13)", i, s)
				}
				continue
			}
			th.response("acme", now, time.Second)
		}
		// Four more 429s in a row are no longer chance: 7 of 17.
		var s Scope
		for i := range 4 {
			now = now.Add(time.Millisecond)
			s = th.throttled("acme", "+6592"+strconv.Itoa(i), now, lim)
		}
		if s != ScopeTenant {
			t.Fatalf("7 429s of 17 responses: scope %v, want tenant", s)
		}
	})
	t.Run("spent-quota", func(t *testing.T) {
		th := newThrottles()
		now := t0
		var got []Scope
		for i := range 4 { // every response a 429, on different numbers
			now = now.Add(10 * time.Millisecond)
			got = append(got, th.throttled("acme", "+6591"+strconv.Itoa(i), now, lim))
		}
		if got[0] != ScopeMessage || got[1] != ScopeMessage || got[2] != ScopeTenant || got[3] != ScopeTenant {
			t.Fatalf("scopes %v, want message, message, tenant, tenant", got)
		}
		// A second later the window is empty again: lone.
		if s := th.throttled("acme", "+6599", now.Add(2*time.Second), lim); s != ScopeMessage {
			t.Fatalf("after the window: %v, want message", s)
		}
	})
	t.Run("several-tenants", func(t *testing.T) {
		th := newThrottles()
		now := t0
		var last Scope
		for _, tenant := range []string{"a", "b", "c"} {
			for i := range 3 {
				now = now.Add(time.Millisecond)
				last = th.throttled(tenant, tenant+strconv.Itoa(i), now, lim)
			}
		}
		if last != ScopeProcess {
			t.Fatalf("third clustered tenant: %v, want process", last)
		}
	})
	t.Run("destination", func(t *testing.T) {
		th := newThrottles()
		if s := th.throttled("acme", "+6591000001", t0, lim); s != ScopeMessage {
			t.Fatalf("first 429 for the number: %v", s)
		}
		if s := th.throttled("acme", "+6591000001", t0.Add(3*time.Second), lim); s != ScopeDestination {
			t.Fatalf("second 429 for the number within 10 windows: %v, want destination", s)
		}
		th.hold("+6591000001", t0.Add(5*time.Second))
		if u := th.heldUntil("+6591000001", t0.Add(4*time.Second)); !u.Equal(t0.Add(5 * time.Second)) {
			t.Fatalf("held until %v", u)
		}
		if u := th.heldUntil("+6591000002", t0.Add(4*time.Second)); !u.IsZero() {
			t.Fatalf("another number held until %v", u)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		th := newThrottles()
		for i := range 100_000 {
			th.throttled("t"+strconv.Itoa(i), "+65"+strconv.Itoa(i), t0, lim)
		}
		if len(th.tenants) > maxThrottleTenants || len(th.dests) > maxHeldDests {
			t.Fatalf("%d tenants, %d destinations tracked, want at most %d, %d", len(th.tenants), len(th.dests), maxThrottleTenants, maxHeldDests)
		}
	})
}
