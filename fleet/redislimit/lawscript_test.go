package redislimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/ratelimit"
	"github.com/redis/go-redis/v9"
)

// TestRateAtIsTheLocalLaw: the growth the scripts compute in closed form
// (rate_at) is the one ratelimit.Limiter applies step by step. A local
// limiter on fake time is cut, then told of a success every millisecond
// for 45 s; at each sample its rate must match rate_at's for the same cut
// within 1% (the local steps are a millisecond's Euler steps). The cases
// cover the regain, the probe's doubling up to Increase, the estimate
// forgotten past EstimateOff or EstimateTTL, a cut without a measure, a
// pause, and the configured rate as the cap.
func TestRateAtIsTheLocalLaw(t *testing.T) {
	srv := redistest.Start(t)
	c := newClient(t, srv.Addr)
	cases := []struct {
		name     string
		cfg      ratelimit.Config
		accepted float64       // sent and accepted before the cut; 0: none (unmeasured cut)
		pause    time.Duration // a pause right after the cut
	}{
		{name: "estimate forgotten past 1.2x", cfg: ratelimit.Config{Rate: 2900, Burst: 290}, accepted: 2000},
		{name: "doubling up to increase, ttl", cfg: ratelimit.Config{Rate: 1000, Burst: 100, Increase: 20}, accepted: 400},
		{name: "regain below increase", cfg: ratelimit.Config{Rate: 1000, Burst: 100, Increase: 300}, accepted: 400},
		{name: "unmeasured", cfg: ratelimit.Config{Rate: 1000, Burst: 100}},
		{name: "pause", cfg: ratelimit.Config{Rate: 1000, Burst: 100, Increase: 20}, accepted: 400, pause: 2 * time.Second},
		{name: "pause past the ttl", cfg: ratelimit.Config{Rate: 1000, Burst: 100, Increase: 20}, accepted: 400, pause: 29800 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := clock.NewFake(time.Unix(1_800_000_000, 0))
			cfg := tc.cfg
			cfg.Clock, cfg.ProcessRate = f, -1
			l, err := ratelimit.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			law := l.Law()
			script := redis.NewScript(prelude(law) + `return num(rate_at(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])))`)
			if tc.accepted > 0 {
				every := time.Duration(float64(time.Second) / tc.accepted)
				for i := 0; time.Duration(i)*every < 2*time.Second; i++ {
					l.Allow("a")
					l.Succeeded("a")
					f.Advance(every)
				}
			} else {
				l.Allow("a")
			}
			l.Throttled("a")
			cut := f.Now()
			st, _ := l.State("a")
			c0, est := st.Rate, 0.0
			if tc.accepted > 0 {
				est = c0 / law.MeasuredDecrease
			}
			if tc.pause > 0 {
				l.Pause("a", cut.Add(tc.pause))
			}
			inc := law.Increase
			if inc == 0 {
				inc = cfg.Rate / 20
			}
			rateAt := func(since time.Duration) float64 {
				v, err := script.Run(context.Background(), c, nil, ftoa(c0), ftoa(est), ftoa(inc), ftoa(cfg.Rate),
					ftoa(since.Seconds()), ftoa(tc.pause.Seconds())).Text()
				if err != nil {
					t.Fatal(err)
				}
				r, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			var log string
			for i := 1; i <= 45_000; i++ {
				f.Advance(time.Millisecond)
				l.Succeeded("a")
				if i%500 != 0 {
					continue
				}
				since := f.Now().Sub(cut)
				st, _ := l.State("a")
				want := rateAt(since)
				log += fmt.Sprintf(" %v:%.0f/%.0f", since, st.Rate, want)
				if math.Abs(st.Rate-want) > 0.01*want+1 {
					t.Fatalf("%v after a cut to %.1f (estimate %.1f): local rate %.2f, rate_at %.2f\n%s", since, c0, est, st.Rate, want, log)
				}
			}
			if testing.Verbose() {
				t.Log(log)
			}
		})
	}
}
