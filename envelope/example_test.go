package envelope_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/octosend/octosend/envelope"
)

func ExampleDecoder_DecodeError() {
	body := []byte(`{"code":1002,"message":"Invalid MSISDN format (not E.164 international number)",
		"errorId":"bda3d56d-1424-e711-813c-06ed3428fe67","timestamp":"2018-08-04T09:25:40.9235752+00:00"}`)
	var d envelope.Decoder
	var e envelope.Error
	if err := d.DecodeError(body, &e); err != nil {
		fmt.Println("bad body:", err)
		return
	}
	fmt.Println(int(e.Code), e.Code, "-", e.Code.Description())
	fmt.Println(e.Message)
	fmt.Println(e.ErrorID)
	fmt.Println(e.Timestamp.Format(time.RFC3339Nano))
	// Output:
	// 1002 InvalidMSISDN - Invalid MSISDN
	// Invalid MSISDN format (not E.164 international number)
	// bda3d56d-1424-e711-813c-06ed3428fe67
	// 2018-08-04T09:25:40.9235752Z
}

func ExampleDecoder_DecodeSMS() {
	body := []byte(`{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":null,
		"destination":"6591234567","encoding":"GSM7",
		"status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`)
	var d envelope.Decoder
	var r envelope.SMSResponse
	if err := d.DecodeSMS(body, &r); err != nil {
		fmt.Println(err)
		return
	}
	// Strings borrow body; clone what outlives it.
	umid := strings.Clone(r.UMID)
	fmt.Printf("%s %s %q %s\n", umid, r.Status.Code, r.ClientMessageID, r.Encoding)
	// Output:
	// 3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f QUEUED "" GSM7
}

