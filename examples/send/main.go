// Command send sends one SMS with the octosend client and prints the result.
//
// It starts the embedded 8x8 emulator by default, so it runs without an
// 8x8 account:
//
//	go run ./examples/send
//
// To send for real, point it at 8x8:
//
//	OCTOSEND_BASE_URL=https://sms.8x8.com OCTOSEND_API_KEY=... OCTOSEND_SUBACCOUNT=acme_hq \
//	  go run ./examples/send +6591234567 "Your code is 482913"
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
)

func main() {
	to, text := "+6591234567", "Your code is 482913"
	if len(os.Args) == 3 {
		to, text = os.Args[1], os.Args[2]
	}
	if err := run(context.Background(), os.Stdout, to, text); err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, to, text string) error {
	baseURL, key, sub := os.Getenv("OCTOSEND_BASE_URL"), os.Getenv("OCTOSEND_API_KEY"), os.Getenv("OCTOSEND_SUBACCOUNT")
	if baseURL == "" {
		srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "example-key"})
		if err != nil {
			return err
		}
		defer srv.Close()
		baseURL, key, sub = srv.URL(), "example-key", "acme_hq"
		fmt.Fprintln(w, "sending to the embedded emulator at", baseURL)
	}

	c, err := client.New(client.Config{APIKey: key, BaseURL: baseURL})
	if err != nil {
		return err
	}
	defer c.Close()

	res, err := c.SendSMS(ctx, sub, client.SMS{Destination: to, Text: text, Source: "Acme"})
	if err != nil {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) {
			fmt.Fprintf(w, "8x8 refused it: HTTP %d, code %d (%s), after %d attempts\n",
				apiErr.Status, apiErr.Code, apiErr.Code, apiErr.Attempts)
		}
		return err
	}
	fmt.Fprintf(w, "accepted: umid %s, clientMessageId %s, %d attempt(s)\n", res.UMID, res.ClientMessageID, res.Attempts)
	return nil
}
