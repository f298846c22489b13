package bench

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

// Tagged mirrors of the request types for encoding/json, with omitempty /
// omitzero so that both encoders write the same members.
type (
	jSMSRequest struct {
		Destination     string    `json:"destination"`
		Country         string    `json:"country,omitempty"`
		Source          string    `json:"source,omitempty"`
		ClientMessageID string    `json:"clientMessageId,omitempty"`
		Text            string    `json:"text,omitempty"`
		Encoding        string    `json:"encoding,omitempty"`
		Scheduled       time.Time `json:"scheduled,omitzero"`
		Expiry          time.Time `json:"expiry,omitzero"`
		DLRCallbackURL  string    `json:"dlrCallbackUrl,omitempty"`
		ClientIP        string    `json:"clientIp,omitempty"`
		Track           string    `json:"track,omitempty"`
	}
	jSMSTemplate struct {
		Text     string `json:"text,omitempty"`
		Source   string `json:"source,omitempty"`
		Encoding string `json:"encoding,omitempty"`
	}
	jBatchRequest struct {
		ClientBatchID             string        `json:"clientBatchId,omitempty"`
		Template                  *jSMSTemplate `json:"template,omitempty"`
		Messages                  []jSMSRequest `json:"messages,omitempty"`
		IncludeMessagesInResponse bool          `json:"includeMessagesInResponse,omitempty"`
	}
	jReqUser struct {
		MSISDN string `json:"msisdn,omitempty"`
	}
	jChatSMS struct {
		Encoding string `json:"encoding,omitempty"`
		Source   string `json:"source,omitempty"`
	}
	jChatParam struct {
		Type string `json:"type"`
		Text string `json:"text,omitempty"`
	}
	jChatComponent struct {
		Type       string       `json:"type"`
		Parameters []jChatParam `json:"parameters,omitempty"`
	}
	jChatTemplate struct {
		Name       string           `json:"name"`
		Language   string           `json:"language,omitempty"`
		Components []jChatComponent `json:"components,omitempty"`
	}
	jChatContent struct {
		FallbackText string         `json:"fallbackText,omitempty"`
		SMS          *jChatSMS      `json:"sms,omitempty"`
		Template     *jChatTemplate `json:"template,omitempty"`
	}
	jChannel struct {
		Channel       string `json:"channel"`
		FallbackAfter int    `json:"fallbackAfter,omitempty"`
		SuccessStatus string `json:"successStatus,omitempty"`
	}
	jChatRequest struct {
		User            jReqUser     `json:"user"`
		ClientMessageID string       `json:"clientMessageId,omitempty"`
		Type            string       `json:"type,omitempty"`
		Content         jChatContent `json:"content"`
		Channels        []jChannel   `json:"channels,omitempty"`
	}
	jChatBatchRequest struct {
		ClientBatchID             string         `json:"clientBatchId,omitempty"`
		Messages                  []jChatRequest `json:"messages"`
		IncludeMessagesInResponse bool           `json:"includeMessagesInResponse,omitempty"`
	}
)

var expiry = time.Date(2026, 8, 1, 10, 15, 0, 0, time.FixedZone("SGT", 8*3600))

func smsRequest(i int) envelope.SMSRequest {
	return envelope.SMSRequest{Destination: "+65912" + strconv.Itoa(10000+i), Source: "AcmeBank",
		ClientMessageID: "otp-7f3c2a9e-" + strconv.Itoa(i), Text: "Your one-time code is 482913. It expires in 5 minutes.",
		Encoding: "AUTO", Expiry: expiry, DLRCallbackURL: "https://hooks.acme.example/8x8/dlr", Track: "Outcome"}
}

func jsmsRequest(r envelope.SMSRequest) jSMSRequest {
	return jSMSRequest{Destination: r.Destination, Source: r.Source, ClientMessageID: r.ClientMessageID, Text: r.Text,
		Encoding: r.Encoding, Expiry: r.Expiry, DLRCallbackURL: r.DLRCallbackURL, Track: r.Track}
}

