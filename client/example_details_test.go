package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/octosend/octosend/client"
)

// SMSDetails asks 8x8 what became of a message by its umid (1 request/s
// per sub-account). Here a loopback server stands in for 8x8.
func ExampleClient_SMSDetails() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/subaccounts/acme_otp/messages/6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":1300,"message":"Message not found."}`)
			return
		}
		fmt.Fprint(w, `{"umid":"6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f","subAccountId":"acme_otp","direction":"outbound",
			"status":{"state":"delivered","detail":"delivered_to_recipient","timestamp":"2026-08-01T02:14:09.88Z"},
			"msisdn":"+6591234xxxx","body":"**MASKED**","clientMessageId":"otp-000417","smsCount":1}`)
	}))
	defer api.Close()
	c, err := client.New(client.Config{APIKey: "sk-test-9f8e7d6c5b4a", BaseURL: api.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	d, err := c.SMSDetails(context.Background(), "acme_otp", "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f")
	fmt.Println(d.ClientMessageID, d.State, d.Detail, err)
	_, err = c.SMSDetails(context.Background(), "acme_otp", "7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f")
	fmt.Println(errors.Is(err, client.ErrMessageNotFound))
	// Output:
	// otp-000417 delivered delivered_to_recipient <nil>
	// true
}
