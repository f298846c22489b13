package envelope

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzDecodeWebhook checks DecodeWebhook against json.Unmarshal into
// refWebhook, with the rules of fuzz_decode_test.go: the same syntax
// errors, a *FieldError wherever encoding/json fails on a valid body (or a
// documented strictness: timestamps), and equal fields when both accept.
// Floats are compared bit for bit (so -0 stays -0).

type refEventUser struct {
	MSISDN        string `json:"msisdn"`
	ChannelUserID string `json:"channelUserId"`
	Name          string `json:"name"`
	Username      string `json:"username"`
}

type refPayload struct {
	UMID            string `json:"umid"`
	BatchID         string `json:"batchId"`
	ClientMessageID string `json:"clientMessageId"`
	ClientBatchID   string `json:"clientBatchId"`
	SubAccountID    string `json:"subAccountId"`
	Source          string `json:"source"`
	Destination     string `json:"destination"`
	Status          struct {
		State        string `json:"state"`
		Detail       string `json:"detail"`
		Timestamp    string `json:"timestamp"`
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"status"`
	Price struct {
		Total    float64 `json:"total"`
		PerSMS   float64 `json:"perSms"`
		Currency string  `json:"currency"`
	} `json:"price"`
	SMSCount int          `json:"smsCount"`
	Channel  string       `json:"channel"`
	User     refEventUser `json:"user"`
	WhatsApp struct {
		ProviderErrorCode string `json:"providerErrorCode"`
		PricingCategory   string `json:"pricingCategory"`
	} `json:"whatsapp"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Content   struct {
		Text     string `json:"text"`
		URL      string `json:"url"`
		Location struct {
			Latitude  float64 `json:"latitude"`
			Longitude float64 `json:"longitude"`
		} `json:"location"`
	} `json:"content"`
	Recipient struct {
		Channel   string `json:"channel"`
		ChannelID string `json:"channelId"`
	} `json:"recipient"`
	ReplyToUMID string `json:"replyToUmid"`
	Body        string `json:"body"`
	Encoding    string `json:"encoding"`
}

type refWebhook struct {
	Namespace       string       `json:"namespace"`
	EventType       string       `json:"eventType"`
	Description     string       `json:"description"`
	Version         int          `json:"version"`
	Payload         refPayload   `json:"payload"`
	UMID            string       `json:"umid"`
	Channel         string       `json:"channel"`
	User            refEventUser `json:"user"`
	Status          string       `json:"status"`
	SubAccountID    string       `json:"subAccountId"`
	ClientMessageID string       `json:"clientMessageId"`
	ClientBatchID   string       `json:"clientBatchId"`
	Timestamp       string       `json:"timestamp"`
}

func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

func checkWebhook(t *testing.T, got *Webhook, ref *refWebhook) {
	t.Helper()
	p, rp := &got.Payload, &ref.Payload
	l := &got.Legacy
	ok := got.Namespace == ref.Namespace && got.EventType == ref.EventType &&
		got.Description == ref.Description && got.Version == ref.Version &&
		l.UMID == ref.UMID && l.Channel == ref.Channel && l.User == EventUser(ref.User) &&
		l.Status == ref.Status && l.SubAccountID == ref.SubAccountID &&
		l.ClientMessageID == ref.ClientMessageID && l.ClientBatchID == ref.ClientBatchID &&
		l.Timestamp == ref.Timestamp &&
		p.UMID == rp.UMID && p.BatchID == rp.BatchID && p.ClientMessageID == rp.ClientMessageID &&
		p.ClientBatchID == rp.ClientBatchID && p.SubAccountID == rp.SubAccountID &&
		p.Source == rp.Source && p.Destination == rp.Destination &&
		string(p.Status.State) == rp.Status.State && string(p.Status.Detail) == rp.Status.Detail &&
		p.Status.ErrorCode == DLRCode(rp.Status.ErrorCode) && p.Status.ErrorMessage == rp.Status.ErrorMessage &&
		sameFloat(p.Price.Total, rp.Price.Total) && sameFloat(p.Price.PerSMS, rp.Price.PerSMS) &&
		p.Price.Currency == rp.Price.Currency && p.SMSCount == rp.SMSCount && p.Channel == rp.Channel &&
		p.User == EventUser(rp.User) && p.WhatsApp == WhatsAppInfo(rp.WhatsApp) && p.Type == rp.Type &&
		p.Content.Text == rp.Content.Text && p.Content.URL == rp.Content.URL &&
		sameFloat(p.Content.Location.Latitude, rp.Content.Location.Latitude) &&
		sameFloat(p.Content.Location.Longitude, rp.Content.Location.Longitude) &&
		p.Recipient == EventRecipient(rp.Recipient) && p.ReplyToUMID == rp.ReplyToUMID &&
		p.Body == rp.Body && p.Encoding == rp.Encoding
	if !ok {
		t.Fatalf("got  %#v\nwant %#v", *got, *ref)
	}
	checkTime(t, "payload.status.timestamp", p.Status.Timestamp, rp.Status.Timestamp)
	checkTime(t, "payload.timestamp", p.Timestamp, rp.Timestamp)
}

func FuzzDecodeWebhook(f *testing.F) {
	seedBodies(f, "webhook")
	for _, s := range []string{
		`{"payload":{"price":{"total":-0,"perSms":1e-400,"currency":"X"},"Price":{"TOTAL":1.5e300}}}`,
		`{"payload":{"price":{"total":1e309}}}`, `{"payload":{"content":{"location":{"latitude":"1"}}}}`,
		`{"payload":{"whatsapp":{"PROVIDERERRORCODE":"1","providerErrorCode":null}},"payload":{"status":{"errorCode":3.0}}}`,
		`{"status":{"state":"x"},"user":null,"payload":null,"version":4.5}`,
		`{"payload":{"status":{"timestamp":"2026-08-01T02:14:09.88"}}}`,
		`{"payload":{"smsCount":65912345670.5}}`,
	} {
		f.Add([]byte(s))
	}
	var d Decoder
	place := guarded(f) // the body ends at an unreadable page
	f.Fuzz(func(t *testing.T, body []byte) {
		body = place(body)
		var got Webhook
		err := d.DecodeWebhook(body, &got)
		var ref refWebhook
		if checkErrors(t, body, err, json.Unmarshal(body, &ref)) {
			checkWebhook(t, &got, &ref)
		}
		// Whatever the body, the views do not panic and agree with Kind.
		r, isReceipt := got.Receipt()
		in, isInbound := got.Inbound()
		k := got.Kind()
		if isReceipt != (k == KindSMSReceipt || k == KindChatReceipt) || isInbound != (in.Kind != KindUnknown) ||
			(isReceipt && isInbound) {
			t.Fatalf("kind %v: receipt %v (%v), inbound %v", k, isReceipt, r.Format, isInbound)
		}
	})
}
