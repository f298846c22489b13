package clock_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
)

// A retry-with-backoff test that never sleeps: the client waits out its
// backoffs on a Fake, and the test moves the Fake whenever the client is
// blocked in a wait. The same works in a user's own tests, with the client,
// the rate limiter or the breakers.
func ExampleFake_retryWithBackoff() {
	// An API that is down for two attempts (503, nothing recorded), then up.
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "k", Script: []emulator.Fault{
		{Kind: emulator.Fault503}, {Kind: emulator.Fault503},
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := clock.NewFake(start)
	c, err := client.New(client.Config{APIKey: "k", BaseURL: srv.URL(), Clock: fake})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Each time the send blocks in a backoff wait (a pending timer on the
	// Fake), move it on by a second until the wait is over.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-fake.WaitForTimers(1):
				fake.Advance(time.Second)
			case <-stop:
				return
			}
		}
	}()

	began := time.Now()
	res, err := c.SendSMS(context.Background(), "acme", client.SMS{Destination: "+6591234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, "after", res.Attempts, "attempts")
	fmt.Println("fake time moved:", fake.Now().After(start))
	fmt.Println("real time under 5s:", time.Since(began) < 5*time.Second)
	// Output:
	// QUEUED after 3 attempts
	// fake time moved: true
	// real time under 5s: true
}
