// Command fleet shows fleet mode: several sender processes share one
// tenant's 8x8 quota and their circuit breakers through Redis, so together
// they stay under the quota and stop together when 8x8 is down.
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
	start := time.Now()
	for i := range instances {
		wg.Go(func() { errs[i] = instance(ctx, rdb, prefix, srv.URL(), i, n/instances) })
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
	return nil
}

// instance is one member of the fleet: its own client, with the rate limit
// and breaker state shared through Redis.
func instance(ctx context.Context, rdb redis.UniversalClient, prefix, baseURL string, id, n int) error {
	limiter, err := redislimit.New(redislimit.Config{
		Client:   rdb,
		Prefix:   prefix + "rate:",
		Rate:     fleetRate,
		Burst:    10,
		FailOpen: true, // Redis down: fall back to the local limiter rather than stop sending
	})
	if err != nil {
		return err
	}
	store, err := redisbreaker.New(redisbreaker.Config{Client: rdb, Prefix: prefix + "breaker:"})
	if err != nil {
		return err
	}
	defer store.Close()

	c, err := client.New(client.Config{
		APIKey:  "example-key",
		BaseURL: baseURL,
		Limiter: limiter,                       // the fleet's quota
		Breaker: breaker.Config{Shared: store}, // one instance trips, all open
	})
	if err != nil {
		return err
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
	return <-errs // nil when the channel is empty: every send was accepted
}
