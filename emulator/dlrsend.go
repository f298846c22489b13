package emulator

import (
	"bytes"
	"container/heap"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DLRStats counts the receipts of Config.DLR.
type DLRStats struct {
	Planned  int64 // receipts planned for accepted messages
	Attempts int64 // POSTs made, retries included
	Posted   int64 // receipts the webhook answered with a 2xx
	Failed   int64 // POSTs that failed (error, timeout, status outside 2xx)
	Lost     int64 // receipts given up on after the last retry
	Refused  int64 // receipts not sent: dlrCallbackUrl on a host that is not loopback
	Dropped  int64 // receipts not sent: MaxPending reached
	Pending  int64 // receipts waiting (to be posted, or for a retry) now
}

// DLRRecord is what became of the receipts of one accepted copy.
type DLRRecord struct {
	SubAccount      string
	ClientMessageID string // "" when the message had none
	UMID            string // this copy's umid
	Copy            int    // 1 for the first acceptance, 2 for the first duplicate, ...
	URL             string // where its receipts go
	Final           string // the state of its last planned receipt: "delivered" or "undelivered"
	ErrorCode       int    // of an undelivered outcome
	Planned         int    // receipts planned, late repeats included
	Posted          int    // receipts answered with a 2xx
	Lost            int    // receipts lost after the retry schedule (or refused, or dropped)
}

// dlrPost is one receipt to POST.
type dlrPost struct {
	due     time.Time // wall clock
	seq     uint64
	url     string
	body    []byte
	attempt int
	rec     *DLRRecord
	next    *dlrPost // the message's next receipt, queued once this one's first attempt is over
}

type dlrHeap []*dlrPost

func (h dlrHeap) Len() int { return len(h) }
func (h dlrHeap) Less(i, j int) bool {
	return h[i].due.Before(h[j].due) || (h[i].due.Equal(h[j].due) && h[i].seq < h[j].seq)
}
func (h dlrHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dlrHeap) Push(x any)   { *h = append(*h, x.(*dlrPost)) }
func (h *dlrHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// dlrSender schedules and posts receipts. Its goroutines start with the
// first receipt and end with close.
type dlrSender struct {
	cfg    DLR
	seed   int64
	client *http.Client
	start  sync.Once
	stop   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}
	work   chan *dlrPost

	mu      sync.Mutex
	pending dlrHeap
	seq     uint64
	records []*DLRRecord

	planned, attempts, posted, failed, lost, refused, dropped atomic.Int64
}

func newDLRSender(cfg DLR, seed int64) *dlrSender {
	if cfg.Retry == nil {
		cfg.Retry = DefaultDLRRetry
	}
	if cfg.Scale == 0 {
		cfg.Scale = 1
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Workers == 0 {
		cfg.Workers = 8
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = 1_000_000
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &dlrSender{
		cfg: cfg, seed: seed, stop: make(chan struct{}), ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), work: make(chan *dlrPost),
		client: &http.Client{
			Timeout:   cfg.Timeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers, DisableCompression: true},
			// A receipt is never sent on to wherever a redirect points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func (d *dlrSender) scaled(t time.Duration) time.Duration {
	return time.Duration(float64(t) * d.cfg.Scale)
}

// accept plans and schedules the receipts of one accepted copy.
func (d *dlrSender) accept(a *accepted) {
	u := a.callback
	if u == "" {
		u = d.cfg.URL
	}
	if u == "" {
		return
	}
	steps := d.cfg.plan(d.seed, a)
	rec := &DLRRecord{SubAccount: a.sub, ClientMessageID: a.clientMessageID, UMID: a.umid, Copy: a.copy, URL: u,
		Planned: len(steps)}
	final := steps[len(steps)-1]
	if len(steps) > 1 && final.state == steps[0].state && final.detail == steps[0].detail {
		final = steps[len(steps)-2] // the last step is a late repeat
	}
	rec.Final, rec.ErrorCode = final.state, final.errorCode
	now := time.Now()
	stamp, wait := a.at, time.Duration(0)
	d.mu.Lock()
	d.records = append(d.records, rec)
	refuse := a.callback != "" && !d.cfg.AnyCallbackHost && !loopbackURL(u)
	full := d.pendingLocked()+int64(len(steps)) > int64(d.cfg.MaxPending)
	d.planned.Add(int64(len(steps)))
	if refuse || full {
		c := &d.dropped
		if refuse {
			c = &d.refused
		}
		c.Add(int64(len(steps)))
		rec.Lost = len(steps)
		d.mu.Unlock()
		return
	}
	// The receipts form a chain: each is queued when the previous one's
	// first attempt is over (8x8 sends statuses as they happen), so only a
	// retry, or a late repeat, brings one after a later one.
	var first, last *dlrPost
	for _, st := range steps {
		stamp, wait = stamp.Add(st.gap), wait+st.gap
		p := &dlrPost{due: now.Add(d.scaled(wait)), url: u, body: receiptBody(a, st, stamp), rec: rec}
		if first == nil {
			first = p
		} else {
			last.next = p
		}
		last = p
	}
	d.pushLocked(first)
	d.mu.Unlock()
	d.start.Do(d.run)
}

// run starts the scheduler and the workers.
func (d *dlrSender) run() {
	d.wg.Add(1 + d.cfg.Workers)
	go d.schedule()
	for range d.cfg.Workers {
		go d.worker()
	}
}

// schedule hands each receipt to a worker when it is due.
func (d *dlrSender) schedule() {
	defer d.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var next *dlrPost
		if len(d.pending) > 0 {
			next = d.pending[0]
			if !next.due.After(time.Now()) {
				heap.Pop(&d.pending)
				d.mu.Unlock()
				select {
				case d.work <- next:
					continue
				case <-d.stop:
					return
				}
			}
		}
		d.mu.Unlock()
		wait := time.Hour
		if next != nil {
			wait = time.Until(next.due)
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-d.wake: // Reset above needs no drain (Go 1.23 timers)
		case <-d.stop:
			return
		}
	}
}

// worker posts receipts and reschedules the failed ones on the retry
// schedule.
func (d *dlrSender) worker() {
	defer d.wg.Done()
	for {
		select {
		case p := <-d.work:
			d.send(p)
		case <-d.stop:
			return
		}
	}
}

func (d *dlrSender) send(p *dlrPost) {
	d.attempts.Add(1)
	ok := false
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, p.url, bytes.NewReader(p.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if d.cfg.Authorization != "" {
			req.Header.Set("Authorization", d.cfg.Authorization)
		}
		if resp, err := d.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			ok = resp.StatusCode >= 200 && resp.StatusCode < 300
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx.Err() != nil {
		return // closing: the receipt is neither posted nor lost
	}
	if next := p.next; next != nil {
		p.next = nil
		if now := time.Now(); next.due.Before(now) {
			next.due = now
		}
		d.pushLocked(next)
	}
	if ok {
		d.posted.Add(1)
		p.rec.Posted++
		return
	}
	d.failed.Add(1)
	if p.attempt >= len(d.cfg.Retry) {
		d.lost.Add(1)
		p.rec.Lost++
		return
	}
	p.due = time.Now().Add(d.scaled(d.cfg.Retry[p.attempt]))
	p.attempt++
	d.pushLocked(p)
}

// pushLocked schedules p and wakes the scheduler.
func (d *dlrSender) pushLocked(p *dlrPost) {
	d.seq++
	p.seq = d.seq
	heap.Push(&d.pending, p)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// pendingLocked is the number of receipts planned and not yet posted,
// lost, refused or dropped.
func (d *dlrSender) pendingLocked() int64 {
	return d.planned.Load() - d.posted.Load() - d.lost.Load() - d.refused.Load() - d.dropped.Load()
}

// close stops the goroutines and drops what is pending.
func (d *dlrSender) close() {
	close(d.stop)
	d.cancel()
	d.wg.Wait()
	d.client.CloseIdleConnections()
}

func (d *dlrSender) stats() DLRStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return DLRStats{Planned: d.planned.Load(), Attempts: d.attempts.Load(), Posted: d.posted.Load(),
		Failed: d.failed.Load(), Lost: d.lost.Load(), Refused: d.refused.Load(), Dropped: d.dropped.Load(),
		Pending: d.pendingLocked()}
}

func (d *dlrSender) recordsCopy() []DLRRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DLRRecord, len(d.records))
	for i, r := range d.records {
		out[i] = *r
	}
	return out
}
