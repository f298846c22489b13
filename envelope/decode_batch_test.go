package envelope

import (
	"reflect"
	"testing"
	"time"
)

func TestDecodeBatchTestdata(t *testing.T) {
	queued := SMSStatus{Code: "QUEUED", Description: "SMS is accepted and queued for processing"}
	tests := []struct {
		file string
		want BatchResponse
	}{
		{"batch_messages.json", BatchResponse{
			BatchID: "c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f", ClientBatchID: "promo-2026-08-01",
			AcceptedCount: 1, RejectedCount: 1,
			Messages: []SMSResponse{
				{UMID: "c51e08b2-7a3d-ef11-8300-0a1b2c3d4e5f", ClientMessageID: "promo-0001",
					Destination: "447700900123", Encoding: "GSM7", Status: queued},
				{UMID: "c61e08b2-7a3d-ef11-8300-0a1b2c3d4e5f", ClientMessageID: "promo-0002",
					Destination: "4477009", Encoding: "GSM7",
					Status: SMSStatus{Code: "REJECTED", Description: "Invalid MSISDN format (not E.164 international number)"}},
			},
		}},
		{"batch_null_messages.json", BatchResponse{
			BatchID: "bda3d56d-1424-e711-813c-06ed3428fe67", AcceptedCount: 2, Messages: []SMSResponse{},
		}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			// Decode into a response that holds stale items from an earlier
			// decode: they must not leak into this one.
			got := BatchResponse{Messages: make([]SMSResponse, 3, 8)}
			for i := range got.Messages {
				got.Messages[i] = SMSResponse{UMID: "stale", Status: SMSStatus{Code: "stale"}}
			}
			got.Messages = got.Messages[:1]
			if err := d.DecodeBatch(readTestdata(t, tt.file), &got); err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if cap(got.Messages) != 8 {
				t.Errorf("cap(Messages) = %d, want the caller's 8 reused", cap(got.Messages))
			}
		})
	}
}

func TestDecodeBatchGrowsAndReuses(t *testing.T) {
	body := []byte(`{"batchId":"b","acceptedCount":3,"rejectedCount":0,"messages":[{"umid":"1"},{"umid":"2"},{"umid":"3"}]}`)
	var d Decoder
	var r BatchResponse
	if err := d.DecodeBatch(body, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Messages) != 3 || r.Messages[2].UMID != "3" {
		t.Fatalf("got %+v", r.Messages)
	}
	first := &r.Messages[0]
	if err := d.DecodeBatch(body, &r); err != nil {
		t.Fatal(err)
	}
	if &r.Messages[0] != first {
		t.Error("second decode did not reuse the Messages backing array")
	}
	// A shorter batch truncates; items past it are not reported.
	if err := d.DecodeBatch([]byte(`{"messages":[{"destination":"x"}]}`), &r); err != nil {
		t.Fatal(err)
	}
	if want := []SMSResponse{{Destination: "x"}}; !reflect.DeepEqual(r.Messages, want) {
		t.Errorf("got %+v, want %+v", r.Messages, want)
	}
}

func TestDecodeDuplicateKeys(t *testing.T) {
	var d Decoder
	var r BatchResponse
	// Last wins for scalars; null leaves the earlier value; a repeated
	// "messages" merges into the items decoded before, as encoding/json does.
	body := `{"batchId":"a","batchId":"b","clientBatchId":"c","clientBatchId":null,` +
		`"messages":[{"umid":"u1","status":{"code":"QUEUED"}},{"umid":"u2"}],` +
		`"messages":[{"destination":"d1","status":{"description":"ok"}}],` +
		`"messages":[{"encoding":"GSM7"},{"encoding":"UCS2"},{"umid":"u3"}],"acceptedCount":1,"acceptedCount":2}`
	if err := d.DecodeBatch([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	want := BatchResponse{BatchID: "b", ClientBatchID: "c", AcceptedCount: 2, Messages: []SMSResponse{
		{UMID: "u1", Destination: "d1", Encoding: "GSM7", Status: SMSStatus{Code: "QUEUED", Description: "ok"}},
		{UMID: "u2", Encoding: "UCS2"},
		{UMID: "u3"},
	}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}

func TestDecodeChatTestdata(t *testing.T) {
	var d Decoder
	t.Run("chat_queued.json", func(t *testing.T) {
		var got ChatResponse
		if err := d.DecodeChat(readTestdata(t, "chat_queued.json"), &got); err != nil {
			t.Fatal(err)
		}
		want := ChatResponse{UMID: "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b", ClientMessageID: "order-88121-shipped",
			User:   ChatUser{MSISDN: "+6598765432"},
			Status: ChatStatus{State: "queued", Timestamp: time.Date(2026, 8, 1, 2, 20, 11, 370_000_000, time.UTC)}}
		if got != want {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("chat_rejected.json", func(t *testing.T) {
		var got ChatResponse
		if err := d.DecodeChat(readTestdata(t, "chat_rejected.json"), &got); err != nil {
			t.Fatal(err)
		}
		want := ChatResponse{UMID: "9f3b5a7c-4d6e-4f80-8b12-c3d4e5f6a7b8",
			User: ChatUser{Country: "SG", LineUserID: "U4af4980629", ChannelUserID: "US.1349f7a0e2"},
			Status: ChatStatus{State: "rejected", Detail: "template_not_found",
				Timestamp:    time.Date(2018, 8, 4, 9, 25, 40, 923_575_200, time.UTC),
				ErrorCode:    CodeTemplateNotFound,
				ErrorMessage: "Template “order_shipped” not found for provided name and language"}}
		if got != want {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
}

func TestDecodeChatBatchTestdata(t *testing.T) {
	ts := time.Date(2026, 8, 1, 2, 25, 0, 120_000_000, time.UTC)
	tests := []struct {
		file string
		want ChatBatchResponse
	}{
		{"chat_batch.json", ChatBatchResponse{
			BatchID: "7d1f3e5a-2b4c-4d6e-8f90-a1b2c3d4e5f6", ClientBatchID: "ship-notices-0801",
			AcceptedCount: 1, RejectedCount: 1,
			Messages: []ChatResponse{
				{UMID: "8e2a4f6b-3c5d-4e7f-9a01-b2c3d4e5f6a7", ClientMessageID: "n-1",
					User: ChatUser{MSISDN: "+6598765432"}, Status: ChatStatus{State: "queued", Timestamp: ts}},
				{UMID: "9f3b5a7c-4d6e-4f80-8b12-c3d4e5f6a7b8", ClientMessageID: "n-2",
					User: ChatUser{MSISDN: "+6591110000"}, Status: ChatStatus{State: "rejected", Timestamp: ts,
						ErrorCode: CodeTemplateNotFound, ErrorMessage: "Template not found for provided name and language"}},
			},
		}},
		{"chat_batch_null_messages.json", ChatBatchResponse{
			BatchID: "7d1f3e5a-2b4c-4d6e-8f90-a1b2c3d4e5f6", AcceptedCount: 1000, Messages: []ChatResponse{},
		}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := ChatBatchResponse{Messages: make([]ChatResponse, 0, 4)}
			got.Messages = append(got.Messages, ChatResponse{UMID: "stale"}, ChatResponse{UMID: "stale"})
			if err := d.DecodeChatBatch(readTestdata(t, tt.file), &got); err != nil {
				t.Fatalf("DecodeChatBatch: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
