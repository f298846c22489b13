package retryafter_test

import (
	"fmt"
	"time"

	"github.com/octosend/octosend/internal/retryafter"
)

func ExampleParse() {
	now := time.Date(2026, 8, 1, 2, 14, 7, 0, time.UTC)
	fmt.Println(retryafter.Parse("2", "", now))
	fmt.Println(retryafter.Parse("Sat, 01 Aug 2026 02:14:37 GMT", "", now))
	fmt.Println(retryafter.Parse("", "Quota exceeded. Please try again in 1 second(s).", now))
	fmt.Println(retryafter.Parse("99999999", "", now))
	fmt.Println(retryafter.Parse("-1", "", now))
	// Output:
	// 2s true
	// 30s true
	// 1s true
	// 24h0m0s true
	// 0s false
}
