package dlr

import (
	"container/heap"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/ilist"
)

// mentry is a MemoryStore entry, packed: times as Unix nanoseconds,
// counters narrowed, copies without time.Time.
type mentry struct {
	cmid, sub string
	copies    []mcopy
	sentAt    int64
	changed   int64
	due       int64 // meaningful while heapIdx >= 0
	expires   int64
	receipts  uint32
	sends     uint16
	maxCopies uint16
	heapIdx   int32 // index in the due heap; -1 when not in it
	chat      bool
	accepted  bool
	ambiguous bool
	reported  Verdict
	ilist.Links[mentry]
}

// mcopy is a packed Copy.
type mcopy struct {
	umid   string
	state  envelope.State
	detail envelope.Detail
	ts     int64 // Unix nanoseconds; 0 for the zero time
	code   int32
	looked bool
}

func packCopy(c *Copy) mcopy {
	m := mcopy{umid: c.UMID, state: c.State, detail: c.Detail, code: int32(c.ErrorCode), looked: c.LookedUp}
	if !c.Timestamp.IsZero() {
		m.ts = c.Timestamp.UnixNano()
	}
	return m
}

func (m *mcopy) unpack() Copy {
	c := Copy{UMID: m.umid, State: m.state, Detail: m.detail, ErrorCode: envelope.DLRCode(m.code), LookedUp: m.looked}
	if m.ts != 0 {
		c.Timestamp = time.Unix(0, m.ts).UTC()
	}
	return c
}

func (e *mentry) find(umid string) int {
	for i := range e.copies {
		if e.copies[i].umid == umid {
			return i
		}
	}
	return -1
}

func unixTime(n int64) time.Time { return time.Unix(0, n).UTC() }

// entry returns e as an Entry (a copy the caller may keep).
func (e *mentry) entry() Entry {
	x := Entry{
		ClientMessageID: e.cmid, SubAccountID: e.sub, Chat: e.chat,
		Sends: int(e.sends), MaxCopies: int(e.maxCopies), Accepted: e.accepted, Ambiguous: e.ambiguous,
		SentAt: unixTime(e.sentAt), Changed: unixTime(e.changed), Receipts: int(e.receipts), Reported: e.reported,
		Copies: make([]Copy, len(e.copies)),
	}
	if e.heapIdx >= 0 {
		x.Due = unixTime(e.due)
	}
	for i := range e.copies {
		x.Copies[i] = e.copies[i].unpack()
	}
	return x
}

// mlist is an intrusive doubly linked list of entries, newest at the head.
type mlist = ilist.List[mentry, *mentry]

// dueHeap orders unresolved entries by due time (container/heap).
type dueHeap []*mentry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = int32(i), int32(j)
}
func (h *dueHeap) Push(x any) {
	e := x.(*mentry)
	e.heapIdx = int32(len(*h))
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.heapIdx = -1
	return e
}

func (h *dueHeap) push(e *mentry) { heap.Push(h, e) }

func (h *dueHeap) set(e *mentry, due int64) {
	e.due = due
	if e.heapIdx >= 0 {
		heap.Fix(h, int(e.heapIdx))
	}
}

func (h *dueHeap) remove(e *mentry) {
	if e.heapIdx >= 0 {
		heap.Remove(h, int(e.heapIdx))
	}
}
