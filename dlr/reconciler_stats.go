package dlr

import "sync/atomic"

// ReconcilerStats counts what a Reconciler did.
type ReconcilerStats struct {
	// Receipts counts the receipts OnReceipt took. Each is one of Matched
	// (its send was recorded), Orphans (no send recorded yet: it waits
	// OrphanWait for the record) or Unknown (no clientMessageId or umid),
	// or a store error.
	Receipts, Matched, Orphans uint64
	// Unknown counts receipts that matched no recorded send: without a
	// clientMessageId or umid, or still without a send after OrphanWait.
	Unknown uint64
	// Late counts receipts that changed a copy of a send already resolved
	// without changing its verdict; Revised the resolutions a late
	// receipt changed (reported again with Resolution.Revised).
	Late, Revised uint64
	// Ambiguous tallies the resolutions of Ambiguous sends by verdict,
	// Plain those of the others. A revised resolution moves from one
	// verdict to the other.
	Ambiguous, Plain Tally
	// Lookups counts message-details lookups made, LookupErrors those
	// that failed (tried again later), LookupNotFound those 8x8 answered
	// with "not found", LookupDeferred the lookups put off to respect
	// LookupEvery.
	Lookups, LookupErrors, LookupNotFound, LookupDeferred uint64
	// StoreErrors counts failed store calls; Panics OnResolve panics
	// (recovered).
	StoreErrors, Panics uint64
}

// Tally counts resolutions by verdict.
type Tally struct {
	Delivered, Duplicate, Failed, NoReceipt uint64
}

// Total is the number of resolutions tallied.
func (t Tally) Total() uint64 { return t.Delivered + t.Duplicate + t.Failed + t.NoReceipt }

type rtally struct{ delivered, duplicate, failed, noReceipt atomic.Uint64 }

func (t *rtally) add(v Verdict, n uint64) {
	switch v {
	case VerdictDelivered:
		t.delivered.Add(n)
	case VerdictDuplicate:
		t.duplicate.Add(n)
	case VerdictFailed:
		t.failed.Add(n)
	case VerdictNoReceipt:
		t.noReceipt.Add(n)
	}
}

func (t *rtally) load() Tally {
	return Tally{t.delivered.Load(), t.duplicate.Load(), t.failed.Load(), t.noReceipt.Load()}
}

type rcounters struct {
	receipts, matched, orphans, unknown, late, revised    atomic.Uint64
	lookups, lookupErrors, lookupNotFound, lookupDeferred atomic.Uint64
	storeErrors, panics                                   atomic.Uint64
	ambiguous, plain                                      rtally
}

// Stats returns the Reconciler's counters.
func (r *Reconciler) Stats() ReconcilerStats {
	c := &r.c
	return ReconcilerStats{
		Receipts: c.receipts.Load(), Matched: c.matched.Load(), Orphans: c.orphans.Load(), Unknown: c.unknown.Load(),
		Late: c.late.Load(), Revised: c.revised.Load(), Ambiguous: c.ambiguous.load(), Plain: c.plain.load(),
		Lookups: c.lookups.Load(), LookupErrors: c.lookupErrors.Load(), LookupNotFound: c.lookupNotFound.Load(),
		LookupDeferred: c.lookupDeferred.Load(), StoreErrors: c.storeErrors.Load(), Panics: c.panics.Load(),
	}
}
