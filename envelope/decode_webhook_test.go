package envelope

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeWebhookReceipts(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		file string
		kind Kind
		want Receipt
	}{
		{"webhook_sms_delivered.json", KindSMSReceipt, Receipt{Format: FormatSMS,
			UMID: "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f", ClientMessageID: "otp-2026-08-01-000417", SubAccountID: "acme_otp",
			Channel: "sms", Recipient: "+6591234567", State: StateDelivered, Detail: DetailDeliveredToRecipient,
			Timestamp: ts("2026-08-01T02:14:09.88Z"), SMSCount: 2, Price: Price{Total: 0.0824, PerSMS: 0.0412, Currency: "SGD"}}},
		{"webhook_sms_undelivered.json", KindSMSReceipt, Receipt{Format: FormatSMS,
			UMID: "7a2d3b1f-0c4e-ef11-8300-0a1b2c3d4e5f", BatchID: "c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f",
			ClientMessageID: "promo-0002", ClientBatchID: "promo-2026-08-01", SubAccountID: "acme_mkt", Channel: "sms",
			Recipient: "+447700900456", State: StateUndelivered, Detail: DetailUndeliveredToRecipient,
			Timestamp: ts("2026-08-01T03:02:41.10Z"), ErrorCode: DLRSubscriberNotReachable,
			ErrorMessage: "Subscriber not reachable", SMSCount: 1}},
		{"webhook_chat_v9_read.json", KindChatReceipt, Receipt{Format: FormatChatV9,
			UMID: "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b", ClientMessageID: "order-88121-shipped", SubAccountID: "acme_wa",
			Channel: "whatsapp", Recipient: "+6598765432", State: StateRead, Timestamp: ts("2026-08-01T05:12:41.30Z")}},
		{"webhook_chat_v9_failed.json", KindChatReceipt, Receipt{Format: FormatChatV9,
			UMID: "1a7e3c9b-02d5-4f68-c2b3-4d5e6f7a8b9c", ClientMessageID: "cart-reminder-5531", SubAccountID: "acme_wa",
			Channel: "whatsapp", Recipient: "+6598765432", State: StateUndelivered, Detail: DetailRejectedByOperator,
			Timestamp: ts("2026-08-01T06:00:03.52Z"), ErrorCode: DLRWhatsAppWindowExpired,
			ErrorMessage: "Message window expired", ProviderErrorCode: "131047"}},
		{"webhook_chat_v9_outbound_content.json", KindChatReceipt, Receipt{Format: FormatChatV9,
			UMID: "2b8f4dac-13e6-4a79-93c4-5e6f7a8b9cad", BatchID: "3c9a5ebd-24f7-4b8a-a4d5-6f7a8b9cadbe",
			ClientMessageID: "ship-1", ClientBatchID: "ships-2026-08-01", SubAccountID: "acme_wa", Channel: "whatsApp",
			Recipient: "+6598765432", State: StateDelivered, Detail: DetailDeliveredToRecipient,
			Timestamp: ts("2026-08-01T05:10:00.1234567+08:00")}},
		{"webhook_chat_v8_delivered.json", KindChatReceipt, Receipt{Format: FormatChatV8,
			UMID: "4dab6fce-35a8-4c9b-b5e6-7a8b9cadbecf", ClientMessageID: "v8-0001", SubAccountID: "acme_viber",
			Channel: "viber", Recipient: "+6598765432", State: StateDelivered, Detail: DetailDeliveredToOperator,
			Timestamp: ts("2026-08-01T07:00:00Z")}},
		{"webhook_flat_v4.json", KindChatReceipt, Receipt{Format: FormatFlat,
			UMID: "17596301-26a5-e811-814f-022a22cc1c71", SubAccountID: "clientId_whatsapp", Channel: "whatsapp",
			Recipient: "+6500000000", State: StateDelivered, Detail: DetailDeliveredToRecipient,
			Timestamp: ts("2018-08-21T09:38:55Z"), LegacyStatus: LegacyDeliveredDevice}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var w Webhook
			if err := d.DecodeWebhook(readTestdata(t, tt.file), &w); err != nil {
				t.Fatal(err)
			}
			if k := w.Kind(); k != tt.kind {
				t.Errorf("Kind = %v, want %v", k, tt.kind)
			}
			got, ok := w.Receipt()
			if !ok || got != tt.want {
				t.Errorf("Receipt() = %v\n%+v\nwant %+v", ok, got, tt.want)
			}
			if _, ok := w.Inbound(); ok {
				t.Errorf("a receipt is also an Inbound")
			}
		})
	}
}

