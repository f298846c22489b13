package envelope

import "time"

// Webhook is a body 8x8 POSTs to a webhook: an SMS or chat-apps delivery
// receipt, an inbound message, or a WhatsApp Business App echo, in the
// enveloped format
//
//	{"namespace":"SMS","eventType":"outbound_message_status_changed","description":"...","payload":{...}}
//
// (chat apps add "version": 9 on DR v9 and 3 on MO v3), or a chat-apps
// receipt in the flat Wavecell format (version 4), whose fields stand at
// the top level: see Legacy. DecodeWebhook fills it in as the JSON says;
// Kind tells what the body is, and Receipt and Inbound give the normalized
// view of each kind. Strings borrow (see the Lifetimes note on Decoder).
type Webhook struct {
	// Namespace is "namespace": NamespaceSMS or NamespaceChatApps; "" in
	// the flat format.
	Namespace string
	// EventType is "eventType": EventStatusChanged, EventInbound,
	// EventExternalApp, or EventLegacyDelivery in the flat format.
	EventType string
	// Description is "description", free text: do not branch on it.
	Description string
	// Version is "version": 9 on chat-apps DR v9, 3 on MO v3, 4 in the
	// flat format; 0 when absent (SMS, chat-apps v8 and MO v2).
	Version int
	// Payload is "payload", absent in the flat format.
	Payload WebhookPayload
	// Legacy holds the flat format's top-level fields.
	Legacy LegacyReceipt
}

// The namespaces and event types of 8x8's webhooks.
const (
	NamespaceSMS        = "SMS"
	NamespaceChatApps   = "ChatApps"
	EventStatusChanged  = "outbound_message_status_changed" // a delivery receipt
	EventInbound        = "inbound_message_received"        // an inbound (MO) message
	EventExternalApp    = "external_app_message"            // sent from the WhatsApp Business App
	EventLegacyDelivery = "outboundMessageDelivery"         // a flat (version 4) chat-apps receipt
)

// WebhookPayload is the "payload" of an enveloped webhook body: the union of
// the fields of SMS and chat-apps receipts, inbound SMS and chat messages,
// and WhatsApp Business App echoes. A field a kind does not have stays
// zero.
type WebhookPayload struct {
	UMID            string // "umid": 8x8's message id, opaque
	BatchID         string // "batchId": set for batch sends
	ClientMessageID string // "clientMessageId": the sender's reference
	ClientBatchID   string // "clientBatchId"
	SubAccountID    string // "subAccountId"
	// Source is "source": the sender ID of an SMS receipt, the sender's
	// number of an inbound SMS.
	Source string
	// Destination is "destination": the SMS receipt's recipient (E.164
	// with "+"), the inbound SMS's virtual number.
	Destination string
	Status      DLRStatus // "status" of a receipt
	Price       Price     // "price": SMS only, absent when nothing was charged
	SMSCount    int       // "smsCount": SMS segments
	Channel     string    // "channel": chat apps, e.g. "whatsapp"; compare case-insensitively
	User        EventUser // "user": chat apps
	WhatsApp    WhatsAppInfo
	// Timestamp is "timestamp" of an inbound message or echo (when it was
	// sent), in UTC.
	Timestamp   time.Time
	Type        string       // "type": chat inbound or echo content type, e.g. "Text"
	Content     EventContent // "content": chat inbound or echo
	Recipient   EventRecipient
	ReplyToUMID string // "replyToUmid": the message an inbound chat message quotes
	Body        string // "body": an inbound SMS's text
	Encoding    string // "encoding": an inbound SMS's "GSM7" or "UCS2"
}

// DLRStatus is the "status" object of a delivery receipt.
type DLRStatus struct {
	State        State     // "state"
	Detail       Detail    // "detail"
	Timestamp    time.Time // "timestamp": when 8x8 observed the status, in UTC
	ErrorCode    DLRCode   // "errorCode": set on errors
	ErrorMessage string    // "errorMessage": the reason, set on errors
}

// Price is the "price" object of an SMS receipt or inbound SMS:
// Total = PerSMS × smsCount.
type Price struct {
	Total    float64 // "total"
	PerSMS   float64 // "perSms"
	Currency string  // "currency": ISO 4217
}

// EventUser is the chat-apps "user" object of a receipt or inbound
// message.
type EventUser struct {
	// MSISDN is "msisdn" (E.164), absent when the user has no phone number
	// (LINE, WhatsApp username-only users).
	MSISDN string
	// ChannelUserID is "channelUserId": WhatsApp's BSUID, the LINE user
	// id; on v8 (and the flat format) a copy of the MSISDN's digits.
	ChannelUserID string
	Name          string // "name": inbound messages
	Username      string // "username": inbound MO v3
}

// WhatsAppInfo is the "whatsapp" object of a chat-apps receipt.
type WhatsAppInfo struct {
	ProviderErrorCode string // "providerErrorCode": Meta's code, a string, on errors
	PricingCategory   string // "pricingCategory": e.g. "utility"
}

// EventContent is the part of an inbound message's "content" the decoder
// reads; other members (payload, interactive, ...) are skipped.
type EventContent struct {
	Text     string // "text"
	URL      string // "url": media
	Location EventLocation
}

// EventLocation is "content.location" of an inbound message.
type EventLocation struct {
	Latitude  float64 // "latitude"
	Longitude float64 // "longitude"
}

// EventRecipient is "recipient" of an inbound chat message: the channel
// and the business's id on it.
type EventRecipient struct {
	Channel   string // "channel"
	ChannelID string // "channelId"
}

// LegacyReceipt is the flat (Wavecell, version 4) chat-apps receipt: its
// fields stand at the top level of the body, next to "eventType" and
// "version". Its "error", "price" and "currency" (null in every sample) are
// skipped.
type LegacyReceipt struct {
	UMID            string    // "umid"
	Channel         string    // "channel"
	User            EventUser // "user"
	Status          string    // "status": a string such as LegacyDeliveredDevice
	SubAccountID    string    // "subAccountId"
	ClientMessageID string    // "clientMessageId"
	ClientBatchID   string    // "clientBatchId"
	// Timestamp is "timestamp" as sent: the flat format's timestamps are
	// kept as text (Receipt parses them when they are RFC 3339).
	Timestamp string
}
