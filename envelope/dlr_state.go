package envelope

import (
	"strings"
	"time"
)

// State is "status.state" of a delivery receipt. The named constants are
// the union of the values 8x8 documents for SMS and chat-apps DLRs; treat
// State as an open set (Rank puts an unknown state with queued). Compare
// with EqualFold, or use Rank, which ignores case.
type State string

// The receipt states 8x8 documents.
const (
	// StateQueued: accepted by 8x8 and queued (chat apps v9 sends it as
	// soon as the platform accepts the message). Not final.
	StateQueued State = "queued"
	// StateSent: handed to the operator or channel, not acknowledged yet.
	// Not final.
	StateSent State = "sent"
	// StateDelivered: the operator or channel confirmed delivery; Detail
	// says to whom. Final with DetailDeliveredToRecipient; with
	// DetailDeliveredToOperator it may still be the last receipt.
	StateDelivered State = "delivered"
	// StateUndelivered: the operator's receipt says it was not delivered
	// (usually with an errorCode). Final.
	StateUndelivered State = "undelivered"
	// StateRejected: refused by 8x8. Final.
	StateRejected State = "rejected"
	// StateFailed: "rejected by the API, won't be processed" (8x8's
	// OpenAPI wording for what its docs call rejected). Final.
	StateFailed State = "failed"
	// StateRead: delivered and read (chat apps; never for SMS). Final.
	StateRead State = "read"
	// StateUnknown: exceptional or intermediate. Not final.
	StateUnknown State = "unknown"
	// StateOK and StateError are outcomes of 8x8's shared status model,
	// not expected on receipts. Not final.
	StateOK    State = "ok"
	StateError State = "error"
)

// Detail is "status.detail" of a delivery receipt; an open set like State.
type Detail string

// The receipt details 8x8 documents.
const (
	// DetailDeliveredToOperator, with StateDelivered: the operator has it.
	DetailDeliveredToOperator Detail = "delivered_to_operator"
	// DetailDeliveredToRecipient, with StateDelivered: the handset has it.
	DetailDeliveredToRecipient Detail = "delivered_to_recipient"
	// DetailRejectedByOperator, with StateUndelivered: the operator
	// refused it.
	DetailRejectedByOperator Detail = "rejected_by_operator"
	// DetailUndeliveredToRecipient, with StateUndelivered: it reached the
	// network but the device refused it.
	DetailUndeliveredToRecipient Detail = "undelivered_to_recipient"
	// DetailDeliveredToCarrier appears in one 8x8 OpenAPI example only; Rank
	// reads it as DetailDeliveredToOperator.
	DetailDeliveredToCarrier Detail = "delivered_to_carrier"
)

// The ranks Rank returns.
const (
	RankPending  = 0 // queued, unknown, and any state not named here
	RankSent     = 1 // sent
	RankOperator = 2 // delivered, to the operator (or with no detail)
	RankOutcome  = 3 // delivered to the recipient, undelivered, rejected, failed
	RankRead     = 4 // read
)

// Rank orders receipt states so that a receipt arriving late cannot undo a
// later one: queued and unknown 0 < sent 1 < delivered to the operator 2 <
// {delivered to the recipient, undelivered, rejected, failed} 3 < read 4.
// 8x8 documents no order and redelivers failed webhook calls after 1, 10,
// 30 and 90 s, so an earlier status can arrive after a later one; apply a
// receipt only when Supersedes says so. StateDelivered with any detail but
// DetailDeliveredToRecipient (none, delivered_to_operator,
// delivered_to_carrier) ranks 2: 8x8 says a bare "delivered" may mean
// delivered to the carrier only. Case is ignored.
func Rank(s State, d Detail) int {
	switch {
	case strings.EqualFold(string(s), string(StateSent)):
		return RankSent
	case strings.EqualFold(string(s), string(StateDelivered)):
		if strings.EqualFold(string(d), string(DetailDeliveredToRecipient)) {
			return RankOutcome
		}
		return RankOperator
	case strings.EqualFold(string(s), string(StateUndelivered)),
		strings.EqualFold(string(s), string(StateRejected)),
		strings.EqualFold(string(s), string(StateFailed)):
		return RankOutcome
	case strings.EqualFold(string(s), string(StateRead)):
		return RankRead
	}
	return RankPending
}

// Supersedes reports whether a receipt of rank and status timestamp ts
// replaces the one held (prevRank, prevTS): it does when its rank is
// higher, or equal with a later timestamp (the time 8x8 observed the
// status). delivered_to_operator followed by undelivered is a legitimate
// change (2 to 3); delivered_to_recipient followed by sent is not.
func Supersedes(rank int, ts time.Time, prevRank int, prevTS time.Time) bool {
	return rank > prevRank || (rank == prevRank && ts.After(prevTS))
}

// Final reports whether a receipt with this state and detail is the last
// one 8x8 normally sends for the message: delivered to the recipient,
// undelivered, rejected, failed or read. A delivered_to_operator receipt
// is not final, though it may be the last one some operators give; a read
// receipt may still follow a final delivered one on chat apps.
func Final(s State, d Detail) bool { return Rank(s, d) >= RankOutcome }

// Delivered reports whether the state says the message was delivered (to
// the operator or the recipient) or read.
func Delivered(s State) bool {
	return strings.EqualFold(string(s), string(StateDelivered)) || strings.EqualFold(string(s), string(StateRead))
}

// Failed reports whether the state says the message will not be
// delivered: undelivered, rejected or failed.
func Failed(s State) bool {
	return Rank(s, "") == RankOutcome
}

// The flat (Wavecell, version 4) chat-apps receipt's "status" strings.
const (
	LegacyReceived          = "RECEIVED FOR PROCESSING"
	LegacySent              = "SENT"
	LegacyDeliveredCarrier  = "DELIVERED TO CARRIER"
	LegacyDeliveredDevice   = "DELIVERED TO DEVICE"
	LegacyRejectedByDevice  = "REJECTED BY DEVICE"
	LegacyRejectedByCarrier = "REJECTED BY CARRIER"
	LegacyTrashed           = "TRASHED"
	LegacyRead              = "READ"
)

// LegacyState maps a flat receipt's "status" string to the state and detail
// of the current formats: RECEIVED FOR PROCESSING is queued, SENT sent,
// DELIVERED TO CARRIER delivered/delivered_to_operator, DELIVERED TO DEVICE
// delivered/delivered_to_recipient, REJECTED BY DEVICE
// undelivered/undelivered_to_recipient, REJECTED BY CARRIER
// undelivered/rejected_by_operator, TRASHED (rejected by the platform)
// rejected, READ read. Case is ignored; any other string is StateUnknown.
func LegacyState(status string) (State, Detail) {
	switch {
	case strings.EqualFold(status, LegacyReceived):
		return StateQueued, ""
	case strings.EqualFold(status, LegacySent):
		return StateSent, ""
	case strings.EqualFold(status, LegacyDeliveredCarrier):
		return StateDelivered, DetailDeliveredToOperator
	case strings.EqualFold(status, LegacyDeliveredDevice):
		return StateDelivered, DetailDeliveredToRecipient
	case strings.EqualFold(status, LegacyRejectedByDevice):
		return StateUndelivered, DetailUndeliveredToRecipient
	case strings.EqualFold(status, LegacyRejectedByCarrier):
		return StateUndelivered, DetailRejectedByOperator
	case strings.EqualFold(status, LegacyTrashed):
		return StateRejected, ""
	case strings.EqualFold(status, LegacyRead):
		return StateRead, ""
	}
	return StateUnknown, ""
}
