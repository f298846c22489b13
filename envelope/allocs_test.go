package envelope

import (
	"strconv"
	"strings"
	"testing"
)

// batchBody returns a batch response body with n items, every third one
// rejected; chat selects the chat-apps shape.
func batchBody(n int, chat bool) []byte {
	var b strings.Builder
	b.WriteString(`{"batchId":"c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientBatchId":"promo-2026-08-01","acceptedCount":`)
	b.WriteString(strconv.Itoa(n - n/3))
	b.WriteString(`,"rejectedCount":`)
	b.WriteString(strconv.Itoa(n / 3))
	b.WriteString(`,"messages":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(1000 + i)
		if chat {
			b.WriteString(`{"umid":"8e2a4f6b-3c5d-4e7f-9a01-b2c3d4e5` + id + `a7","user":{"msisdn":"+659876` + id + `"},"clientMessageId":"n-` + id + `",`)
			if i%3 == 2 {
				b.WriteString(`"status":{"state":"rejected","timestamp":"2026-08-01T02:25:00.1234567+00:00","errorCode":3038,"errorMessage":"Template \"order_shipped\" not found"}}`)
			} else {
				b.WriteString(`"status":{"state":"queued","timestamp":"2026-08-01T02:25:00.12Z"}}`)
			}
			continue
		}
		b.WriteString(`{"umid":"c51e08b2-7a3d-ef11-8300-0a1b2c3d` + id + `ef","clientMessageId":"promo-` + id + `","destination":"4477009` + id + `","encoding":"GSM7",`)
		if i%3 == 2 {
			b.WriteString(`"status":{"code":"REJECTED","description":"Invalid MSISDN format (not E.164 international number)"}}`)
		} else {
			b.WriteString(`"status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`)
		}
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func TestDecodeAllocs(t *testing.T) {
	var d Decoder
	var e Error
	var s SMSResponse
	var b BatchResponse
	var c ChatResponse
	var cb ChatBatchResponse
	decErr := func(body []byte) error { return d.DecodeError(body, &e) }
	decSMS := func(body []byte) error { return d.DecodeSMS(body, &s) }
	decBatch := func(body []byte) error { return d.DecodeBatch(body, &b) }
	decChat := func(body []byte) error { return d.DecodeChat(body, &c) }
	decChatBatch := func(body []byte) error { return d.DecodeChatBatch(body, &cb) }
	tests := []struct {
		name string
		body []byte
		fn   func([]byte) error
	}{
		{"error", readTestdata(t, "error_1002.json"), decErr},
		{"error-escaped", readTestdata(t, "error_escaped.json"), decErr},
		{"error-offset", readTestdata(t, "error_429.json"), decErr},
		{"error-invalid-utf8", []byte("{\"code\":1000,\"message\":\"bad \xff byte\"}"), decErr},
		{"sms", readTestdata(t, "sms_queued.json"), decSMS},
		{"sms-escaped", readTestdata(t, "sms_reordered.json"), decSMS},
		{"batch", readTestdata(t, "batch_messages.json"), decBatch},
		{"batch100", batchBody(100, false), decBatch},
		{"chat", readTestdata(t, "chat_rejected.json"), decChat},
		{"chat-batch", readTestdata(t, "chat_batch.json"), decChatBatch},
		{"chat-batch100", batchBody(100, true), decChatBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fn(tt.body); err != nil { // the first call may grow buffers
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				if err := tt.fn(tt.body); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s: %v allocs per decode, want 0", tt.name, allocs)
			}
		})
	}
	// The 100-item batches really were decoded.
	if len(b.Messages) != 100 || len(cb.Messages) != 100 || cb.Messages[2].Status.ErrorCode != CodeTemplateNotFound {
		t.Errorf("batch100: %d items, chat-batch100: %d items", len(b.Messages), len(cb.Messages))
	}
}