func TestDecodeWebhookInbound(t *testing.T) {
	tests := []struct {
		file string
		want Inbound
	}{
		{"webhook_sms_inbound.json", Inbound{Kind: KindSMSInbound, UMID: "5ebc70df-46b9-ef11-8300-0a1b2c3d4e5f",
			SubAccountID: "acme_hq", Channel: "sms", From: "+6591234567", To: "+6580001234", Text: "STOP été",
			Timestamp: time.Date(2026, 8, 1, 8, 0, 0, 500_000_000, time.UTC), Encoding: "UCS2", SMSCount: 1}},
		{"webhook_chat_inbound_v3.json", Inbound{Kind: KindChatInbound, UMID: "6fcd81e0-57ca-4dad-c7f8-9cadbecfd0e1",
			SubAccountID: "acme_wa", Channel: "WhatsApp", From: "+6598765432", To: "a1b2c3",
			User: EventUser{MSISDN: "+6598765432", ChannelUserID: "SG.20417755310986412233", Name: "Ann", Username: "ann.t"},
			Type: "Location", Text: "here", Timestamp: time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC),
			ReplyToUMID: "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}},
		{"webhook_chat_echo.json", Inbound{Kind: KindChatEcho, UMID: "7ade92f1-68db-4ebe-d809-adbecfd0e1f2",
			SubAccountID: "acme_wa", Channel: "whatsapp", From: "+6598765432", User: EventUser{MSISDN: "+6598765432"},
			Type: "Text", Text: "We're open till 9", Timestamp: time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var w Webhook
			if err := d.DecodeWebhook(readTestdata(t, tt.file), &w); err != nil {
				t.Fatal(err)
			}
			got, ok := w.Inbound()
			if !ok || got != tt.want {
				t.Errorf("Inbound() = %v\n%+v\nwant %+v", ok, got, tt.want)
			}
			if _, ok := w.Receipt(); ok {
				t.Errorf("an inbound message is also a Receipt")
			}
		})
	}
	var w Webhook
	if err := d.DecodeWebhook(readTestdata(t, "webhook_chat_inbound_v3.json"), &w); err != nil {
		t.Fatal(err)
	}
	if l := w.Payload.Content.Location; l.Latitude != 1.2834 || l.Longitude != 103.8607 || w.Version != 3 {
		t.Errorf("location %+v, version %d", l, w.Version)
	}
}

func TestWebhookKind(t *testing.T) {
	tests := []struct {
		ns, et string
		want   Kind
	}{
		{"SMS", EventStatusChanged, KindSMSReceipt},
		{"sms", "OUTBOUND_MESSAGE_STATUS_CHANGED", KindSMSReceipt},
		{"SMS", EventInbound, KindSMSInbound},
		{"SMS", EventExternalApp, KindUnknown},
		{"ChatApps", EventStatusChanged, KindChatReceipt},
		{"ChatApps", EventInbound, KindChatInbound},
		{"ChatApps", EventExternalApp, KindChatEcho},
		{"", EventLegacyDelivery, KindChatReceipt},
		{"SMS", EventLegacyDelivery, KindUnknown},
		{"", EventStatusChanged, KindUnknown},
		{"Voice", EventStatusChanged, KindUnknown},
		{"", "", KindUnknown},
	}
	for _, tt := range tests {
		w := Webhook{Namespace: tt.ns, EventType: tt.et}
		if got := w.Kind(); got != tt.want {
			t.Errorf("Kind(%q, %q) = %v, want %v", tt.ns, tt.et, got, tt.want)
		}
	}
}

func TestDecodeWebhookFieldErrors(t *testing.T) {
	tests := []struct {
		name, body, field string
		offset            int64
	}{
		{"payload string", `{"payload":"x"}`, "payload", 11},
		{"status string in payload", `{"payload":{"status":"sent"}}`, "payload.status", 21},
		{"errorCode fraction", `{"payload":{"status":{"errorCode":46.5}}}`, "payload.status.errorCode", 34},
		{"status timestamp", `{"payload":{"status":{"timestamp":"2026-08-01"}}}`, "payload.status.timestamp", 34},
		{"price total string", `{"payload":{"price":{"total":"0.1"}}}`, "payload.price.total", 29},
		{"price total huge", `{"payload":{"price":{"total":1e999}}}`, "payload.price.total", 29},
		{"user msisdn number", `{"payload":{"user":{"msisdn":6598765432}}}`, "payload.user.msisdn", 29},
		{"providerErrorCode number", `{"payload":{"whatsapp":{"providerErrorCode":131047}}}`, "payload.whatsapp.providerErrorCode", 44},
		{"latitude bool", `{"payload":{"content":{"location":{"latitude":true}}}}`, "payload.content.location.latitude", 46},
		{"recipient array", `{"payload":{"recipient":[]}}`, "payload.recipient", 24},
		{"flat status object", `{"status":{"state":"sent"}}`, "status", 10},
		{"flat user msisdn", `{"user":{"msisdn":1}}`, "user.msisdn", 18},
		{"version string", `{"version":"9"}`, "version", 11},
		{"smsCount phone", `{"payload":{"smsCount":6591234567.5}}`, "payload.smsCount", 23},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w Webhook
			err := d.DecodeWebhook([]byte(tt.body), &w)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("DecodeWebhook(%s) = %v, want *FieldError", tt.body, err)
			}
			if fe.Field != tt.field || fe.Offset != tt.offset {
				t.Errorf("DecodeWebhook(%s): field %q offset %d, want %q offset %d (%v)", tt.body, fe.Field, fe.Offset, tt.field, tt.offset, err)
			}
		})
	}
}

