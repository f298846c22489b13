package retrybudget

import "github.com/octosend/octosend/internal/ilist"

// Hold is a retry waiting for room in the budget, in a queue served
// oldest first. Room is handed out when it frees: by Request and Refund
// at once, by the window's sliding when any waiter polls (Poll). A Hold
// costs one allocation and no goroutine; the caller waits on Ready
// together with its own timer and context.
type Hold struct {
	ilist.Links[Hold]
	b       *Budget
	ready   chan struct{}
	tok     Token
	granted bool
	queued  bool
}

// Hold queues a retry that TryRetry refused. The caller must end it with
// Poll returning true or with Cancel.
func (b *Budget) Hold() *Hold {
	h := &Hold{b: b, ready: make(chan struct{})}
	if b.off {
		h.granted = true
		close(h.ready)
		return h
	}
	b.mu.Lock()
	b.advanceLocked()
	h.queued = true
	b.queue.PushBack(h)
	b.grantLocked()
	b.mu.Unlock()
	return h
}

// Ready is closed when the retry has its token.
func (h *Hold) Ready() <-chan struct{} { return h.ready }

// Poll hands out the room the window's sliding freed, oldest waiter
// first, and reports whether this retry has its token.
func (h *Hold) Poll() (Token, bool) {
	b := h.b
	if b.off {
		return 0, true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !h.granted && b.queue.Len() > 0 {
		b.advanceLocked()
		b.grantLocked()
	}
	return h.tok, h.granted
}

// Cancel leaves the queue (the send gave up); a token granted meanwhile
// goes back to the budget, to the next waiter.
func (h *Hold) Cancel() {
	b := h.b
	if b.off {
		return
	}
	b.mu.Lock()
	switch {
	case h.queued:
		b.unlinkLocked(h)
	case h.granted && h.tok != 0:
		b.mu.Unlock()
		b.Refund(h.tok)
		h.tok = 0
		return
	}
	b.mu.Unlock()
}

// grantLocked gives the budget's room to waiting retries, oldest first.
func (b *Budget) grantLocked() {
	bk := &b.slots[b.last%buckets]
	for b.queue.Len() > 0 && b.roomLocked() {
		h := b.queue.Front()
		b.unlinkLocked(h)
		h.tok = b.takeLocked(bk)
		h.granted = true
		close(h.ready)
	}
}

func (b *Budget) unlinkLocked(h *Hold) {
	b.queue.Remove(h)
	h.queued = false
}
