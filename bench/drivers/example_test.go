package drivers_test

import (
	"context"
	"fmt"

	"github.com/octosend/octosend/bench/drivers"
	"github.com/octosend/octosend/emulator"
)

// Every driver sends the same message to the emulator and reports one
// outcome.
func Example() {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "k"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	for _, spec := range drivers.All() {
		d, err := spec.New(drivers.Env{
			BaseURL: srv.URL(), APIKey: "k", SubAccount: "acme_hq",
			Transport: drivers.NewTransport(), Settings: drivers.DefaultSettings(),
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		o := d.Send(context.Background(), drivers.Message{ID: "order-" + spec.Name, Destination: "+6591234567", Text: "hi"})
		fmt.Printf("%s: accepted=%v status=%d\n", spec.Name, o.Accepted, o.Status)
		d.Close()
	}
	fmt.Println("in the ledger:", srv.Ledger().Unique())
	// Output:
	// octosend: accepted=true status=200
	// octosend-failfast: accepted=true status=200
	// nethttp: accepted=true status=200
	// retryablehttp: accepted=true status=200
	// assembled: accepted=true status=200
	// failsafe: accepted=true status=200
	// in the ledger: 6
}
