package redislimit_test

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/fleet/redislimit"
	"github.com/octosend/octosend/ratelimit"
)

// A fleet of senders shares each tenant's quota through Redis. This example
// needs a Redis server on 127.0.0.1:6379, so it is compiled but not run.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", MaxRetries: -1, DialerRetries: 1})
	defer client.Close()
	local, _ := ratelimit.New(ratelimit.Config{Rate: 400}) // this instance's share, for outages
	fleet, err := redislimit.New(redislimit.Config{
		Client:   client,
		Rate:     1700, // per tenant, for the whole fleet
		FailOpen: true, // Redis down: fall back to local, 400/s
		Local:    local,
	})
	if err != nil {
		panic(err)
	}
	var backend ratelimit.Backend = fleet // what the client accepts
	if err := backend.Wait(context.Background(), "acme"); err != nil {
		fmt.Println(err)
	}
}
