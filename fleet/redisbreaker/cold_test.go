package redisbreaker

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/breaker"
	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/fleet/redistest"
	"github.com/octosend/octosend/policy"
)

// TestColdInstanceFollowsFleet: instance A trips the shared breaker of its
// base URL; an instance B created afterwards, which has never sent to that
// base URL, puts no request into the outage from its very first send.
// (Before Set.Follow, B created its breaker, and so its subscription, on
// its first request, and sent until its own breaker tripped: 5 requests.)
func TestColdInstanceFollowsFleet(t *testing.T) {
	srv := redistest.Start(t)
	var fromA, fromB atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "Bearer key-a":
			fromA.Add(1)
		case "Bearer key-b":
			fromB.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"code":2000,"message":"service unavailable","errorId":"e1"}`))
	}))
	defer api.Close()

	newClient := func(key string) *client.Client {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, ContextTimeoutEnabled: true})
		store, err := New(Config{Client: rdb, Prefix: t.Name() + ":", Refresh: time.Hour}) // no background poll: only New's Sync can tell B
		if err != nil {
			t.Fatal(err)
		}
		c, err := client.New(client.Config{
			APIKey:  key,
			BaseURL: api.URL,
			Policy:  policy.Default(),
			Breaker: breaker.Config{Shared: store, Consecutive: 1, OpenFor: time.Minute},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(); store.Close(); rdb.Close() })
		return c
	}

	a := newClient("key-a")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_, _ = a.SendSMS(ctx, "acme", client.SMS{Destination: "+6591000001", Text: "x", ClientMessageID: "a1"})
	cancel()
	if fromA.Load() == 0 {
		t.Fatal("instance A sent nothing: the test did not trip its breaker")
	}
	// A publishes in the background: wait until Redis holds the opening.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	waitFor(t, 5*time.Second, "A's opening in Redis", func() bool {
		n, _ := rdb.Exists(context.Background(), t.Name()+":open:"+api.URL).Result()
		return n == 1
	})

	b := newClient("key-b")
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for i := range 5 {
		if _, err := b.SendSMS(ctx, "acme", client.SMS{Destination: "+6591000002", Text: "x", ClientMessageID: "b" + string(rune('0'+i))}); err == nil {
			t.Fatalf("send %d of B succeeded against a 503-only server", i)
		}
	}
	if n := fromB.Load(); n != 0 {
		t.Errorf("cold instance B put %d requests into the outage A had found, want 0", n)
	}
}
