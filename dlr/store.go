package dlr

import (
	"context"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/outcome"
)

// Store holds what a Reconciler knows about each send, by clientMessageId:
// the send's outcome as the client recorded it (RecordSend, through
// client.Config.Outcomes) and the copies 8x8's receipts revealed, one per
// umid. MemoryStore is the in-process implementation; the fleet module's
// redisdlr.Store shares one across instances, so that a receipt landing
// on one instance resolves a send made by another.
//
// Each method is atomic with respect to the others, across every process
// sharing the store. Implementations are safe for concurrent use.
type Store interface {
	// RecordSend merges a send's outcome into the entry of its
	// clientMessageId (creating it): the umid joins the copies, Sends
	// and MaxCopies add up, Accepted and Ambiguous are or-ed, and the
	// entry is due TTL after s.At unless it is due sooner. An entry already
	// resolved is reopened (the same clientMessageId was sent again). It is
	// called on the client's sending goroutine and must not block: a store
	// that writes to a network queues the write. Sends that cannot have
	// reached a recipient (MaxCopies 0) may be left out.
	RecordSend(s outcome.Send)

	// AddReceipt merges u.Copy into the copy of the same umid in the
	// entry of u.ClientMessageID (Copy.Merge), or adds it as a new copy, and
	// returns the entry as it is after, and whether the copy changed. An
	// unknown clientMessageId gets a new entry with no send (an orphan: the
	// receipt beat the client's record, or the message was not sent
	// through a recorded client), due at u.OrphanDue.
	AddReceipt(ctx context.Context, u Update) (Entry, bool, error)

	// Due returns up to max unresolved entries whose due time is at or
	// before now, oldest first, and makes each due again lease later, so
	// that another caller (another instance) does not take it meanwhile.
	Due(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Entry, error)

	// Schedule makes the unresolved entry of cmid due at at.
	Schedule(ctx context.Context, cmid string, at time.Time) error

	// Resolve marks the entry of cmid resolved as v, if its Reported
	// verdict is still prev (VerdictNone for the first resolution), and
	// reports whether it did: of several callers resolving the same entry
	// the same way, exactly one gets true, and only it reports. A resolved
	// entry is due no more; it is kept Linger after now so that late
	// receipts still find it.
	Resolve(ctx context.Context, cmid string, prev, v Verdict, now time.Time) (bool, error)

	// Forget drops the entry of cmid.
	Forget(ctx context.Context, cmid string) error

	// TTL is how long after its send an unresolved entry becomes due: how
	// long its receipts are waited for.
	TTL() time.Duration
}

// Update is a receipt for Store.AddReceipt.
type Update struct {
	ClientMessageID string
	SubAccountID    string // used for an orphan's new entry
	Chat            bool   // used for an orphan's new entry
	Copy            Copy
	At              time.Time // when the receipt arrived
	OrphanDue       time.Time // when an orphan's new entry is due
}

// Entry is what a Store holds for one clientMessageId.
type Entry struct {
	ClientMessageID string
	SubAccountID    string
	Chat            bool
	// Sends is the number of outcomes recorded for the clientMessageId: 0
	// for an orphan (receipts, no send), 1 normally, more when the same
	// clientMessageId was sent again.
	Sends int
	// MaxCopies is the sum of the sends' outcome.Send.MaxCopies: how many
	// copies 8x8 can have accepted. Once as many copies are known and
	// final, no receipt can change the verdict.
	MaxCopies int
	Accepted  bool // a send was accepted
	Ambiguous bool // a send was ambiguous
	// SentAt is the first send's time (an orphan's: its first receipt's).
	SentAt time.Time
	// Changed is when a copy last changed (a receipt or lookup that
	// advanced it, or a new umid).
	Changed time.Time
	// Due is when the Reconciler looks at the entry next; zero once
	// resolved.
	Due time.Time
	// Receipts counts the receipts applied, changing or not.
	Receipts int
	// Reported is the verdict reported; VerdictNone until resolved.
	Reported Verdict
	// Copies are the message's copies, one per umid, in the order the
	// store learnt of them.
	Copies []Copy
}

// Copy is one copy of a message that 8x8 accepted, by umid, and the state
// its receipts (or a lookup) gave.
type Copy struct {
	UMID string
	// State is the latest state; "" while no receipt came (the umid is
	// known from the send's answer).
	State     envelope.State
	Detail    envelope.Detail
	Timestamp time.Time        // the receipt's status timestamp
	ErrorCode envelope.DLRCode // on failed states
	// LookedUp reports that the state came from 8x8's message-details
	// GET, not from a receipt.
	LookedUp bool
}

// Rank is envelope.Rank of the copy's state; -1 without one.
func (c *Copy) Rank() int {
	if c.State == "" {
		return -1
	}
	return envelope.Rank(c.State, c.Detail)
}

// Final reports whether the copy's state is final (envelope.Final).
func (c *Copy) Final() bool { return c.State != "" && envelope.Final(c.State, c.Detail) }

// Delivered reports whether the copy was delivered, to the operator or the
// recipient, or read (envelope.Delivered).
func (c *Copy) Delivered() bool { return envelope.Delivered(c.State) }

// Failed reports whether the copy will not be delivered (envelope.Failed).
func (c *Copy) Failed() bool { return c.State != "" && envelope.Failed(c.State) }

// Merge returns c advanced by n, the state of a receipt for the same
// umid, and whether it changed. n applies when envelope.Supersedes says so
// (a higher rank, or the same rank observed later), except that a failure
// never replaces a delivery to the recipient or a read: with channel
// fallback one umid has receipts from several channels, and the best
// result counts. A state-less n changes nothing.
func (c Copy) Merge(n Copy) (Copy, bool) {
	if n.State == "" {
		return c, false
	}
	if c.State == "" {
		return n, true
	}
	cr := c.Rank()
	if cr >= envelope.RankOutcome && c.Delivered() && n.Failed() {
		return c, false
	}
	if !envelope.Supersedes(n.Rank(), n.Timestamp, cr, c.Timestamp) {
		return c, false
	}
	return n, true
}
