package redisdlr_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/dlr"
	"github.com/octosend/octosend/fleet/redisdlr"
)

// Every instance of a fleet wires the same way; the webhook may land on
// any of them.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	store, err := redisdlr.New(redisdlr.Config{Client: rdb})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close(context.Background())

	c, err := client.New(client.Config{APIKey: os.Getenv("OCTOSEND_API_KEY"), Outcomes: store})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	rec, err := dlr.NewReconciler(dlr.ReconcilerConfig{
		Store:       store,
		Lookup:      c.LookupReceipt,
		LookupEvery: 3 * time.Second, // three instances share 8x8's 1 lookup/s per sub-account
		OnResolve: func(r dlr.Resolution) {
			if r.Ambiguous {
				fmt.Println(r.ClientMessageID, r.Verdict, r.Delivered)
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go rec.Run(ctx)
	rv, err := dlr.New(dlr.Config{Authorization: []string{"Bearer " + os.Getenv("WEBHOOK_SECRET")}, OnReceipt: rec.OnReceipt})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rv.Shutdown(context.Background())
	http.Handle("/8x8/webhook", rv)
}
