package dlr

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/envelope"
)

// Receiver is an http.Handler for 8x8's webhook calls: delivery receipts
// and inbound messages. It is safe for concurrent use. See the package doc
// for what it answers when.
type Receiver struct {
	cfg   Config
	auth  [][sha256.Size]byte
	c     counters
	pool  sync.Pool     // *scratch
	slots chan struct{} // one per queued event, across the queues
	q     []chan *item  // one per worker; a message always goes to the same one
	stop  chan struct{}
	wg    sync.WaitGroup

	closing atomic.Bool // set by Shutdown; the fast check

	mu     sync.Mutex // guards tr and closed, and orders pushes to q
	tr     *tracker
	closed bool
}

// item is an event waiting for its callback.
type item struct {
	inbound bool
	r       Receipt
	m       Inbound
}

// scratch is the per-request state the Receiver pools.
type scratch struct {
	buf []byte
	d   envelope.Decoder
	w   envelope.Webhook
}

// New returns a Receiver for c, with its worker goroutines started; stop
// them with Shutdown. It returns a *ConfigError for a Config it refuses.
func New(c Config) (*Receiver, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	rv := &Receiver{
		cfg:   c,
		slots: make(chan struct{}, c.QueueSize),
		q:     make([]chan *item, c.Workers),
		stop:  make(chan struct{}),
		tr:    newTracker(c.StateTTL, c.MaxTracked),
	}
	for _, a := range c.Authorization {
		rv.auth = append(rv.auth, sha256.Sum256([]byte(a)))
	}
	rv.pool.New = func() any { return new(scratch) }
	rv.wg.Add(c.Workers)
	for i := range rv.q {
		rv.q[i] = make(chan *item, c.QueueSize)
		go rv.work(rv.q[i])
	}
	return rv, nil
}

