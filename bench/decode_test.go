package bench

import (
	"reflect"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

type kind int

const (
	kindError kind = iota
	kindSMS
	kindBatch
	kindChat
	kindChatBatch
)

type payload struct {
	name string
	kind kind
	body []byte
}

var payloads = []payload{
	{"error", kindError, []byte(errorBody)},
	{"error-escaped", kindError, []byte(errorEscapedBody)},
	{"sms", kindSMS, []byte(smsBody)},
	{"batch100", kindBatch, []byte(batchBody(100))},
	{"chat", kindChat, []byte(chatBody)},
	{"chat-batch100", kindChatBatch, []byte(chatBatchBody(100))},
}

// task returns a function that decodes p's body with d into a result it
// keeps, and a function that returns that result (normalised for
// comparison: timestamps in UTC).
func task(p payload, d decoder) (run func() error, result func() any) {
	switch p.kind {
	case kindError:
		var e envelope.Error
		return func() error { return d.Error(p.body, &e) },
			func() any { c := e; c.Timestamp = c.Timestamp.UTC(); return c }
	case kindSMS:
		var r envelope.SMSResponse
		return func() error { return d.SMS(p.body, &r) }, func() any { return r }
	case kindBatch:
		var r envelope.BatchResponse
		return func() error { return d.Batch(p.body, &r) }, func() any { return r }
	case kindChat:
		var r envelope.ChatResponse
		return func() error { return d.Chat(p.body, &r) },
			func() any { c := r; c.Status.Timestamp = c.Status.Timestamp.UTC(); return c }
	default:
		var r envelope.ChatBatchResponse
		return func() error { return d.ChatBatch(p.body, &r) },
			func() any {
				c := r
				c.Messages = append([]envelope.ChatResponse(nil), r.Messages...)
				for i := range c.Messages {
					c.Messages[i].Status.Timestamp = c.Messages[i].Status.Timestamp.UTC()
				}
				return c
			}
	}
}

// TestPeersAgree checks that every implementation the benchmarks time does
// the whole task: its result equals envelope's, field for field.
func TestPeersAgree(t *testing.T) {
	for _, p := range payloads {
		run, result := task(p, &octosend{})
		if err := run(); err != nil {
			t.Fatalf("%s: octosend: %v", p.name, err)
		}
		want := result()
		if reflect.ValueOf(want).IsZero() {
			t.Fatalf("%s: empty result", p.name)
		}
		for _, im := range impls[1:] {
			run, result := task(p, im.new())
			for range 2 { // twice: reused state must not leak
				if err := run(); err != nil {
					t.Errorf("%s/%s: %v", p.name, im.name, err)
				}
			}
			if got := result(); !reflect.DeepEqual(got, want) {
				t.Errorf("%s/%s: %v\ngot  %+v\nwant %+v", p.name, im.name, errMismatch, got, want)
			}
		}
	}
	// Spot-check that the payloads carry what the task says.
	var d envelope.Decoder
	var cb envelope.ChatBatchResponse
	if err := d.DecodeChatBatch(payloads[5].body, &cb); err != nil || len(cb.Messages) != 100 ||
		cb.Messages[2].Status.Timestamp != time.Date(2026, 8, 1, 2, 25, 0, 123456700, time.UTC) {
		t.Errorf("chat-batch100 payload: %v, %d items", err, len(cb.Messages))
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, p := range payloads {
		b.Run(p.name, func(b *testing.B) {
			for _, im := range impls {
				b.Run(im.name, func(b *testing.B) {
					run, _ := task(p, im.new())
					if err := run(); err != nil {
						b.Fatal(err)
					}
					b.SetBytes(int64(len(p.body)))
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						if err := run(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
