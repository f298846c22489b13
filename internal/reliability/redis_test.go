package reliability

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
	"github.com/octosend/octosend/fleet/redisbreaker"
	"github.com/octosend/octosend/fleet/redislimit"
	"github.com/octosend/octosend/fleet/redistest"
)

// fleetInstances is how many sender processes share the Redis.
const fleetInstances = 2

// fleetRedisTimeout bounds each Redis call of the fleet.
const fleetRedisTimeout = time.Second

// fleetSettle is how long after Redis answers again the "after restart"
// phase starts: a call that began while Redis was still down and failed
// late makes the limiter skip Redis for one Recheck (50ms); such calls
// fail at once on a refused connection, so a second is ample room.
const fleetSettle = time.Second

// fleetMember is one sender of the fleet: its client and what it shares
// through Redis.
type fleetMember struct {
	c     *client.Client
	lim   *redislimit.Limiter
	store *redisbreaker.Store
	rdb   *redis.Client
}

func newFleetMember(t *testing.T, obs *observer, addr, url string, failOpen bool) *fleetMember {
	t.Helper()
	// Generous timeouts: a dead Redis fails at once (connection refused),
	// while a live one on a loaded CI machine (go test ./... runs packages
	// in parallel on two cores) can take longer than the 50ms defaults,
	// which fail-closed would rightly report as unavailable.
	rdb := redis.NewClient(&redis.Options{
		Addr: addr, DialTimeout: fleetRedisTimeout, ReadTimeout: fleetRedisTimeout,
		WriteTimeout: fleetRedisTimeout, ContextTimeoutEnabled: true, MaxRetries: -1, PoolSize: 16,
	})
	lim, err := redislimit.New(redislimit.Config{
		Client: rdb, Prefix: "rel:" + t.Name() + ":", FailOpen: failOpen, Recheck: 50 * time.Millisecond,
		Timeout: fleetRedisTimeout,
	})
	if err != nil {
		t.Fatalf("redislimit.New: %v", err)
	}
	store, err := redisbreaker.New(redisbreaker.Config{Client: rdb, Prefix: "rel:" + t.Name() + ":br:",
		Refresh: 50 * time.Millisecond, Timeout: fleetRedisTimeout})
	if err != nil {
		t.Fatalf("redisbreaker.New: %v", err)
	}
	m := &fleetMember{lim: lim, store: store, rdb: rdb}
	m.c = obs.newClient(client.Config{BaseURL: url, Limiter: lim, Breaker: breaker.Config{Shared: store}})
	t.Cleanup(func() {
		m.c.Close()
		store.Close()
		lim.Local().Close()
		rdb.Close()
	})
	return m
}

// fleetOutcome is what one fleet send ended with.
type fleetOutcome struct {
	tenant, cmid string
	phase        int32 // 0 before the kill, 1 while Redis is down, 2 after the restart
	err          error
}

// TestRedisKilledMidRun runs a fleet of senders sharing their rate limits
// and breaker state through Redis, kills Redis in the middle of the run and
// restarts it, under both fail-open and fail-closed. Every message gets
// exactly one outcome; accepted ones are in the ledger once; with
// fail-open every send is accepted even while Redis is down; with
// fail-closed the sends made while it is down fail with an error matching
// redislimit.ErrUnavailable, reported and never sent, and sends succeed
// again once Redis is back.
func TestRedisKilledMidRun(t *testing.T) {
	// go-redis logs every failed dial to stderr; the outage is the point.
	redis.SetLogger(quietRedis{})
	for _, failOpen := range []bool{true, false} {
		t.Run(fmt.Sprintf("failOpen=%v", failOpen), func(t *testing.T) {
			rs := redistest.Start(t)
			if rs.External() {
				t.Fatal("this test kills Redis: unset REDIS_ADDR")
			}
			srv := emulatortest.Start(t, emulator.Config{APIKey: canaryKey})
			obs := newObserver(t)
			var fleet []*fleetMember
			for range fleetInstances {
				fleet = append(fleet, newFleetMember(t, obs, rs.Addr, srv.URL(), failOpen))
			}

			var (
				phase    atomic.Int32
				stop     = make(chan struct{})
				mu       sync.Mutex
				outcomes = make(map[string]fleetOutcome)
				twice    int
				wg       sync.WaitGroup
				sent     atomic.Int64
			)
			for i, m := range fleet {
				for w := range 4 {
					wg.Go(func() {
						tenant := fmt.Sprintf("fleet-%d", w%2)
						for k := 0; ; k++ {
							select {
							case <-stop:
								return
							default:
							}
							cmid := fmt.Sprintf("i%d-w%d-%06d", i, w, k)
							p := phase.Load()
							_, err := obs.sendSMS(m.c, context.Background(), tenant, sms(k, cmid))
							if phase.Load() != p {
								p = -1 // straddled a kill or restart: judged only by the invariants
							}
							sent.Add(1)
							mu.Lock()
							if _, ok := outcomes[cmid]; ok {
								twice++
							}
							outcomes[cmid] = fleetOutcome{tenant: tenant, cmid: cmid, phase: p, err: err}
							mu.Unlock()
							if err != nil && !failOpen {
								time.Sleep(time.Millisecond) // fail-closed errors come at once: do not spin
							}
						}
					})
				}
			}
			waitSent := func(n int64) {
				t.Helper()
				target := sent.Load() + n
				deadline := time.Now().Add(10 * time.Second)
				for sent.Load() < target {
					if time.Now().After(deadline) {
						t.Fatalf("only %d of %d sends done in 10s", sent.Load(), target)
					}
					time.Sleep(time.Millisecond)
				}
			}

			waitSent(300)
			phase.Store(-1) // transition: outcomes straddling it are not judged
			rs.Kill()
			time.Sleep(50 * time.Millisecond)
			phase.Store(1)
			waitSent(300)
			for i, m := range fleet {
				// The store learns of the outage on its next poll (every 50ms).
				deadline := time.Now().Add(5 * time.Second)
				for m.store.Healthy() && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if m.store.Healthy() {
					t.Errorf("member %d: breaker store still reports healthy 5s into the Redis outage", i)
				}
			}
			phase.Store(-1)
			rs.Restart(t)
			recovered := waitRecovered(t, fleet, srv)
			// A Redis call that began while Redis was still down fails up
			// to one call timeout later and, as documented, skips Redis for
			// one Recheck interval: let that pass before judging.
			time.Sleep(fleetSettle)
			phase.Store(2)
			waitSent(300)
			close(stop)
			wg.Wait()

			checkFleet(t, srv, outcomes, twice, failOpen, recovered)
		})
	}
}