func chatRequest(i int) envelope.ChatRequest {
	return envelope.ChatRequest{User: envelope.ChatUser{MSISDN: "+659876" + strconv.Itoa(10000+i)},
		ClientMessageID: "order-" + strconv.Itoa(i), Type: "template",
		Content: envelope.ChatContent{FallbackText: "Hi Mei Ling, order 88121 has shipped.", SMSEncoding: "AUTO", SMSSource: "AcmeShop",
			Template: &envelope.ChatTemplate{Name: "order_shipped", Language: "en", Components: []envelope.ChatTemplateComponent{
				{Type: "body", Parameters: []envelope.ChatTemplateParameter{{Type: "text", Text: "Mei Ling"}, {Type: "text", Text: "88121"}}}}}},
		Channels: []envelope.ChatChannel{{Channel: "WhatsApp", FallbackAfter: 900, SuccessStatus: "Delivered"}, {Channel: "SMS"}}}
}

func jchatRequest(r envelope.ChatRequest) jChatRequest {
	t := r.Content.Template
	comps := make([]jChatComponent, len(t.Components))
	for i, c := range t.Components {
		comps[i] = jChatComponent{Type: c.Type}
		for _, p := range c.Parameters {
			comps[i].Parameters = append(comps[i].Parameters, jChatParam{Type: p.Type, Text: p.Text})
		}
	}
	chans := make([]jChannel, len(r.Channels))
	for i, c := range r.Channels {
		chans[i] = jChannel(c)
	}
	return jChatRequest{User: jReqUser{MSISDN: r.User.MSISDN}, ClientMessageID: r.ClientMessageID, Type: r.Type,
		Content: jChatContent{FallbackText: r.Content.FallbackText, SMS: &jChatSMS{Encoding: r.Content.SMSEncoding, Source: r.Content.SMSSource},
			Template: &jChatTemplate{Name: t.Name, Language: t.Language, Components: comps}}, Channels: chans}
}

type encodeCase struct {
	name     string
	octosend func(dst []byte) []byte
	std      any // the encoding/json mirror
}

func encodeCases() []encodeCase {
	sms := smsRequest(0)
	batch := envelope.BatchRequest{ClientBatchID: "promo-2026-08-01",
		Template: envelope.SMSTemplate{Source: "AcmeShop", Text: "Flash sale today only!"}, IncludeMessagesInResponse: true}
	jbatch := jBatchRequest{ClientBatchID: batch.ClientBatchID, Template: &jSMSTemplate{Source: "AcmeShop", Text: "Flash sale today only!"},
		IncludeMessagesInResponse: true}
	for i := range 100 {
		batch.Messages = append(batch.Messages, smsRequest(i))
		jbatch.Messages = append(jbatch.Messages, jsmsRequest(batch.Messages[i]))
	}
	chat := chatRequest(0)
	cb := envelope.ChatBatchRequest{ClientBatchID: "ship-notices-0801"}
	jcb := jChatBatchRequest{ClientBatchID: cb.ClientBatchID}
	for i := range 100 {
		cb.Messages = append(cb.Messages, chatRequest(i))
		jcb.Messages = append(jcb.Messages, jchatRequest(cb.Messages[i]))
	}
	return []encodeCase{
		{"sms", func(dst []byte) []byte { return envelope.AppendSMSRequest(dst, &sms) }, jsmsRequest(sms)},
		{"batch100", func(dst []byte) []byte { return envelope.AppendBatchRequest(dst, &batch) }, jbatch},
		{"chat", func(dst []byte) []byte { return envelope.AppendChatRequest(dst, &chat) }, jchatRequest(chat)},
		{"chat-batch100", func(dst []byte) []byte { return envelope.AppendChatBatchRequest(dst, &cb) }, jcb},
	}
}

// TestEncodersAgree checks that both encoders write the same JSON, so that
// the benchmark compares equal work.
func TestEncodersAgree(t *testing.T) {
	for _, c := range encodeCases() {
		want, err := json.Marshal(c.std)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.octosend(nil); string(got) != string(want) {
			t.Errorf("%s:\noctosend      %s\nencoding/json %s", c.name, got, want)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range encodeCases() {
		b.Run(c.name, func(b *testing.B) {
			size := len(c.octosend(nil))
			b.Run("octosend", func(b *testing.B) {
				buf := make([]byte, 0, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					buf = c.octosend(buf[:0])
				}
			})
			b.Run("encoding-json", func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := json.Marshal(c.std); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
