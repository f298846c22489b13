package redisbreaker_test

import (
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/fleet/redisbreaker"
)

// A fleet shares "open until" through Redis. (Not run: it needs a Redis.)
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	store, err := redisbreaker.New(redisbreaker.Config{Client: client, Refresh: 200 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	set, _ := breaker.New(breaker.Config{Shared: store})
	defer set.Close()
	// Use set as usual: when any instance trips, the others open within Refresh.
	_, _ = set.Allow("https://sms.8x8.com")
}
