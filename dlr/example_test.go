package dlr_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/octosend/octosend/dlr"
)

func Example() {
	receipts := make(chan dlr.Receipt, 16)
	rv, err := dlr.New(dlr.Config{
		Authorization: []string{"Bearer 9QQhlsEb8VY"}, // the webhook's httpAuthorization
		OnReceipt:     func(r dlr.Receipt) { receipts <- r },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rv.Shutdown(context.Background())
	srv := httptest.NewServer(rv) // in a program: http.Handle("/8x8/webhook", rv)
	defer srv.Close()

	// What 8x8 POSTs: "sent", then "delivered", then "sent" again (a
	// redelivery that arrives late).
	post := func(state, detail, ts string) int {
		body := `{"namespace":"SMS","eventType":"outbound_message_status_changed","payload":{
			"umid":"6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f","clientMessageId":"otp-000417","destination":"+6591234567",
			"status":{"state":"` + state + `","detail":"` + detail + `","timestamp":"` + ts + `"},"smsCount":1}}`
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer 9QQhlsEb8VY")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(post("sent", "", "2026-08-01T02:14:01Z"))
	fmt.Println(post("delivered", "delivered_to_recipient", "2026-08-01T02:14:09Z"))
	fmt.Println(post("sent", "", "2026-08-01T02:14:01Z"))

	for range 2 {
		r := <-receipts
		fmt.Printf("%s: %s %s (was %q) final=%v\n", r.ClientMessageID, r.State, r.Detail, r.Previous, r.Final())
	}
	rv.Shutdown(context.Background())
	st := rv.Stats()
	fmt.Println("receipts", st.Receipts, "stale", st.Stale)
	// Output:
	// 200
	// 200
	// 200
	// otp-000417: sent  (was "") final=false
	// otp-000417: delivered delivered_to_recipient (was "sent") final=true
	// receipts 2 stale 1
}

func ExampleConfig_inbound() {
	// Inbound SMS arrive on the same webhook as receipts.
	inbound := make(chan dlr.Inbound, 1)
	rv, err := dlr.New(dlr.Config{
		Authorization: []string{"Bearer 9QQhlsEb8VY"},
		OnReceipt:     func(dlr.Receipt) {},
		OnInbound:     func(m dlr.Inbound) { inbound <- m },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rv.Shutdown(context.Background())
	body := `{"namespace":"SMS","eventType":"inbound_message_received","payload":{"umid":"5ebc70df-46b9-ef11-8300-0a1b2c3d4e5f",
		"timestamp":"2026-08-01T08:00:00Z","source":"+6591234567","destination":"+6580001234","body":"STOP","encoding":"GSM7","smsCount":1}}`
	req := httptest.NewRequest(http.MethodPost, "/8x8/webhook", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer 9QQhlsEb8VY")
	w := httptest.NewRecorder()
	rv.ServeHTTP(w, req)
	m := <-inbound
	fmt.Println(w.Code, m.Kind, m.Channel, m.Text)
	// Output:
	// 200 sms-inbound sms STOP
}
