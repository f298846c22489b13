package dlr

import "sync/atomic"

// Stats counts what a Receiver did. Every request is counted once in
// Requests and once in exactly one of the outcome counters (Receipts,
// Inbound, Duplicates, Stale, Ignored, Malformed, Oversize, Unsupported,
// Unauthorized, BadMethod, ReadFailed, Busy, Closed), so they add up to
// Requests once the requests in flight have been answered.
type Stats struct {
	Requests uint64 // requests served

	// Answered 2xx and handed to a callback.
	Receipts uint64 // receipts queued for OnReceipt
	Inbound  uint64 // inbound messages and echoes queued for OnInbound

	// Answered 2xx and dropped on purpose.
	Duplicates uint64 // a receipt repeating the state held, or an inbound umid seen before
	Stale      uint64 // a receipt ranking below the state held (or equal and not later)
	Ignored    uint64 // an inbound message or echo while OnInbound is nil

	// Answered 2xx though unusable (8x8 would send them again if refused);
	// Config.Logger gets a record for each.
	Malformed   uint64 // not JSON, the wrong shape, or a receipt without umid or state
	Oversize    uint64 // a body over MaxBodyBytes (or one that could not be read in time)
	Unsupported uint64 // an XML body, or a namespace/eventType 8x8 does not document

	// Refused.
	Unauthorized uint64 // 401: no accepted Authorization header
	BadMethod    uint64 // 405: not a POST (after the authorization check)
	ReadFailed   uint64 // 400: the body did not arrive whole (reset, ReadTimeout); 8x8 sends it again
	Busy         uint64 // 503: the queue stayed full for QueueWait; 8x8 sends it again
	Closed       uint64 // 503: after Shutdown

	// CallbackPanics counts callbacks that panicked (recovered).
	CallbackPanics uint64
	// Evicted counts message states dropped before their TTL because
	// MaxTracked was reached.
	Evicted uint64

	// Tracked is the number of messages whose state is held now.
	Tracked int
	// Queued is the number of events waiting for a callback now.
	Queued int
}

// counters are the Receiver's live counters; Stats copies them.
type counters struct {
	requests, receipts, inbound, duplicates, stale, ignored atomic.Uint64
	malformed, oversize, unsupported                        atomic.Uint64
	unauthorized, badMethod, readFailed, busy, closed       atomic.Uint64
	panics                                                  atomic.Uint64
}
