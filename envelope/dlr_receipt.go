package envelope

import (
	"strings"
	"time"
)

// Kind is what a webhook body is, from its namespace and eventType (the
// only fields 8x8 says to branch on; a single SMS webhook gets both
// receipts and inbound SMS).
type Kind uint8

// The kinds of webhook bodies.
const (
	// KindUnknown: a namespace or eventType 8x8 does not document (or none).
	KindUnknown Kind = iota
	// KindSMSReceipt: namespace SMS, eventType outbound_message_status_changed.
	KindSMSReceipt
	// KindChatReceipt: namespace ChatApps, eventType
	// outbound_message_status_changed (v9 with version 9, v8 without), or
	// the flat format (no namespace, eventType outboundMessageDelivery).
	KindChatReceipt
	// KindSMSInbound: namespace SMS, eventType inbound_message_received.
	KindSMSInbound
	// KindChatInbound: namespace ChatApps, eventType inbound_message_received.
	KindChatInbound
	// KindChatEcho: namespace ChatApps, eventType external_app_message: a
	// message the business sent from the WhatsApp Business App. It is not
	// a receipt.
	KindChatEcho
)

var kindNames = [...]string{"unknown", "sms-receipt", "chat-receipt", "sms-inbound", "chat-inbound", "chat-echo"}

// String returns "unknown", "sms-receipt", "chat-receipt", "sms-inbound",
// "chat-inbound" or "chat-echo".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Kind tells what w is. Namespace and eventType are compared ignoring
// case.
func (w *Webhook) Kind() Kind {
	ns, et := w.Namespace, w.EventType
	switch {
	case strings.EqualFold(ns, NamespaceSMS):
		switch {
		case strings.EqualFold(et, EventStatusChanged):
			return KindSMSReceipt
		case strings.EqualFold(et, EventInbound):
			return KindSMSInbound
		}
	case strings.EqualFold(ns, NamespaceChatApps):
		switch {
		case strings.EqualFold(et, EventStatusChanged):
			return KindChatReceipt
		case strings.EqualFold(et, EventInbound):
			return KindChatInbound
		case strings.EqualFold(et, EventExternalApp):
			return KindChatEcho
		}
	case ns == "" && strings.EqualFold(et, EventLegacyDelivery):
		return KindChatReceipt
	}
	return KindUnknown
}

// Format is the layout a receipt came in.
type Format uint8

// The receipt formats.
const (
	FormatSMS    Format = iota + 1 // SMS DLR (not versioned)
	FormatChatV9                   // chat apps DR v9 ("version": 9)
	FormatChatV8                   // chat apps DR v8 (no version)
	FormatFlat                     // the flat Wavecell format ("version": 4)
)

// String returns "sms", "chat-v9", "chat-v8", "flat", or "" for zero.
func (f Format) String() string {
	switch f {
	case FormatSMS:
		return "sms"
	case FormatChatV9:
		return "chat-v9"
	case FormatChatV8:
		return "chat-v8"
	case FormatFlat:
		return "flat"
	}
	return ""
}

// Receipt is a delivery receipt in one shape whatever format it came in.
// Its strings borrow like the Webhook's.
type Receipt struct {
	Format          Format
	UMID            string
	BatchID         string // "" in the flat format
	ClientMessageID string
	ClientBatchID   string
	SubAccountID    string
	// Channel is "sms" for SMS receipts, else the chat-apps channel as
	// sent ("whatsapp", "viber", "sms" for a fallback step, ...).
	Channel string
	// Recipient is the SMS destination, or the chat user's MSISDN, or,
	// when there is none, the channel user id.
	Recipient         string
	State             State
	Detail            Detail
	Timestamp         time.Time // when 8x8 observed the status; zero if absent or unparsable
	ErrorCode         DLRCode
	ErrorMessage      string
	ProviderErrorCode string // WhatsApp: Meta's code
	SMSCount          int    // SMS only
	Price             Price  // SMS only
	// LegacyStatus is the flat format's status string (State and Detail
	// are mapped from it by LegacyState); "" otherwise.
	LegacyStatus string
}

// Rank is Rank(r.State, r.Detail).
func (r *Receipt) Rank() int { return Rank(r.State, r.Detail) }

// Final is Final(r.State, r.Detail).
func (r *Receipt) Final() bool { return Final(r.State, r.Detail) }

