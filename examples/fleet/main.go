// Command fleet shows fleet mode: several sender processes share one
// tenant's 8x8 quota, its adaptive rate and their circuit breakers through
// Redis, so together they stay under the quota (a cut one instance makes
// on 429s is the rate of all) and stop together when 8x8 is down.
//
// Two clients in this process stand in for two instances of a fleet; each
// sends half of the messages as fast as it is allowed to, to the embedded
// 8x8 emulator. It needs a Redis:
//
//	redis-server --port 6379 --save '' --appendonly no &
//	REDIS_ADDR=127.0.0.1:6379 go run ./examples/fleet
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/fleet/redisbreaker"
	"github.com/octosend/octosend/fleet/redislimit"
	"github.com/octosend/octosend/ratelimit"
)

const (
	tenant    = "acme-fleet"
	fleetRate = 200 // requests per second for the whole fleet
	instances = 2
)

func main() {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		fmt.Fprintln(os.Stderr, `fleet: REDIS_ADDR is not set. Start a throwaway Redis and point the example at it:
    redis-server --port 6379 --save '' --appendonly no &
    REDIS_ADDR=127.0.0.1:6379 go run ./examples/fleet`)
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, addr, 600); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, redisAddr string, n int) error {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis at %s: %w", redisAddr, err)
	}
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "example-key"})
	if err != nil {
		return err
	}
	defer srv.Close()

	// Each key gets a per-run prefix so that runs never share state.
	prefix := "octosend-example:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	var wg sync.WaitGroup
	errs := make([]error, instances)
	failOpen := make([]int64, instances)
	start := time.Now()
	for i := range instances {
		wg.Go(func() { failOpen[i], errs[i] = instance(ctx, rdb, prefix, srv.URL(), i, n/instances) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	elapsed := time.Since(start)

	arrivals := srv.Ledger().Arrivals(tenant)
	fmt.Fprintf(w, "%d instances sent %d messages for %s in %s\n", instances, len(arrivals), tenant, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "fleet rate: %.0f/s (the shared quota is %d/s; limited each on its own, %d instances would send %d/s)\n",
		float64(len(arrivals))/elapsed.Seconds(), fleetRate, instances, instances*fleetRate)
	var grants int64
	for _, g := range failOpen {
		grants += g
	}
	fmt.Fprintf(w, "fail-open grants: %d (sent on an instance's own share of the quota while Redis answered too slowly; charged to the fleet's quota afterwards)\n", grants)
	return nil
}

// instance is one member of the fleet: its own client, with the rate limit
// and breaker state shared through Redis. It returns how many of its sends
// went out on its local share of the quota because Redis was too slow.
func instance(ctx context.Context, rdb redis.UniversalClient, prefix, baseURL string, id, n int) (int64, error) {
	// Redis down or too slow: fall back to this instance's share of the
	// quota rather than stop sending, so the fleet stays under it even then.
	local, err := ratelimit.New(ratelimit.Config{Rate: fleetRate / instances, Burst: 10 / instances})
	if err != nil {
		return 0, err
	}
	limiter, err := redislimit.New(redislimit.Config{
		Client:   rdb,
		Prefix:   prefix + "rate:",
		Rate:     fleetRate,
		Burst:    10,
		FailOpen: true,
		Local:    local,
	})
	if err != nil {
		return 0, err
	}
	store, err := redisbreaker.New(redisbreaker.Config{Client: rdb, Prefix: prefix + "breaker:"})
	if err != nil {
		return 0, err
	}
	defer store.Close()

	c, err := client.New(client.Config{
		APIKey:  "example-key",
		BaseURL: baseURL,
		Limiter: limiter,                       // the fleet's quota
		Breaker: breaker.Config{Shared: store}, // one instance trips, all open
	})
	if err != nil {
		return 0, err
	}
	defer c.Close()

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for j := range n {
		wg.Go(func() {
			_, err := c.SendSMS(ctx, tenant, client.SMS{
				Destination:     "+6591" + strconv.Itoa(100000+id*n+j),
				Text:            "fleet message",
				ClientMessageID: "i" + strconv.Itoa(id) + "-" + strconv.Itoa(j),
			})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return limiter.FailOpenGrants(), <-errs // nil when the channel is empty: every send was accepted
}