// ServeHTTP answers one webhook call. It never calls the callbacks itself:
// it queues the event and answers, so 8x8 gets its answer in the time it
// takes to read and decode the body (or, with a full queue, QueueWait).
func (rv *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rv.c.requests.Add(1)
	if !rv.authorized(req.Header.Get("Authorization")) {
		rv.c.unauthorized.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if req.Method != http.MethodPost {
		rv.c.badMethod.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if rv.closing.Load() {
		rv.c.closed.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	s := rv.pool.Get().(*scratch)
	defer rv.pool.Put(s)
	w.WriteHeader(rv.handle(w, req, s))
}

// authorized reports whether got is one of the accepted values, comparing
// SHA-256 digests in constant time.
func (rv *Receiver) authorized(got string) bool {
	if len(rv.auth) == 0 {
		return true // AllowUnauthenticated, and nothing configured
	}
	h := sha256.Sum256([]byte(got))
	ok := 0
	for i := range rv.auth {
		ok |= subtle.ConstantTimeCompare(h[:], rv.auth[i][:])
	}
	return ok == 1
}

// handle reads, decodes and dispatches an authorized POST and returns the
// status to answer.
func (rv *Receiver) handle(w http.ResponseWriter, req *http.Request, s *scratch) int {
	body, status := rv.read(w, req, s)
	if status != 0 {
		return status
	}
	if c := firstByte(body); c == '<' {
		rv.unused(&rv.c.unsupported, "XML body", nil, int64(len(body)))
		return http.StatusOK
	}
	err := s.d.DecodeWebhook(body, &s.w)
	if err != nil && !usable(err) {
		rv.unused(&rv.c.malformed, "malformed body", err, int64(len(body)))
		return http.StatusOK
	}
	switch s.w.Kind() {
	case envelope.KindSMSReceipt, envelope.KindChatReceipt:
		r, _ := s.w.Receipt()
		if r.UMID == "" || r.State == "" {
			rv.unused(&rv.c.malformed, "receipt without umid or state", err, int64(len(body)))
			return http.StatusOK
		}
		return rv.receipt(req.Context(), r)
	case envelope.KindSMSInbound, envelope.KindChatInbound, envelope.KindChatEcho:
		m, _ := s.w.Inbound()
		if rv.cfg.OnInbound == nil {
			rv.c.ignored.Add(1)
			return http.StatusOK
		}
		if m.UMID == "" {
			rv.unused(&rv.c.malformed, "inbound message without umid", err, int64(len(body)))
			return http.StatusOK
		}
		return rv.inbound(req.Context(), m)
	}
	rv.unused(&rv.c.unsupported, "unknown namespace or eventType", nil, int64(len(body)))
	return http.StatusOK
}

// essential lists the fields whose field error makes a body unusable; an
// error in any other (a price, a pricing category, a malformed status
// timestamp) leaves the receipt usable, ordered by its arrival.
var essential = map[string]bool{
	"": true, "namespace": true, "eventType": true, "payload": true, "umid": true, "status": true,
	"payload.umid": true, "payload.status": true, "payload.status.state": true, "payload.status.detail": true,
}

// usable reports whether a decode error leaves the body usable: a
// *FieldError outside the essential fields.
func usable(err error) bool {
	fe, ok := err.(*envelope.FieldError)
	return ok && !essential[fe.Field]
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c
		}
	}
	return 0
}

// receipt judges r against the state held for its message and queues it
// when it advances that state.
func (rv *Receiver) receipt(ctx context.Context, r envelope.Receipt) int {
	now := rv.cfg.Clock.Now()
	key := r.UMID + "\x00" + strings.ToLower(r.Channel)
	rank := r.Rank()
	rv.mu.Lock()
	v, _ := rv.tr.judge(key, rank, r.Timestamp, r.State, r.Detail, now)
	rv.mu.Unlock()
	if rv.dropped(v) {
		return http.StatusOK
	}
	keepReceipt(&r)
	it := &item{r: Receipt{Receipt: r, ReceivedAt: now}}
	return rv.push(ctx, r.UMID, it, func() bool {
		v, prev := rv.tr.judge(key, rank, r.Timestamp, r.State, r.Detail, now)
		if rv.dropped(v) {
			return false
		}
		rv.tr.record(key, rank, r.Timestamp, r.State, r.Detail, now)
		it.r.Previous = prev
		rv.c.receipts.Add(1)
		return true
	})
}

// dropped counts a duplicate or stale verdict and reports whether it was
// one.
func (rv *Receiver) dropped(v verdict) bool {
	switch v {
	case verdictDuplicate:
		rv.c.duplicates.Add(1)
		return true
	case verdictStale:
		rv.c.stale.Add(1)
		return true
	}
	return false
}

// inbound queues m unless its umid was seen.
func (rv *Receiver) inbound(ctx context.Context, m envelope.Inbound) int {
	now := rv.cfg.Clock.Now()
	key := "mo\x00" + m.UMID
	rv.mu.Lock()
	seen := rv.tr.has(key, now)
	rv.mu.Unlock()
	if seen {
		rv.c.duplicates.Add(1)
		return http.StatusOK
	}
	keepInbound(&m)
	it := &item{inbound: true, m: Inbound{Inbound: m, ReceivedAt: now}}
	return rv.push(ctx, m.UMID, it, func() bool {
		if rv.tr.seen(key, now) {
			rv.c.duplicates.Add(1)
			return false
		}
		rv.c.inbound.Add(1)
		return true
	})
}

// push takes a queue slot (waiting up to QueueWait), then, holding the
// mutex, lets commit decide again (another request may have moved the
// state meanwhile) and queues it for the worker of umid, so that the
// events of one message reach the callbacks in the order they were
// queued, whatever the number of workers. It returns the status to answer: 503 when
// no slot came free or the Receiver is shutting down, 200 otherwise.
func (rv *Receiver) push(ctx context.Context, umid string, it *item, commit func() bool) int {
	if !rv.acquire(ctx) {
		if rv.closing.Load() {
			rv.c.closed.Add(1)
		} else {
			rv.c.busy.Add(1)
		}
		return http.StatusServiceUnavailable
	}
	rv.mu.Lock()
	if rv.closed {
		rv.mu.Unlock()
		<-rv.slots
		rv.c.closed.Add(1)
		return http.StatusServiceUnavailable
	}
	if !commit() {
		rv.mu.Unlock()
		<-rv.slots
		return http.StatusOK
	}
	rv.q[shard(umid, len(rv.q))] <- it // never blocks: the slot is held
	rv.mu.Unlock()
	return http.StatusOK
}

// acquire takes a queue slot, waiting up to QueueWait.
func (rv *Receiver) acquire(ctx context.Context) bool {
	select {
	case rv.slots <- struct{}{}:
		return true
	default:
	}
	if rv.cfg.QueueWait < 0 {
		return false
	}
	t := rv.cfg.Clock.NewTimer(rv.cfg.QueueWait)
	defer t.Stop()
	select {
	case rv.slots <- struct{}{}:
		return true
	case <-t.C():
	case <-ctx.Done():
	case <-rv.stop:
	}
	return false
}

// Stats returns the counters.
func (rv *Receiver) Stats() Stats {
	c := &rv.c
	rv.mu.Lock()
	tracked, evicted := rv.tr.len(), rv.tr.evicted
	rv.mu.Unlock()
	return Stats{
		Requests: c.requests.Load(), Receipts: c.receipts.Load(), Inbound: c.inbound.Load(),
		Duplicates: c.duplicates.Load(), Stale: c.stale.Load(), Ignored: c.ignored.Load(),
		Malformed: c.malformed.Load(), Oversize: c.oversize.Load(), Unsupported: c.unsupported.Load(),
		Unauthorized: c.unauthorized.Load(), BadMethod: c.badMethod.Load(), ReadFailed: c.readFailed.Load(),
		Busy: c.busy.Load(), Closed: c.closed.Load(), CallbackPanics: c.panics.Load(),
		Evicted: evicted, Tracked: tracked, Queued: len(rv.slots),
	}
}

// Shutdown stops taking events (the handler answers 503 from then on, so
// 8x8 delivers them again to whoever answers next), lets the workers hand
// over every event already queued, and waits for them. It returns
// ctx.Err() if ctx ends first; the workers then finish in the background.
// Calling it again waits again.
func (rv *Receiver) Shutdown(ctx context.Context) error {
	rv.mu.Lock()
	if !rv.closed {
		rv.closed = true
		rv.closing.Store(true)
		close(rv.stop)
	}
	rv.mu.Unlock()
	done := make(chan struct{})
	go func() {
		rv.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shard picks the queue of a umid (FNV-1a).
func shard(umid string, n int) int {
	if n == 1 {
		return 0
	}
	h := uint32(2166136261)
	for i := 0; i < len(umid); i++ {
		h ^= uint32(umid[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// timeNow is the wall clock for socket deadlines (which the Clock cannot
// drive).
var timeNow = time.Now
