package breaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/octosend/octosend/breaker"
)

// The happy path: ask before each request, report its outcome after.
func Example() {
	set, err := breaker.New(breaker.Config{}) // defaults: 10s window, 20 requests, 50%, open 30s
	if err != nil {
		panic(err)
	}
	const region = "https://sms.8x8.com"

	done, err := set.Allow(region)
	if err != nil {
		fmt.Println("not sent:", err)
		return
	}
	// ... send the request, then classify its result:
	done(breaker.Success)

	fmt.Println(set.State(region))
	// Output: closed
}

// A breaker trips when the failure ratio over the window reaches the
// threshold; rejections say how long until the next probe.
func ExampleSet_Allow() {
	set, _ := breaker.New(breaker.Config{MinRequests: 4, FailureRatio: 0.5, OpenFor: 30 * time.Second})
	const region = "https://sms.8x8.com"

	for _, o := range []breaker.Outcome{breaker.Success, breaker.Failure, breaker.Neutral, breaker.Success, breaker.Failure} {
		done, err := set.Allow(region)
		if err != nil {
			panic(err)
		}
		done(o) // Neutral (a 4xx, a cancellation) is not counted
	}

	_, err := set.Allow(region)
	var oe *breaker.OpenError
	if errors.As(err, &oe) {
		fmt.Println(errors.Is(err, breaker.ErrOpen), oe.State, oe.RetryIn.Round(time.Second))
	}
	// Output: true open 30s
}

// A 503 with Retry-After opens the breaker for the server's hint.
func ExampleSet_OpenFor() {
	set, _ := breaker.New(breaker.Config{})
	const region = "https://sms.8x8.com"

	set.OpenFor(region, 2*time.Minute) // Retry-After: 120
	_, err := set.Allow(region)
	var oe *breaker.OpenError
	errors.As(err, &oe)
	fmt.Println(set.State(region), oe.RetryIn.Round(time.Second))
	// Output: open 2m0s
}

// Configure gives one key its own thresholds; zero fields keep the Set's.
func ExampleSet_Configure() {
	set, _ := breaker.New(breaker.Config{MinRequests: 20})
	set.Configure("fragile-tenant", breaker.Config{MinRequests: 2})

	for _, k := range []string{"fragile-tenant", "sturdy-tenant"} {
		for i := 0; i < 2; i++ {
			done, _ := set.Allow(k)
			done(breaker.Failure)
		}
		fmt.Println(k, set.State(k))
	}
	// Output:
	// fragile-tenant open
	// sturdy-tenant closed
}

// OnStateChange sees every transition, outside the Set's locks.
func ExampleConfig_onStateChange() {
	set, _ := breaker.New(breaker.Config{
		Consecutive: 2,
		OnStateChange: func(key string, from, to breaker.State) {
			fmt.Printf("%s: %v -> %v\n", key, from, to)
		},
	})
	for i := 0; i < 2; i++ {
		done, _ := set.Allow("https://sms.8x8.com")
		done(breaker.Failure)
	}
	// Output: https://sms.8x8.com: closed -> open
}
