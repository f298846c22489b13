package client

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/redact"
)

// Limits of the API that the client checks before any network call, or
// that shape requests.
const (
	MaxSMSClientMessageID  = 350    // runes in an SMS clientMessageId
	MaxChatClientMessageID = 50     // runes in a chat-apps clientMessageId
	MaxSMSBatch            = 10_000 // messages per SMS batch request; larger batches are split
	MaxChatBatch           = 1_000  // messages per chat-apps batch request; larger batches are split
	MaxSMSClientBatchID    = 20     // runes in an SMS clientBatchId
	MaxChatClientBatchID   = 100    // runes in a chat-apps clientBatchId
)

// SMS is one text message. Destination and Text are required.
type SMS struct {
	Destination string // E.164, with or without "+"; a national number with Country
	Text        string
	Source      string // sender id
	// ClientMessageID is the caller's reference, echoed in responses and
	// delivery receipts; at most 350 runes. Empty means the client mints a
	// UUID. Every attempt of the message carries the same value.
	ClientMessageID string
	Encoding        string    // "AUTO" (default), "GSM7", "UCS2"
	Country         string    // ISO 3166-1 alpha-2, for national numbers
	Scheduled       time.Time // zero = now
	Expiry          time.Time // zero = none
	DLRCallbackURL  string
	ClientIP        string
	Track           string // "None" or "Outcome"
}

// Batch is a batch of SMS. Either Messages (personalised: each message
// holds what differs from Template) or Destinations (the same Template to
// every number) must be set; when both are, Messages wins. Batches larger
// than MaxSMSBatch are split into several requests.
type Batch struct {
	ClientBatchID string // at most 20 characters; sent with every chunk
	Template      SMSTemplate
	Messages      []SMS
	Destinations  []string
	ClientIP      string
}

// SMSTemplate holds the defaults a batch shares.
type SMSTemplate struct {
	Text, Source, Encoding string
	Scheduled, Expiry      time.Time
	DLRCallbackURL         string
}

// Types of the Messaging Apps request, shared with the wire format.
type (
	ChatUser              = envelope.ChatUser
	ChatContent           = envelope.ChatContent
	ChatChannel           = envelope.ChatChannel
	ChatTemplate          = envelope.ChatTemplate
	ChatTemplateComponent = envelope.ChatTemplateComponent
	ChatTemplateParameter = envelope.ChatTemplateParameter
	ChatTemplateCard      = envelope.ChatTemplateCard
	ChatContext           = envelope.ChatContext
	ChatInteractive       = envelope.ChatInteractive
	ChatInteractiveHeader = envelope.ChatInteractiveHeader
	ChatMedia             = envelope.ChatMedia
	ChatInteractiveAction = envelope.ChatInteractiveAction
	ChatReplyButton       = envelope.ChatReplyButton
	ChatSection           = envelope.ChatSection
	ChatSectionRow        = envelope.ChatSectionRow
	ChatActionParameters  = envelope.ChatActionParameters
	ChatLocation          = envelope.ChatLocation
	ChatFlowData          = envelope.ChatFlowData
)

// Chat is one Messaging Apps message. User (one of its ids) is required;
// Type defaults to "text", which requires Content.Text.
type Chat struct {
	User ChatUser
	// ClientMessageID is the caller's reference; at most 50 runes. Empty
	// means the client mints a UUID.
	ClientMessageID string
	Type            string // "text" (default), "image", "template", ...
	Content         ChatContent
	Scheduled       time.Time
	Expiry          time.Time
	DLRCallbackURL  string
	Channels        []ChatChannel
	// Context makes the message a quoted reply to an earlier message
	// (WhatsApp, up to 7 days old): Context.UMID is that message's umid,
	// a Result.UMID or an inbound message's. Zero = not a reply.
	Context ChatContext
}

// ChatBatch is a batch of Messaging Apps messages. Batches larger than
// MaxChatBatch are split into several requests.
type ChatBatch struct {
	ClientBatchID string // at most 100 characters; sent with every chunk
	Messages      []Chat
}

// Result is the outcome of a successful single send.
type Result struct {
	UMID            string // the id 8x8 gave the message
	ClientMessageID string // the caller's or the minted clientMessageId
	Status          string // "QUEUED" (SMS) or "queued" (chat); an open set
	Description     string // the status description or detail
	Attempts        int    // HTTP attempts made
	// Ambiguous reports that an earlier attempt (a timeout, a reset or a
	// 5xx after the request was written) may already have been accepted:
	// the message may be delivered twice. Reconcile by ClientMessageID.
	Ambiguous  bool
	HTTPStatus int // status of the final response
}

