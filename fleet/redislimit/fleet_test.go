package redislimit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/fleet/redistest"
)

// An end-to-end run: two client instances share one tenant's quota
// through Redis, against the emulator's 400/s quota (burst 40, a 10 ms
// API; 200/s under the race detector, whose cost leaves a loaded 2-core
// machine unable to offer 1.45x 400/s), on real time, 32 senders per
// instance sending back to back. For
// its first 1.2 s the fleet is configured at 95% of the quota (burst 4),
// as a running fleet has been: a tenant's first second cannot be measured
// (the law halves the rate instead, see ratelimit.Law), and a loaded
// machine that stalls the first requests bunches them past the API's
// burst. Then the configuration is raised to 1.45x the quota (a reload,
// or a quota 8x8 lowered), and the fleet must find the quota again.
var fleetQuota = map[bool]float64{false: 400, true: 200}[raceEnabled]

const (
	fleetWarm     = 1200 * time.Millisecond
	fleetMeasured = 1400 * time.Millisecond // goodput is measured from here...
	fleetEnd      = 3 * time.Second         // ...to here
	fleetSlot     = 100 * time.Millisecond  // the verbose log's resolution
)

type fleetResult struct {
	goodput             float64 // accepted per second from fleetMeasured to fleetEnd
	requests, throttled int64   // over the whole run
	tenantScope         int64   // 429s inferred to be the tenant's quota
}

// fleetRecorder counts what the two clients' hooks see once the run has
// started, per fleetSlot for the verbose log.
type fleetRecorder struct {
	started atomic.Bool
	start   time.Time // written before started is set
	res     fleetResult
	good    atomic.Int64
	slots   [fleetEnd / fleetSlot][3]atomic.Int64 // 200s, 429s, tenant scope
	states  [fleetEnd / fleetSlot]State
}

func (fr *fleetRecorder) slot() int {
	return min(int(time.Since(fr.start)/fleetSlot), len(fr.slots)-1)
}

func (fr *fleetRecorder) attempt(e client.Event) {
	if !fr.started.Load() {
		return
	}
	atomic.AddInt64(&fr.res.requests, 1)
	switch e.Status {
	case 200:
		fr.slots[fr.slot()][0].Add(1)
		if el := time.Since(fr.start); el >= fleetMeasured && el < fleetEnd {
			fr.good.Add(1)
		}
	case 429:
		fr.slots[fr.slot()][1].Add(1)
		atomic.AddInt64(&fr.res.throttled, 1)
	}
}

func (fr *fleetRecorder) throttled(e client.Event) {
	if fr.started.Load() && e.Scope >= client.ScopeTenant {
		fr.slots[fr.slot()][2].Add(1)
		atomic.AddInt64(&fr.res.tenantScope, 1)
	}
}

// runFleet runs the scenario; perInstance restores the behaviour before
// the fleet law.
func runFleet(t *testing.T, srv *redistest.Server, prefix string, perInstance bool) fleetResult {
	t.Helper()
	api := emulatortest.Start(t, emulator.Config{APIKey: "k", Rate: fleetQuota, Burst: int(fleetQuota / 10), Latency: 10 * time.Millisecond})
	var rec fleetRecorder
	clients := make([]*client.Client, 2)
	lims := make([]*Limiter, 2)
	for i := range clients {
		lims[i] = newInstance(t, srv.Addr, Config{Rate: fleetQuota * 1.45, Prefix: prefix})
		lims[i].perInstance = perInstance
		if err := lims[i].SetDefaults(fleetQuota*0.95, 4); err != nil {
			t.Fatal(err)
		}
		c, err := client.New(client.Config{APIKey: "k", BaseURL: api.URL(), Limiter: lims[i],
			Hooks: client.Hooks{OnAttempt: rec.attempt, OnThrottled: rec.throttled}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		clients[i] = c
		// Dial, say HELLO, load the scripts before the clock starts.
		for j := range 3 {
			if _, err := c.SendSMS(context.Background(), "acme_hq", client.SMS{Destination: fmt.Sprintf("+659000%d%03d", i, j), Text: "hi"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec.start = time.Now()
	rec.started.Store(true)
	ctx, cancel := context.WithDeadline(context.Background(), rec.start.Add(fleetEnd))
	defer cancel()
	var wg sync.WaitGroup
	for g := range 2 * 32 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				clients[g%2].SendSMS(ctx, "acme_hq", client.SMS{Destination: fmt.Sprintf("+65%04d%04d", g, i%10000), Text: "hi"})
			}
		})
	}
	wg.Go(func() { // the fleet's state, for the log
		for k := range rec.states {
			time.Sleep(time.Until(rec.start.Add(time.Duration(k) * fleetSlot)))
			rec.states[k], _ = lims[0].State(ctx, "acme_hq")
		}
	})
	time.Sleep(time.Until(rec.start.Add(fleetWarm)))
	for _, lim := range lims {
		if err := lim.SetDefaults(fleetQuota*1.45, 0); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
	if testing.Verbose() {
		for k, st := range rec.states {
			s := &rec.slots[k]
			t.Logf("t=%.1fs 200s %3d 429s %2d tenant-scope %2d | fleet rate %3.0f estimate %3.0f accepted %3.0f since the cut %v",
				(time.Duration(k) * fleetSlot).Seconds(), s[0].Load(), s[1].Load(), s[2].Load(), st.Rate, st.Estimate, st.Accepted, st.SinceCut.Round(time.Millisecond))
		}
	}
	res := rec.res
	res.goodput = float64(rec.good.Load()) / (fleetEnd - fleetMeasured).Seconds()
	return res
}

// TestFleetFindsQuota: two instances that share the adaptive rate find
// the quota together and stay near it: goodput >= 85% of it with <= 5%
// of requests answered 429. Each cutting alone (the behaviour before)
// measures only its own half of the accepted traffic and charges the
// shared quota at that rate, so the fleet falls to about half the quota
// (27-48% measured; 92-102% shared).
func TestFleetFindsQuota(t *testing.T) {
	srv := redistest.Start(t)
	shared := runFleet(t, srv, "shared:", false)
	alone := runFleet(t, srv, "alone:", true)
	for _, r := range []struct {
		name string
		res  fleetResult
	}{{"shared", shared}, {"per instance", alone}} {
		t.Logf("%s: goodput %.0f/s (%.0f%% of the %.0f/s quota), %d of %d requests 429 (%.1f%%), %d tenant-scope",
			r.name, r.res.goodput, 100*r.res.goodput/fleetQuota, fleetQuota, r.res.throttled, r.res.requests,
			100*float64(r.res.throttled)/float64(max(1, r.res.requests)), r.res.tenantScope)
	}
	if shared.goodput < 0.85*fleetQuota {
		t.Errorf("shared: goodput %.0f/s, want >= 85%% of the %.0f/s quota", shared.goodput, fleetQuota)
	}
	if share := float64(shared.throttled) / float64(max(1, shared.requests)); share > 0.05 {
		t.Errorf("shared: %.1f%% of requests answered 429, want <= 5%%", 100*share)
	}
	if shared.tenantScope == 0 {
		t.Error("shared: no tenant-scope 429: the quota never bound, the test proves nothing")
	}
	if alone.goodput > 0.8*shared.goodput {
		t.Errorf("per instance: goodput %.0f/s, shared %.0f/s: want sharing clearly better", alone.goodput, shared.goodput)
	}
}
