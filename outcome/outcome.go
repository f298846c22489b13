// Package outcome holds the one value that crosses from the sending side
// (package client) to the receiving side (package dlr) of delivery-receipt
// reconciliation: the final outcome of one message's send, by
// clientMessageId.
//
// It is a package of its own because neither side may import the other
// (docs/design.md): client records a Send through the small interface
// client.OutcomeRecorder (Config.Outcomes), which a dlr.Store implements,
// and the dlr.Reconciler later matches the receipts 8x8 posts against it.
//
//	store := dlr.NewMemoryStore(dlr.MemoryConfig{})
//	c, err := client.New(client.Config{APIKey: key, Outcomes: store})
//	rec, err := dlr.NewReconciler(dlr.ReconcilerConfig{Store: store, OnResolve: ...})
//	rv, err := dlr.New(dlr.Config{Authorization: auth, OnReceipt: rec.OnReceipt})
//
// It imports only the standard library.
package outcome

import (
	"strconv"
	"time"
)

// State is how a send ended, as the client saw it.
type State uint8

// The states of a Send.
const (
	// Accepted: 8x8 answered 200 with a umid for the message.
	Accepted State = iota + 1
	// Rejected: 8x8 answered 200 but refused the message (status REJECTED,
	// or a chat-apps "rejected"/"failed" item): it will not be delivered.
	Rejected
	// Failed: no answer reported the message accepted (an error response,
	// a transport failure, a 200 without the message's status). With
	// Send.Ambiguous set, 8x8 may have accepted it all the same.
	Failed
)

// String returns "accepted", "rejected" or "failed".
func (s State) String() string {
	switch s {
	case Accepted:
		return "accepted"
	case Rejected:
		return "rejected"
	case Failed:
		return "failed"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Send is the final outcome of one message's send: a single send
// (SendSMS, SendChat) or one message of a batch. It holds no message text
// and no destination.
type Send struct {
	// SubAccountID is the sub-account (tenant) the message was sent for.
	SubAccountID string
	// ClientMessageID is the message's clientMessageId, the same on every
	// attempt and echoed in every receipt: the key of reconciliation.
	ClientMessageID string
	// UMID is the id 8x8 gave the message in its 200 answer; "" when no
	// answer reported it (State Failed).
	UMID string
	// Chat reports a Messaging Apps message (SendChat, SendChatBatch);
	// false for SMS. The two have different message-details endpoints.
	Chat bool
	// State is how the send ended.
	State State
	// Ambiguous reports that 8x8 may have accepted an attempt the client
	// could not confirm (a timeout, a reset or a 5xx after the request was
	// written): a Failed send may have been accepted, an Accepted one may
	// have been accepted more than once, each copy with its own umid.
	Ambiguous bool
	// Attempts is the number of HTTP attempts the send made: an upper
	// bound on the copies 8x8 can have accepted.
	Attempts int
	// At is when the send ended (the client's Config.Clock).
	At time.Time
}

// MaxCopies is the most copies of the message 8x8 can have accepted
// through this send: Attempts when the send is ambiguous (each attempt may
// have been accepted once), else 1 when it was accepted and 0 when not.
func (s *Send) MaxCopies() int {
	switch {
	case s.Ambiguous:
		return max(s.Attempts, 1)
	case s.State == Accepted:
		return 1
	}
	return 0
}