// MessageState is the one outcome of a message in a batch.
type MessageState uint8

// The states of a batch message.
const (
	// StateAccepted: 8x8 accepted the message (QUEUED or similar).
	StateAccepted MessageState = iota + 1
	// StateRejected: 8x8 answered 200 but refused the message
	// (REJECTED): permanent; Err matches ErrRejected.
	StateRejected
	// StateFailed: the request carrying the message failed as a whole;
	// Err is that request's error.
	StateFailed
	// StateUnknown: the 200 response did not report on the message; Err
	// matches ErrNoMessageStatus.
	StateUnknown
)

// String returns "accepted", "rejected", "failed" or "unknown".
func (s MessageState) String() string {
	switch s {
	case StateAccepted:
		return "accepted"
	case StateRejected:
		return "rejected"
	case StateFailed:
		return "failed"
	case StateUnknown:
		return "unknown"
	}
	return "MessageState(" + strconv.Itoa(int(s)) + ")"
}

// MessageResult is the outcome of one message of a batch.
type MessageResult struct {
	ClientMessageID string
	State           MessageState
	UMID            string // set when 8x8 reported the message (accepted or rejected)
	Status          string // the API's status code or state, e.g. "QUEUED", "REJECTED", "rejected"
	Description     string
	// Code is the per-message error code of a rejected chat-apps message
	// (3000s); 0 otherwise.
	Code envelope.Code
	// Ambiguous reports that the message may have been accepted although
	// its state is not StateAccepted, or may be accepted twice.
	Ambiguous bool
	Err       error // nil for StateAccepted
}

// BatchResult is the outcome of a batch: one MessageResult per input
// message, in input order.
type BatchResult struct {
	Messages []MessageResult
	Accepted int // messages in StateAccepted
	Rejected int // messages in StateRejected
	Failed   int // messages in StateFailed or StateUnknown
	Requests int // batch requests (chunks) the batch was split into
	Attempts int // HTTP attempts over all chunks
	// BatchIDs holds the batchId of every chunk 8x8 answered with 200, in
	// chunk order.
	BatchIDs []string
}

// validSubAccount reports whether s matches ^[A-Za-z0-9\-._&]{3,50}$.
func validSubAccount(s string) bool {
	if len(s) < 3 || len(s) > 50 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '&':
		default:
			return false
		}
	}
	return true
}

func checkSubAccount(s string) error {
	if s == "" {
		return &ValidationError{Field: "subAccountID", Msg: "empty"}
	}
	if !validSubAccount(s) {
		return &ValidationError{Field: "subAccountID", Msg: `must match ^[A-Za-z0-9\-._&]{3,50}$`}
	}
	return nil
}

// field names the input: "Destination" for a single message,
// "Messages[3].Destination" for a batch item (prefix "Messages[3].").
func field(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + name
}

func checkCMID(prefix, id string, max int) error {
	if id != "" && utf8.RuneCountInString(id) > max {
		return &ValidationError{Field: field(prefix, "ClientMessageID"), Msg: "longer than " + strconv.Itoa(max) + " characters"}
	}
	return nil
}

func (m *SMS) validate(prefix string, templateText bool) error {
	if m.Destination == "" {
		return &ValidationError{Field: field(prefix, "Destination"), Msg: "empty"}
	}
	if m.Text == "" && !templateText {
		return &ValidationError{Field: field(prefix, "Text"), Msg: "empty"}
	}
	return checkCMID(prefix, m.ClientMessageID, MaxSMSClientMessageID)
}

func (m *Chat) validate(prefix string) error {
	u := &m.User
	if u.MSISDN == "" && u.LineUserID == "" && u.ChannelUserID == "" {
		return &ValidationError{Field: field(prefix, "User"), Msg: "no MSISDN, LineUserID or ChannelUserID"}
	}
	if (m.Type == "" || m.Type == "text") && m.Content.Text == "" {
		return &ValidationError{Field: field(prefix, "Content.Text"), Msg: "empty"}
	}
	if err := validateContent(prefix, m.Type, &m.Content); err != nil {
		return err
	}
	return checkCMID(prefix, m.ClientMessageID, MaxChatClientMessageID)
}

func checkBatchID(id string, max int) error {
	if utf8.RuneCountInString(id) > max {
		return &ValidationError{Field: "ClientBatchID", Msg: "longer than " + strconv.Itoa(max) + " characters"}
	}
	return nil
}

func itemPrefix(i int) string { return "Messages[" + strconv.Itoa(i) + "]." }

// maskDestination keeps the first three and last two characters of a
// number, e.g. +6591234567 -> +65******67, for logs.
func maskDestination(d string) string { return redact.Destination(d) }
