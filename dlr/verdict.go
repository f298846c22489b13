package dlr

import (
	"strconv"
	"time"

	"github.com/octosend/octosend/envelope"
)

// Verdict is what a Reconciler concluded about a send from its receipts.
type Verdict uint8

// The verdicts.
const (
	// VerdictNone: not resolved yet.
	VerdictNone Verdict = iota
	// VerdictDelivered: exactly one copy was delivered (to the recipient,
	// or to the operator when that was the last receipt), or read.
	VerdictDelivered
	// VerdictDuplicate: several copies were delivered (Resolution.Delivered
	// says how many), each with its own umid: a confirmed duplicate.
	VerdictDuplicate
	// VerdictFailed: every copy 8x8 reported failed (undelivered, rejected
	// or failed); Resolution.ErrorCode is the receipt's error.
	VerdictFailed
	// VerdictNoReceipt: no final receipt by the deadline (nor from a
	// lookup). With no copies at all, 8x8 most likely never accepted the
	// message; with copies, their last states are in Resolution.Copies.
	VerdictNoReceipt
)

var verdictNames = [...]string{"none", "delivered", "duplicate", "failed", "no-receipt"}

// String returns "none", "delivered", "duplicate", "failed" or
// "no-receipt".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// Resolution is a Reconciler's answer for one send, handed to
// ReconcilerConfig.OnResolve.
type Resolution struct {
	ClientMessageID string
	SubAccountID    string
	Chat            bool
	Verdict         Verdict
	// Ambiguous reports that the send was Ambiguous: this resolution is
	// what settles it. Accepted reports that a send was accepted.
	Ambiguous bool
	Accepted  bool
	// Delivered is the number of copies delivered (2 or more for
	// VerdictDuplicate).
	Delivered int
	// Copies are every copy known, one per umid, with its last state.
	Copies []Copy
	// ErrorCode is, for VerdictFailed, the error code of the copy whose
	// failure was observed last; Reason is 8x8's reason for it (SMS or
	// chat-apps reading) and Hint whether sending again could help.
	ErrorCode envelope.DLRCode
	Reason    string
	Hint      envelope.Hint
	// Deadline reports that the send was resolved because its deadline
	// (Store.TTL after the send) passed, not because its copies settled.
	Deadline bool
	// Revised reports a second resolution of the same send: a receipt that
	// came after the first one changed the verdict (a late copy, or a
	// final receipt after a VerdictNoReceipt). Previous is the verdict
	// reported before.
	Revised  bool
	Previous Verdict
	SentAt   time.Time
	At       time.Time // when it was resolved
}

// judge returns the verdict the copies give, how many were delivered and
// the failed copy whose error stands for all (nil unless VerdictFailed).
func judge(cs []Copy) (Verdict, int, *Copy) {
	delivered, failed := 0, 0
	var last *Copy
	for i := range cs {
		c := &cs[i]
		switch {
		case c.Delivered():
			delivered++
		case c.Failed():
			failed++
			if last == nil || c.Timestamp.After(last.Timestamp) {
				last = c
			}
		}
	}
	switch {
	case delivered >= 2:
		return VerdictDuplicate, delivered, nil
	case delivered == 1:
		return VerdictDelivered, 1, nil
	case failed > 0 && failed == len(cs):
		return VerdictFailed, 0, last
	}
	return VerdictNoReceipt, 0, nil
}

// copiesSettled reports whether the entry's receipts say all there is to say:
// every known copy is final and either as many copies are known as 8x8
// can have accepted, or settle has passed since the last change. When the
// copies are all final but more may come, it returns when they are
// settled.
func copiesSettled(e *Entry, now time.Time, settle time.Duration) (bool, time.Time) {
	if len(e.Copies) == 0 {
		return false, time.Time{}
	}
	for i := range e.Copies {
		if !e.Copies[i].Final() {
			return false, time.Time{}
		}
	}
	if len(e.Copies) >= e.MaxCopies {
		return true, now
	}
	at := e.Changed.Add(settle)
	return !now.Before(at), at
}

// resolution builds the Resolution of e as v.
func resolution(e *Entry, now time.Time, deadline bool) Resolution {
	v, delivered, f := judge(e.Copies)
	r := Resolution{
		ClientMessageID: e.ClientMessageID, SubAccountID: e.SubAccountID, Chat: e.Chat, Verdict: v,
		Ambiguous: e.Ambiguous, Accepted: e.Accepted, Delivered: delivered, Copies: e.Copies,
		Deadline: deadline, SentAt: e.SentAt, At: now,
	}
	if f != nil {
		r.ErrorCode = f.ErrorCode
		if e.Chat {
			r.Reason, r.Hint = f.ErrorCode.ChatDescription(), f.ErrorCode.ChatHint()
		} else {
			r.Reason, r.Hint = f.ErrorCode.Description(), f.ErrorCode.Hint()
		}
	}
	return r
}
