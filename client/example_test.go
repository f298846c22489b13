package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
)

// startEmulator runs a local 8x8 look-alike for the examples.
func startEmulator(apiKey string) *emulator.Server {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: apiKey})
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

func ExampleClient_SendSMS() {
	srv := startEmulator("my-api-key")
	defer srv.Close()

	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	res, err := c.SendSMS(context.Background(), "acme_hq", client.SMS{
		Destination:     "+6591234567",
		Text:            "Your one-time code is 482913.",
		ClientMessageID: "otp-0001",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.ClientMessageID, "after", res.Attempts, "attempt")
	fmt.Println("accepted by 8x8:", srv.Ledger().Count("acme_hq", "otp-0001"))
	// Output:
	// QUEUED otp-0001 after 1 attempt
	// accepted by 8x8: 1
}

func ExampleClient_SendBatch() {
	srv := startEmulator("my-api-key")
	defer srv.Close()
	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	res, err := c.SendBatch(context.Background(), "acme_hq", client.Batch{
		Template: client.SMSTemplate{Text: "Flash sale today only!", Source: "AcmeShop"},
		Messages: []client.SMS{
			{Destination: "+447700900123", ClientMessageID: "promo-1"},
			{Destination: "12345", ClientMessageID: "promo-2"}, // not a valid number
			{Destination: "+447700900456", ClientMessageID: "promo-3", Text: "Hi Priya, your VIP code works today."},
		},
	})
	if err != nil { // REJECTED items are not an error: see each message
		log.Fatal(err)
	}
	fmt.Printf("accepted %d, rejected %d, in %d request\n", res.Accepted, res.Rejected, res.Requests)
	for _, m := range res.Messages {
		fmt.Println(m.ClientMessageID, m.State, errors.Is(m.Err, client.ErrRejected))
	}
	// Output:
	// accepted 2, rejected 1, in 1 request
	// promo-1 accepted false
	// promo-2 rejected true
	// promo-3 accepted false
}

// Errors are typed: errors.As gives the API's answer, errors.Is the
// reasons the client stopped.
func ExampleAPIError() {
	srv := startEmulator("the-right-key")
	defer srv.Close()
	ctx := context.Background()

	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = c.SendSMS(ctx, "acme_hq", client.SMS{Destination: "+6591234567", Text: "hello"})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Action, "after", apiErr.Attempts, "attempt")
	}
	fmt.Println("tenant halted:", errors.Is(err, client.ErrTenantHalted))

	// The tenant stays halted: the next send fails without a request.
	_, err = c.SendSMS(ctx, "acme_hq", client.SMS{Destination: "+6591234567", Text: "hello again"})
	var sendErr *client.SendError
	fmt.Println(errors.As(err, &sendErr), sendErr.Attempts, errors.Is(err, client.ErrTenantHalted))

	// Bad input never reaches the network.
	_, err = c.SendSMS(ctx, "acme/hq", client.SMS{Destination: "+6591234567", Text: "hi"})
	var valErr *client.ValidationError
	fmt.Println(errors.As(err, &valErr), valErr.Field)
	// Output:
	// 401 Unauthorized halt after 1 attempt
	// tenant halted: true
	// true 0 true
	// true subAccountID
}

// A permanent API error fails after one attempt; the error carries the
// API's code, message and errorId.
func ExampleClient_SendSMS_invalidNumber() {
	srv := startEmulator("my-api-key")
	defer srv.Close()
	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = c.SendSMS(context.Background(), "acme_hq", client.SMS{Destination: "12345", Text: "hello"})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, int(apiErr.Code), apiErr.Code, apiErr.Attempts, apiErr.ErrorID.String() != "")
	}
	// Output:
	// 400 1002 InvalidMSISDN 1 true
}
