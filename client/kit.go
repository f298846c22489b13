package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// A sendKit is the machinery of one send's requests, reused from send to
// send: the call, the go-retryablehttp and net/http requests (and the
// copy the transport sees, see header), the request's context and its
// attempt timer, the trace hook, the body, the response buffer and decode
// scratch. Building them afresh cost a send 15 allocations more than a
// bare net/http POST; reused, a send allocates fewer than the bare POST.
//
// net/http may still use a request after RoundTrip returns: the header and
// body are written, and the request context asked, on the transport's
// goroutines.
// So a kit goes back to the pool only when nothing can touch what the next
// send will change:
//
//   - every body reader handed out was written to its end: each write ends
//     with the WroteRequest trace (net/http's HTTP/1 and HTTP/2 transports
//     call it after the last read of the body), so the readers handed out
//     and the WroteRequest calls counted must be equal;
//   - the caller's context did not end (its AfterFunc did not run);
//   - the request context was not cancelled.
//
// Otherwise the kit is left to the garbage collector. What the transport's
// goroutines may still ask the request context after that (Done, Value,
// Deadline) is answered under the context's lock from the current send's
// state, which is harmless: net/http asks only to unregister a finished
// request's child context.
type sendKit struct {
	st   call
	rctx reqCtx

	rreq *retryablehttp.Request
	hreq *http.Request // rreq's own request
	tmpl http.Request  // *hreq as built, to reset it per send

	// header is the send's real header (the client's, shared, read-only).
	// http.Client sees hreq with an empty header of the kit's own (extra):
	// it clones a request's header on every Do, for redirects the client
	// never follows, and that clone was the largest single cost of a send
	// above the transport. The client's transport puts the header back on
	// the request it hands on (wireRequest), with whatever http.Client
	// added to extra (a Config.HTTPClient's cookie jar its cookies).
	header http.Header
	extra  http.Header
	wire   http.Request // the first attempt's request as the transport sees it

	cur         atomic.Pointer[reqCtx] // the context of the send's attempts: rctx, or a fresh one after a timeout
	trace       httptrace.ClientTrace
	callerTrace *httptrace.ClientTrace // the copy of trace under the caller's own ClientTrace, if any
	first       bytes.Reader
	firstRC     io.ReadCloser // io.NopCloser(&first), boxed once; net/http sees through it to an in-memory reader
	buf         []byte        // a single send's encoded request

	// The response buffer and decode scratch of the kit's last send, kept
	// with it in the pool so a send takes one thing from a pool, not three.
	resp *buffer
	sc   *scratch

	wrote   atomic.Bool  // the current attempt's request was written whole
	handed  atomic.Int32 // body readers handed to go-retryablehttp this send
	written atomic.Int32 // WroteRequest calls this send

	stopParent func() bool // unhooks the caller's context (context.AfterFunc)
	armed      bool        // the current attempt armed the timer and has not ended (the send's goroutine only)
}

// maxKitBuf is the largest request buffer a pooled kit keeps.
const maxKitBuf = 64 << 10

var kitPool sync.Pool

// getKit returns a kit whose request is ready but for the send's URL,
// body and context (see bind).
func getKit() (*sendKit, error) {
	if k, ok := kitPool.Get().(*sendKit); ok {
		return k, nil
	}
	k := new(sendKit)
	k.firstRC = io.NopCloser(&k.first)
	k.extra = make(http.Header)
	k.trace.WroteRequest = k.wroteRequest
	k.rctx.k = k
	k.rctx.parent = context.Background()
	k.rctx.base, k.rctx.cancel = context.WithCancelCause(context.Background())
	k.cur.Store(&k.rctx)
	// The URL is the send's (bind); the body reader measures nothing
	// here: the length is the send's too.
	rreq, err := retryablehttp.NewRequestWithContext(&k.rctx, http.MethodPost, "http://octosend.invalid/", retryablehttp.ReaderFunc(k.readBody))
	if err != nil {
		return nil, err
	}
	k.rreq, k.hreq, k.tmpl = rreq, rreq.Request, *rreq.Request
	k.handed.Store(0) // NewRequestWithContext asked for one reader: not one net/http writes
	return k, nil
}

// bind makes the kit's request the send's: its URL, headers, body and
// context (st.Context, after OnSend). A context that carries its own
// httptrace.ClientTrace gets a request of its own, whose trace calls both.
func (k *sendKit) bind(st *call, header http.Header) {
	*k.hreq = k.tmpl
	k.hreq.URL = st.u
	k.hreq.Host = strings.TrimSuffix(st.u.Host, ":") // as http.NewRequest sets it
	clear(k.extra)
	k.hreq.Header = k.extra
	k.header = header
	k.hreq.ContentLength = int64(len(st.body))
	k.rreq.Request = k.hreq

	ctx := st.Context
	own := traceKey != nil && ctx.Value(traceKey) == nil
	r := &k.rctx
	r.mu.Lock()
	r.parent, r.policyDL = ctx, st.deadline
	r.ownTrace.Store(own)
	r.mu.Unlock()
	if ctx.Done() != nil {
		k.stopParent = context.AfterFunc(ctx, k.parentDone)
	}
	if !own {
		t := new(httptrace.ClientTrace)
		*t = k.trace
		k.callerTrace = t
		k.rreq.Request = k.hreq.WithContext(httptrace.WithClientTrace(r, t))
	}
}