// Hint is the hint of the receipt's error code for its namespace:
// ErrorCode.Hint for SMS, ErrorCode.ChatHint for chat apps, and
// HintUnclear when the receipt has no error code (0 is "no reason code"
// in the SMS table, but 8x8 sends errorCode on errors only, so a receipt
// that is not Failed gets HintUnclear).
func (r *Receipt) Hint() Hint {
	if !Failed(r.State) {
		return HintUnclear
	}
	if r.Format == FormatSMS {
		return r.ErrorCode.Hint()
	}
	return r.ErrorCode.ChatHint()
}

// Receipt returns w as a Receipt, and false when w is not a receipt
// (Kind is neither KindSMSReceipt nor KindChatReceipt).
func (w *Webhook) Receipt() (Receipt, bool) {
	var r Receipt
	p := &w.Payload
	switch w.Kind() {
	case KindSMSReceipt:
		r.Format = FormatSMS
		r.Channel = "sms"
		r.Recipient = p.Destination
		r.SMSCount = p.SMSCount
		r.Price = p.Price
	case KindChatReceipt:
		if w.Namespace == "" {
			l := &w.Legacy
			r.Format = FormatFlat
			r.UMID, r.ClientMessageID, r.ClientBatchID = l.UMID, l.ClientMessageID, l.ClientBatchID
			r.SubAccountID, r.Channel = l.SubAccountID, l.Channel
			r.Recipient = userRecipient(&l.User)
			r.LegacyStatus = l.Status
			r.State, r.Detail = LegacyState(l.Status)
			r.Timestamp, _ = parseTime(l.Timestamp)
			return r, true
		}
		r.Format = FormatChatV8
		if w.Version >= 9 {
			r.Format = FormatChatV9
		}
		r.Channel = p.Channel
		r.Recipient = userRecipient(&p.User)
		r.ProviderErrorCode = p.WhatsApp.ProviderErrorCode
	default:
		return r, false
	}
	r.UMID, r.BatchID, r.ClientMessageID, r.ClientBatchID = p.UMID, p.BatchID, p.ClientMessageID, p.ClientBatchID
	r.SubAccountID = p.SubAccountID
	r.State, r.Detail, r.Timestamp = p.Status.State, p.Status.Detail, p.Status.Timestamp
	r.ErrorCode, r.ErrorMessage = p.Status.ErrorCode, p.Status.ErrorMessage
	return r, true
}

func userRecipient(u *EventUser) string {
	if u.MSISDN != "" {
		return u.MSISDN
	}
	return u.ChannelUserID
}

// Inbound is an inbound message (or a WhatsApp Business App echo) in one
// shape for SMS and chat apps. Its strings borrow like the Webhook's.
type Inbound struct {
	Kind         Kind // KindSMSInbound, KindChatInbound or KindChatEcho
	UMID         string
	SubAccountID string
	// Channel is "sms" for inbound SMS, else the chat-apps channel
	// (recipient.channel, or channel on an echo).
	Channel string
	// From is the sender: the SMS source number, the chat user's MSISDN
	// or, when there is none, the channel user id. On an echo, the user
	// the business wrote to.
	From string
	// To is the business's number or channel id: the SMS destination (the
	// virtual number), recipient.channelId for chat apps.
	To          string
	User        EventUser // chat apps
	Type        string    // chat apps content type, e.g. "Text"; "" for SMS
	Text        string    // the SMS body or content.text
	URL         string    // content.url (media)
	Timestamp   time.Time
	ReplyToUMID string
	Encoding    string // SMS
	SMSCount    int    // SMS
}

// Inbound returns w as an Inbound, and false when w is not an inbound
// message or echo.
func (w *Webhook) Inbound() (Inbound, bool) {
	p := &w.Payload
	m := Inbound{Kind: w.Kind(), UMID: p.UMID, SubAccountID: p.SubAccountID, Timestamp: p.Timestamp}
	switch m.Kind {
	case KindSMSInbound:
		m.Channel, m.From, m.To = "sms", p.Source, p.Destination
		m.Text, m.Encoding, m.SMSCount = p.Body, p.Encoding, p.SMSCount
	case KindChatInbound, KindChatEcho:
		m.Channel = p.Recipient.Channel
		if m.Channel == "" {
			m.Channel = p.Channel
		}
		m.From, m.To, m.User = userRecipient(&p.User), p.Recipient.ChannelID, p.User
		m.Type, m.Text, m.URL, m.ReplyToUMID = p.Type, p.Content.Text, p.Content.URL, p.ReplyToUMID
	default:
		return Inbound{}, false
	}
	return m, true
}
