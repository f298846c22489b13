package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/octosend/octosend/ratelimit"
)

// The happy path: one Limiter per process, Wait before every request, and
// the API's answer reported back.
func Example() {
	lim, err := ratelimit.New(ratelimit.Config{}) // 1,700/s per tenant, 2,900/s per process
	if err != nil {
		panic(err)
	}
	defer lim.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lim.Wait(ctx, "acme-sub-account"); err != nil {
		fmt.Println("not sent:", err)
		return
	}
	// ... send the request; then, by what the API answered:
	lim.Succeeded("acme-sub-account")
	fmt.Println("sent")
	// Output: sent
}

// A wait that cannot finish before the deadline fails at once, with an
// error that is context.DeadlineExceeded.
func ExampleLimiter_Wait_deadline() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1, Burst: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	fmt.Println(lim.Wait(ctx, "acme")) // takes the only token
	err := lim.Wait(ctx, "acme")       // the next one is a second away
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, ratelimit.ErrDeadline))
	var de *ratelimit.DelayError
	if errors.As(err, &de) {
		fmt.Println(de.Tenant, de.Delay.Round(100*time.Millisecond))
	}
	// Output:
	// <nil>
	// true true
	// acme 1s
}

// A caller that reads the clock anyway (to time its send) hands that
// reading to WaitAt, and learns from the result whether it waited.
func ExampleLimiter_WaitAt() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 4, Burst: 1})
	ctx := context.Background()
	for range 2 {
		now := time.Now()
		end, err := lim.WaitAt(ctx, "acme", now)
		if err != nil {
			fmt.Println("not sent:", err)
			return
		}
		fmt.Println("waited:", end.After(now)) // the second token is 250ms away
	}
	// Output:
	// waited: false
	// waited: true
}

func ExampleLimiter_Allow() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1, Burst: 3})
	var got []bool
	for range 5 {
		got = append(got, lim.Allow("acme"))
	}
	fmt.Println(got)
	fmt.Println(lim.Allow("other")) // every tenant has its own bucket
	// Output:
	// [true true true false false]
	// true
}

// After a 429 the client pauses the whole tenant for the Retry-After and
// slows it down.
func ExampleLimiter_Pause() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 100, Burst: 10})
	retryAfter := 2 * time.Second
	lim.Pause("acme", time.Now().Add(retryAfter))
	lim.Throttled("acme")

	fmt.Println(lim.Allow("acme"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := lim.Wait(ctx, "acme")
	var de *ratelimit.DelayError
	fmt.Println(errors.As(err, &de) && de.Paused)
	st, _ := lim.State("acme")
	fmt.Printf("rate %.0f/s burst %d\n", st.Rate, st.Burst)
	// Output:
	// false
	// true
	// rate 50/s burst 5
}

func ExampleLimiter_Throttled() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1000, Burst: 100, MinRate: 100})
	for range 5 {
		lim.Throttled("acme") // 429s of one burst: one decrease (DecreaseHold)
	}
	st, _ := lim.State("acme")
	fmt.Printf("%.0f of %.0f/s\n", st.Rate, st.Configured)
	// Output: 500 of 1000/s
}

func ExampleLimiter_SetTenant() {
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1700, Burst: 170})
	lim.SetTenant("small", 10, 2) // kept even when the tenant is evicted
	fmt.Println(lim.Allow("small"), lim.Allow("small"), lim.Allow("small"))

	// A config reload changes the defaults of every other tenant.
	if err := lim.Reconfigure(ratelimit.Config{Rate: 500}); err != nil {
		panic(err)
	}
	lim.Allow("big")
	st, _ := lim.State("big")
	fmt.Println(st.Configured, st.Burst)
	// Output:
	// true true false
	// 500 50
}