// wireRequest returns req with the send's header, for the transport under
// the client's own: a shallow copy of req, the kit's own on the send's
// first attempt; a retry gets a new one, because the transport's write
// loop may still read the previous attempt's. A header http.Client added
// to (a cookie jar's cookies) is merged into a copy of the send's, and
// emptied for the next attempt, to which http.Client adds them again.
func (k *sendKit) wireRequest(req *http.Request, attempt int) *http.Request {
	if k.header == nil {
		return req
	}
	h := k.header
	if len(req.Header) != 0 {
		h = k.header.Clone()
		for key, v := range req.Header {
			h[key] = append(h[key], v...)
		}
		clear(req.Header)
	}
	w := &k.wire
	if attempt != 1 {
		w = new(http.Request)
	}
	*w = *req
	w.Header = h
	return w
}

// readBody hands go-retryablehttp a reader over the request body, once
// per attempt (and once more for each of net/http's own replays).
func (k *sendKit) readBody() (io.Reader, error) {
	if k.handed.Add(1) == 1 {
		k.first.Reset(k.st.body)
		return k.firstRC, nil
	}
	return bytes.NewReader(k.st.body), nil
}

func (k *sendKit) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		k.wrote.Store(true)
	}
	k.written.Add(1)
}

// release ends the send's use of the kit and pools it, with the send's
// response buffer and scratch, when that is safe (see sendKit). It reports
// whether it pooled them.
func (k *sendKit) release(resp *buffer, sc *scratch) bool {
	reuse := k.handed.Load() == k.written.Load()
	if k.stopParent != nil {
		if !k.stopParent() {
			reuse = false // the caller's context ended: its AfterFunc ran or runs
		}
		k.stopParent = nil
	}
	if k.cur.Load() != &k.rctx {
		reuse = false // an attempt timed out: its context stays cancelled
	}
	r := &k.rctx
	r.mu.Lock()
	if r.base.Err() != nil || !r.attempt.IsZero() {
		reuse = false
	}
	r.parent = context.Background()
	r.ownTrace.Store(false)
	r.mu.Unlock()
	if !reuse {
		return false
	}
	k.st = call{}
	k.resp, k.sc = nil, nil
	if bufferPoolable(resp) {
		resp.b = resp.b[:0]
		k.resp = resp
	}
	if scratchPoolable(sc) {
		k.sc = sc
	}
	k.callerTrace = nil
	k.header, k.wire = nil, http.Request{}
	if cap(k.buf) > maxKitBuf {
		k.buf = nil
	}
	k.handed.Store(0)
	k.written.Store(0)
	k.wrote.Store(false)
	k.armed = false
	kitPool.Put(k)
	return true
}

// arm starts the current attempt's timer (see reqCtx.arm).
func (k *sendKit) arm(dl time.Time, d time.Duration) {
	k.armed = true
	k.cur.Load().arm(dl, d)
}

// endAttempt stops the attempt's timer. If the timer had fired, the
// attempt's context is cancelled for good (net/http's goroutines of that
// attempt may still watch it), so the send's later waits and attempts get
// a fresh one.
func (k *sendKit) endAttempt() {
	if !k.armed {
		return // not armed, or ended already: the timer cannot have cancelled anything since
	}
	k.armed = false
	r := k.cur.Load()
	if !r.disarm() {
		return
	}
	n := &reqCtx{k: k, parent: r.parent, policyDL: r.policyDL}
	n.ownTrace.Store(r.ownTrace.Load())
	n.base, n.cancel = context.WithCancelCause(context.Background())
	k.cur.Store(n)
	if err := n.parent.Err(); err != nil {
		n.parentDone() // parentDone may have run on the context before
	}
	var ctx context.Context = n
	if k.callerTrace != nil {
		ctx = httptrace.WithClientTrace(n, k.callerTrace)
	}
	k.rreq.Request = k.rreq.Request.WithContext(ctx)
}

// parentDone cancels the send's requests when the caller's context ends.
func (k *sendKit) parentDone() { k.cur.Load().parentDone() }

// reqCtx is the context of a kit's requests. Done is that of a cancelCtx
// of its own (base), which the attempt timer or the end of the caller's
// context cancels, once: so net/http's per-request contexts are its
// children, registered in base's map, without a goroutine or an AfterFunc
// per request. Values come from the caller's context; Deadline is the
// earliest of the caller's, the policy's and the attempt's.
//
// A reqCtx is never revived: once base is cancelled, Done, Err and
// context.Cause agree for every goroutine that still holds it, and the
// send goes on with a fresh reqCtx (sendKit.endAttempt).
type reqCtx struct {
	k      *sendKit
	base   context.Context // set once
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	parent    context.Context // the send's context
	policyDL  time.Time       // the policy's deadline (call.deadline)
	attempt   time.Time       // the armed attempt's deadline; zero between attempts
	ownTrace  atomic.Bool     // Value(traceKey) is the kit's trace: net/http's most frequent question, answered without the lock
	timedOut  bool            // base was cancelled by the attempt timer
	fireAt    time.Time       // when timer is set to fire; zero when it is not set
	parentErr error           // base was cancelled because the caller's context ended with this
	timer     *time.Timer
}

