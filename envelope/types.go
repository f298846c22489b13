package envelope

import (
	"time"

	"github.com/google/uuid"
)

// Lifetimes. Every string a Decoder stores in a result either borrows the
// body passed to the Decode call (when the JSON string has no escapes and is
// valid UTF-8) or borrows the Decoder's scratch buffer (when it had to be
// unescaped or repaired). Either way the string is valid only until the
// body is modified or the same Decoder is used for another Decode call,
// whichever comes first; after that it may silently change. Copy a string
// with strings.Clone to keep it longer. UUIDs, times and numbers are plain
// values and never borrow.

// Error is the error envelope 8x8 sends with every response whose HTTP status
// is 400 or more:
//
//	{"code":1002,"message":"Invalid MSISDN format","errorId":"5d0b7c1e-...","timestamp":"2026-08-01T02:14:07.42Z"}
type Error struct {
	// Code is the body error code ("code").
	Code Code
	// Message is the human-readable text ("message"). It borrows (see the
	// Lifetimes note on Decoder).
	Message string
	// ErrorID is the id to quote to 8x8 support ("errorId"), parsed leniently
	// (any version and variant, as uuid.Parse does); the zero UUID when the
	// field is absent or null.
	ErrorID uuid.UUID
	// Timestamp is when the error happened ("timestamp"), in UTC; the zero
	// time when the field is absent or null.
	Timestamp time.Time
}

// SMSStatus is the "status" object of an SMS response.
type SMSStatus struct {
	// Code is "QUEUED" or "REJECTED" today; treat it as an open set.
	Code string
	// Description is the human-readable reason.
	Description string
}

// SMSResponse is the body of a successful single SMS send, and one item of a
// batch response's "messages".
type SMSResponse struct {
	UMID            string // "umid": the message id 8x8 assigned
	ClientMessageID string // "clientMessageId": the caller's reference; "" when null
	Destination     string // "destination": the number, without a leading "+"
	Encoding        string // "encoding": "GSM7" or "UCS2", as 8x8 chose
	Status          SMSStatus
}

// BatchResponse is the body of a successful SMS batch send.
type BatchResponse struct {
	BatchID       string // "batchId"
	ClientBatchID string // "clientBatchId"; "" when null
	AcceptedCount int    // "acceptedCount"
	RejectedCount int    // "rejectedCount"
	// Messages holds one entry per message when the request asked for
	// them ("messages"); empty when the field is null or absent. DecodeBatch
	// reuses its capacity: it truncates it to [:0] and appends, so decoding
	// into the same BatchResponse again allocates nothing once the slice is
	// large enough.
	Messages []SMSResponse
}

// ChatUser identifies the recipient of a chat-apps message ("user").
type ChatUser struct {
	MSISDN        string // "msisdn"
	Country       string // "country"
	LineUserID    string // "lineUserId"
	ChannelUserID string // "channelUserId"
}

// ChatStatus is the "status" object of a chat-apps response.
type ChatStatus struct {
	// State is "queued", "rejected", ...; treat it as an open set.
	State string
	// Detail is the optional "detail".
	Detail string
	// Timestamp is "timestamp", in UTC; zero when absent or null.
	Timestamp time.Time
	// ErrorCode is "errorCode", set on rejected messages; 0 otherwise.
	ErrorCode Code
	// ErrorMessage is "errorMessage", set on rejected messages.
	ErrorMessage string
}

// ChatResponse is the body of a successful single chat-apps send, and one
// item of a chat batch response's "messages".
type ChatResponse struct {
	UMID            string // "umid"
	ClientMessageID string // "clientMessageId"; "" when null
	User            ChatUser
	Status          ChatStatus
}

// ChatBatchResponse is the body of a successful chat-apps batch send.
type ChatBatchResponse struct {
	BatchID       string // "batchId"
	ClientBatchID string // "clientBatchId"; "" when null
	AcceptedCount int    // "acceptedCount"
	RejectedCount int    // "rejectedCount"
	// Messages is reused like BatchResponse.Messages.
	Messages []ChatResponse
}