// waitRecovered waits until each member's Redis connection pool answers
// again (enough pings in a row to flush connections the kill broke) and
// its limiter asks Redis again, and returns how long that took.
func waitRecovered(t *testing.T, fleet []*fleetMember, srv *emulator.Server) time.Duration {
	t.Helper()
	start := time.Now()
	for i, m := range fleet {
		for ok := 0; ok < 20; {
			if err := m.rdb.Ping(context.Background()).Err(); err == nil && m.lim.Available() {
				ok++
				continue
			}
			ok = 0
			if time.Since(start) > 10*time.Second {
				t.Fatalf("member %d: Redis not reachable 10s after the restart", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return time.Since(start)
}

func checkFleet(t *testing.T, srv *emulator.Server, outcomes map[string]fleetOutcome, twice int, failOpen bool, recovered time.Duration) {
	t.Helper()
	if twice != 0 {
		t.Errorf("%d messages got two outcomes", twice)
	}
	led := srv.Ledger()
	var byPhase [3]struct{ sent, accepted, unavailable int }
	for _, o := range outcomes {
		n := led.Count(o.tenant, o.cmid)
		switch {
		case o.err == nil && n != 1:
			t.Errorf("%s: accepted, but the ledger holds it %d times", o.cmid, n)
		case o.err != nil && n != 0:
			t.Errorf("%s: failed (%v), but the ledger holds it %d times", o.cmid, o.err, n)
		case o.err != nil && !typedErr(o.err):
			t.Errorf("%s: untyped error %T: %v", o.cmid, o.err, o.err)
		case o.err != nil && failOpen:
			t.Errorf("%s (phase %d): fail-open, yet the send failed: %v", o.cmid, o.phase, o.err)
		case o.err != nil && !errors.Is(o.err, redislimit.ErrUnavailable):
			t.Errorf("%s (phase %d): failed with %v; the only failure allowed is redislimit.ErrUnavailable", o.cmid, o.phase, o.err)
		}
		if o.phase < 0 || o.phase > 2 {
			continue // straddled a kill or restart: judged by the invariants above only
		}
		ph := &byPhase[o.phase]
		ph.sent++
		if o.err == nil {
			ph.accepted++
			continue
		}
		if errors.Is(o.err, redislimit.ErrUnavailable) {
			ph.unavailable++
			if se, ok := errors.AsType[*client.SendError](o.err); !ok || se.Attempts != 0 {
				t.Errorf("%s: fail-closed refusal should be a SendError with 0 attempts: %v", o.cmid, o.err)
			}
		}
		if !failOpen && o.phase != 1 {
			t.Errorf("%s (phase %d): fail-closed send failed while Redis was up: %v", o.cmid, o.phase, o.err)
		}
	}
	t.Logf("failOpen=%v: before kill %+v, Redis down %+v, after restart %+v (recovered in %v)",
		failOpen, byPhase[0], byPhase[1], byPhase[2], recovered.Round(time.Millisecond))
	for i, ph := range byPhase {
		if ph.sent == 0 {
			t.Errorf("phase %d: no sends judged", i)
		}
	}
	if failOpen && byPhase[1].accepted == 0 {
		t.Error("fail-open: nothing was accepted while Redis was down")
	}
	if !failOpen && byPhase[1].unavailable == 0 {
		t.Error("fail-closed: no send was refused with ErrUnavailable while Redis was down")
	}
	if byPhase[2].accepted == 0 {
		t.Error("nothing was accepted after Redis came back")
	}
}

// quietRedis drops go-redis's log lines. Log lines of the code under test
// go through the observer instead, and are scanned for secrets.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
