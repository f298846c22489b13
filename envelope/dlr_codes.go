package envelope

import "strconv"

// DLRCode is the error code of a delivery receipt: "status.errorCode" of an
// SMS or chat-apps DLR. It is a registry of its own, not the API's Code
// (chat-apps DLR code 1000 is a WhatsApp authentication failure, API code
// 1000 an invalid parameter). The named constants cover every code 8x8
// documents: the general codes 0-61 (SMS DLRs, and chat apps for the ones
// 8x8 lists there too), the WhatsApp codes 1000-1054 (each maps to a Meta
// code, see MetaCode) and the Viber codes 2000-2025. Other values can
// arrive; Known reports whether a code is named.
type DLRCode int

// Hint says whether sending the same message to the same destination again
// may work after a DLR error. 8x8 documents no such thing: every hint is
// our inference from the code's name and meaning (8x8 writes "temporary"
// for 1007 and 1016 only), so treat it as advice for reports and retry
// heuristics, never as 8x8's word.
type Hint uint8

// The hints. HintUnclear is the zero value: unknown codes get it.
const (
	// HintUnclear: the name does not tell.
	HintUnclear Hint = iota
	// HintPermanent: permanent for this destination or content; do not
	// resend it unchanged.
	HintPermanent
	// HintTransient: a resend later may work (the subscriber was
	// unreachable, a network was congested, a rate limit was hit).
	HintTransient
	// HintIntermediate: sounds like a step on the way, not an outcome.
	HintIntermediate
	// HintAccount: a problem of the sending account (credit, credentials,
	// registration, a paused template) that the account owner must fix.
	HintAccount
	// HintNotAnError: listed among the errors but reports success (Viber
	// 2000, "successfully sent").
	HintNotAnError
)

var hintNames = [...]string{"unclear", "permanent", "transient", "intermediate", "account", "not-an-error"}

// String returns "unclear", "permanent", "transient", "intermediate",
// "account" or "not-an-error".
func (h Hint) String() string {
	if int(h) < len(hintNames) {
		return hintNames[h]
	}
	return "Hint(" + strconv.Itoa(int(h)) + ")"
}

type dlrCodeInfo struct {
	code     DLRCode
	name     string
	desc     string
	hint     Hint
	chatDesc string
	chatHint Hint
	meta     int
}

func (c DLRCode) lookup() *dlrCodeInfo {
	lo, hi := 0, len(dlrCodeTable)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if dlrCodeTable[m].code < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(dlrCodeTable) && dlrCodeTable[lo].code == c {
		return &dlrCodeTable[lo]
	}
	return nil
}

// Known reports whether c is one of the named DLR codes.
func (c DLRCode) Known() bool { return c.lookup() != nil }

// String returns the constant's name without the "DLR" prefix, e.g.
// "SubscriberNotReachable" for 46 or "WhatsAppWindowExpired" for 1022, or
// "DLRCode(99)" for a code that is not known.
func (c DLRCode) String() string {
	if e := c.lookup(); e != nil {
		return e.name
	}
	return "DLRCode(" + strconv.Itoa(int(c)) + ")"
}

// Description returns the reason 8x8 gives for the code in SMS DLRs (the
// general codes) or in chat-apps DLRs (WhatsApp and Viber codes, prefixed
// "WhatsApp: " or "Viber: "), or "" for an unknown code.
func (c DLRCode) Description() string {
	if e := c.lookup(); e != nil {
		return e.desc
	}
	return ""
}

// ChatDescription returns the reason and meaning 8x8 gives for the code in
// chat-apps DLRs, e.g. "AbsentSubscriber: user not registered on this
// channel" for 1. For a general code 8x8 lists for SMS only, and for codes
// that are not known, it returns Description.
func (c DLRCode) ChatDescription() string {
	if e := c.lookup(); e != nil && e.chatDesc != "" {
		return e.chatDesc
	}
	return c.Description()
}

// Hint returns the hint for the code in an SMS DLR (for WhatsApp and Viber
// codes, the chat-apps hint). Unknown codes are HintUnclear.
func (c DLRCode) Hint() Hint {
	if e := c.lookup(); e != nil {
		return e.hint
	}
	return HintUnclear
}

// ChatHint returns the hint for the code in a chat-apps DLR. The general
// codes can mean other things there: 1 (AbsentSubscriber) is a transient
// absence for SMS but "not registered on this channel", permanent, for
// chat apps. Codes 8x8 lists for SMS only return Hint.
func (c DLRCode) ChatHint() Hint {
	if e := c.lookup(); e != nil && e.chatDesc != "" {
		return e.chatHint
	}
	return c.Hint()
}

// MetaCode returns the Meta (WhatsApp Cloud API) error code a WhatsApp DLR
// code stands for, e.g. 131047 for 1022 (and 0 for 1000, Meta's code 0),
// or 0 for other codes.
func (c DLRCode) MetaCode() int {
	if e := c.lookup(); e != nil {
		return e.meta
	}
	return 0
}

// DLRCodes returns every named DLR code in ascending order, as a fresh
// copy.
func DLRCodes() []DLRCode {
	out := make([]DLRCode, len(dlrCodeTable))
	for i := range dlrCodeTable {
		out[i] = dlrCodeTable[i].code
	}
	return out
}