// TestWebhookErrorsQuoteNoPersonalData decodes bodies whose bad values are
// destinations or texts and checks that no error repeats them.
func TestWebhookErrorsQuoteNoPersonalData(t *testing.T) {
	secrets := []string{"6591234567", "Your code is 4411"}
	bodies := []string{
		`{"payload":{"smsCount":6591234567.5}}`,
		`{"payload":{"smsCount":65912345670000000000000}}`,
		`{"version":6591234567e3}`,
		`{"payload":{"status":{"errorCode":-6591234567.0}}}`,
		`{"payload":{"destination":6591234567}}`,
		`{"payload":{"timestamp":"6591234567"}}`,
		`{"payload":{"body":"Your code is 4411" "x"}}`,
		`{"payload":{"content":{"text":["Your code is 4411"]}}}`,
		`{"payload":{"price":{"total":6591234567e400}}}`,
		`{"payload":{"body":"Your code is 4411\x"}}`,
	}
	var d Decoder
	for _, b := range bodies {
		var w Webhook
		err := d.DecodeWebhook([]byte(b), &w)
		if err == nil {
			t.Fatalf("DecodeWebhook(%s) = nil, want an error", b)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) || strings.Contains(err.Error(), "659123") {
				t.Errorf("DecodeWebhook(%s): error %q repeats %q", b, err, s)
			}
		}
	}
}

func TestDecodeWebhookNullsAndDuplicates(t *testing.T) {
	body := `{"payload":{"umid":"a","status":{"state":"sent","errorCode":5}},"PAYLOAD":{"status":{"state":null,"detail":"d"}},
		"payload":null,"namespace":"SMS","namespace":null,"eventType":"x","eventtype":"outbound_message_status_changed"}`
	var d Decoder
	var w Webhook
	if err := d.DecodeWebhook([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	s := w.Payload.Status
	if w.Payload.UMID != "a" || s.State != StateSent || s.Detail != "d" || s.ErrorCode != 5 || w.Namespace != "SMS" ||
		w.Kind() != KindSMSReceipt {
		t.Errorf("got %+v", w)
	}
}
