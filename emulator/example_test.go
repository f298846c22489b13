package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/octosend/octosend/emulator"
)

// send posts one SMS to srv the way any HTTP client would.
func send(srv *emulator.Server, key, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/api/v1/subaccounts/acme_hq/messages", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

// Start an emulator (emulatortest.Start(t, cfg) does the same inside a test),
// send one SMS and check the ledger.
func Example() {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp, err := send(srv, "secret", `{"destination":"+6591234567","text":"Your code is 482913","clientMessageId":"otp-1"}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var body struct {
		Destination string
		Encoding    string
		Status      struct{ Code string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, body.Destination, body.Encoding, body.Status.Code)
	fmt.Println("otp-1 accepted", srv.Ledger().Count("acme_hq", "otp-1"), "time(s)")
	// Output:
	// 200 6591234567 GSM7 QUEUED
	// otp-1 accepted 1 time(s)
}

// A scripted "accepted then 500" makes a naive retry deliver the message
// twice, and the ledger shows it.
func Example_acceptedThen500() {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{
		APIKey: "secret",
		Script: []emulator.Fault{{Kind: emulator.FaultAcceptedThen500}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	const msg = `{"destination":"+6591234567","text":"Your parcel is out for delivery","clientMessageId":"parcel-9"}`
	for attempt := 1; attempt <= 2; attempt++ {
		resp, err := send(srv, "secret", msg)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println("attempt", attempt, "->", resp.StatusCode)
		if resp.StatusCode == http.StatusOK {
			break
		}
	}
	l := srv.Ledger()
	fmt.Println("count", l.Count("acme_hq", "parcel-9"), "duplicates", l.Duplicates())
	// Output:
	// attempt 1 -> 500
	// attempt 2 -> 200
	// count 2 duplicates 1
}