func ExampleDecoder_DecodeBatch() {
	body := []byte(`{"batchId":"c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientBatchId":"promo-2026-08-01",
		"acceptedCount":1,"rejectedCount":1,"messages":[
		{"umid":"c51e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientMessageId":"promo-0001","destination":"447700900123",
		 "encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}},
		{"umid":"c61e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientMessageId":"promo-0002","destination":"4477009",
		 "encoding":"GSM7","status":{"code":"REJECTED","description":"Invalid MSISDN format (not E.164 international number)"}}]}`)
	var d envelope.Decoder
	var r envelope.BatchResponse // reuse it: Messages keeps its capacity
	if err := d.DecodeBatch(body, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("accepted", r.AcceptedCount, "rejected", r.RejectedCount)
	for _, m := range r.Messages {
		fmt.Println(m.ClientMessageID, m.Status.Code, m.Status.Description)
	}
	// Output:
	// accepted 1 rejected 1
	// promo-0001 QUEUED SMS is accepted and queued for processing
	// promo-0002 REJECTED Invalid MSISDN format (not E.164 international number)
}

func ExampleDecoder_DecodeChatBatch() {
	body := []byte(`{"batchId":"7d1f3e5a-2b4c-4d6e-8f90-a1b2c3d4e5f6","clientBatchId":null,
		"acceptedCount":0,"rejectedCount":1,"messages":[
		{"umid":"9f3b5a7c-4d6e-4f80-8b12-c3d4e5f6a7b8","user":{"msisdn":"+6591110000"},"clientMessageId":"n-2",
		 "status":{"state":"rejected","timestamp":"2026-08-01T02:25:00.12Z","errorCode":3038,
		 "errorMessage":"Template not found for provided name and language"}}]}`)
	var d envelope.Decoder
	var r envelope.ChatBatchResponse
	if err := d.DecodeChatBatch(body, &r); err != nil {
		fmt.Println(err)
		return
	}
	m := r.Messages[0]
	fmt.Println(m.User.MSISDN, m.Status.State, m.Status.ErrorCode, m.Status.Timestamp.Format(time.StampMilli))
	// Output:
	// +6591110000 rejected TemplateNotFound Aug  1 02:25:00.120
}

func ExampleDecoder_errors() {
	var d envelope.Decoder
	var r envelope.BatchResponse
	for _, body := range []string{
		`{"batchId":"b","acceptedCount":1e400}`,
		`{"batchId":"b","messages":[{"status":{"code":7}}]}`,
		`{"batchId":"b",`,
	} {
		err := d.DecodeBatch([]byte(body), &r)
		var fe *envelope.FieldError
		var se *envelope.SyntaxError
		switch {
		case errors.As(err, &fe):
			fmt.Println("field", fe.Field+":", err)
		case errors.As(err, &se):
			fmt.Println("syntax at", se.Offset, err)
		}
	}
	// Output:
	// field acceptedCount: envelope: acceptedCount at offset 31: want integer, got 1e400
	// field messages[0].status.code: envelope: messages[0].status.code at offset 45: want string, got number
	// syntax at 15 envelope: syntax error at offset 15: unexpected end of input, want string for object key
}

func ExampleAppendSMSRequest() {
	req := envelope.SMSRequest{
		Destination:     "+6591234567",
		Source:          "AcmeBank",
		Text:            "Your code is \"482913\".\nIt expires in 5 minutes.",
		ClientMessageID: "otp-7f3c2a9e-0001",
		Expiry:          time.Date(2026, 8, 1, 10, 15, 0, 0, time.FixedZone("SGT", 8*3600)),
	}
	buf := make([]byte, 0, 512) // reuse buf across sends: no allocation
	buf = envelope.AppendSMSRequest(buf[:0], &req)
	fmt.Println(string(buf))
	// Output:
	// {"destination":"+6591234567","source":"AcmeBank","clientMessageId":"otp-7f3c2a9e-0001","text":"Your code is \"482913\".\nIt expires in 5 minutes.","expiry":"2026-08-01T10:15:00+08:00"}
}

func ExampleAppendString() {
	fmt.Println(string(envelope.AppendString(nil, "tab\there, \"quote\", bad \xff, line sep \u2028, <ok>")))
	// Output:
	// "tab\there, \"quote\", bad \ufffd, line sep \u2028, <ok>"
}

func ExampleParseCode() {
	for _, s := range []string{"TemplateNotFound", "1002", "429", "Code(9999)"} {
		c, ok := envelope.ParseCode(s)
		fmt.Println(s, "->", int(c), c, c.Known(), ok)
	}
	// Output:
	// TemplateNotFound -> 3038 TemplateNotFound true true
	// 1002 -> 1002 InvalidMSISDN true true
	// 429 -> 429 TooManyRequests true true
	// Code(9999) -> 9999 Code(9999) false true
}

func ExampleDecoder_DecodeWebhook() {
	// One webhook gets receipts and inbound messages: branch on Kind.
	body := []byte(`{"namespace":"SMS","eventType":"outbound_message_status_changed",
		"payload":{"umid":"7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"promo-0002",
		"destination":"+447700900456","status":{"state":"undelivered","detail":"undelivered_to_recipient",
		"timestamp":"2026-08-01T03:02:41.10Z","errorCode":46,"errorMessage":"Subscriber not reachable"},"smsCount":1}}`)
	var d envelope.Decoder
	var w envelope.Webhook
	if err := d.DecodeWebhook(body, &w); err != nil {
		fmt.Println("bad body:", err)
		return
	}
	switch w.Kind() {
	case envelope.KindSMSReceipt, envelope.KindChatReceipt:
		r, _ := w.Receipt()
		fmt.Println(r.Format, r.ClientMessageID, r.State, r.Detail, "final:", r.Final())
		fmt.Println(int(r.ErrorCode), r.ErrorCode, "-", r.ErrorCode.Description(), "-", r.Hint())
	case envelope.KindSMSInbound, envelope.KindChatInbound:
		m, _ := w.Inbound()
		fmt.Println("inbound from", m.Channel)
	}
	// Output:
	// sms promo-0002 undelivered undelivered_to_recipient final: true
	// 46 SubscriberNotReachable - Subscriber not reachable - transient
}

func ExampleRank() {
	// A "sent" receipt redelivered after the "delivered" one must not undo it.
	delivered := envelope.Rank(envelope.StateDelivered, envelope.DetailDeliveredToRecipient)
	sent := envelope.Rank(envelope.StateSent, "")
	at := time.Date(2026, 8, 1, 2, 14, 9, 0, time.UTC)
	fmt.Println(envelope.Supersedes(sent, at.Add(time.Second), delivered, at))
	fmt.Println(envelope.Supersedes(delivered, at, sent, at.Add(time.Second)))
	// Output:
	// false
	// true
}