func (r *reqCtx) Deadline() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dl, ok := r.parent.Deadline()
	for _, d := range [2]time.Time{r.policyDL, r.attempt} {
		if !d.IsZero() && (!ok || d.Before(dl)) {
			dl, ok = d, true
		}
	}
	return dl, ok
}

func (r *reqCtx) Done() <-chan struct{} { return r.base.Done() }

func (r *reqCtx) Err() error {
	if r.base.Err() == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.parentErr != nil:
		return r.parentErr
	case r.timedOut:
		return context.DeadlineExceeded
	}
	return context.Canceled
}

func (r *reqCtx) Value(key any) any {
	switch key {
	case callKey{}:
		return &r.k.st
	case nil:
		return nil
	case cancelKey:
		return r.base.Value(key)
	}
	if key == traceKey && r.ownTrace.Load() {
		return &r.k.trace
	}
	r.mu.Lock()
	p := r.parent
	r.mu.Unlock()
	if v := p.Value(key); v != nil {
		return v
	}
	return r.base.Value(key) // cancelKey when it could not be learnt (see learnKeys)
}

func (r *reqCtx) String() string { return "octosend request context" }

// arm starts the attempt's timer: at dl, d from now, the attempt's
// request is cancelled with context.DeadlineExceeded as its cause.
//
// The timer is lazy: it is not stopped when an attempt ends, and it is
// reset only when it would fire after dl. Sends one after another with
// the same attempt timeout find it already set to fire before their own
// deadline, so a send touches the runtime's timer heap about once per
// attempt timeout instead of twice per attempt; when it fires early,
// expire sets it again for the attempt under way, if any.
func (r *reqCtx) arm(dl time.Time, d time.Duration) {
	r.mu.Lock()
	r.attempt = dl
	switch {
	case r.timer == nil:
		r.timer, r.fireAt = time.AfterFunc(d, r.expire), dl
	case r.fireAt.IsZero() || r.fireAt.After(dl):
		r.timer.Reset(d)
		r.fireAt = dl
	}
	r.mu.Unlock()
}

// disarm ends the attempt; its timer stays set (see arm). It reports
// whether the timer had cancelled the context.
func (r *reqCtx) disarm() (timedOut bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempt = time.Time{}
	return r.timedOut
}

// expire is the attempt timer's function. It cancels the request context
// when the armed attempt's deadline has passed; it sets the timer again
// when an attempt is armed whose deadline is still ahead (the timer was
// set for an earlier one), and does nothing when none is armed.
func (r *reqCtx) expire() {
	r.mu.Lock()
	r.fireAt = time.Time{}
	if r.attempt.IsZero() || r.base.Err() != nil {
		r.mu.Unlock()
		return
	}
	if left := time.Until(r.attempt); left > 0 {
		r.timer.Reset(left)
		r.fireAt = r.attempt
		r.mu.Unlock()
		return
	}
	r.attempt, r.timedOut = time.Time{}, true
	r.mu.Unlock()
	r.cancel(context.DeadlineExceeded)
}

// parentDone cancels base with the cause of the caller's context.
func (r *reqCtx) parentDone() {
	r.mu.Lock()
	p := r.parent
	if r.base.Err() != nil || p.Err() == nil {
		r.mu.Unlock()
		return
	}
	r.parentErr = p.Err()
	r.mu.Unlock()
	r.cancel(context.Cause(p))
}

// traceKey and cancelKey are the keys under which httptrace keeps a
// ClientTrace and the context package finds a context's cancelCtx. Both
// are unexported; learnKeys asks each package to look one up in a probe
// context, and keeps the key only if a real context answers it. Without
// traceKey every request gets its own trace context (httptrace.
// WithClientTrace); without cancelKey net/http's contexts hang on base
// only when the caller's context has no cancelCtx of its own.
var traceKey, cancelKey any

type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any { p.key = key; return nil }
func (p *keyProbe) Err() error        { return context.Canceled }

func learnKeys() (trace, cancel any) {
	p := &keyProbe{Context: context.Background()}
	httptrace.ContextClientTrace(p)
	t := &httptrace.ClientTrace{}
	if k := p.key; k != nil && httptrace.WithClientTrace(context.Background(), t).Value(k) == t {
		trace = k
	}
	p.key = nil
	_ = context.Cause(p)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if k := p.key; k != nil && ctx.Value(k) == ctx {
		cancel = k
	}
	return trace, cancel
}

func init() { traceKey, cancelKey = learnKeys() }
