package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

// The keys the kit's request context answers for httptrace and the context
// package must be learnt, or every request pays for its own trace context
// and net/http's per-request contexts need a goroutine (see learnKeys).
func TestKitKeysLearnt(t *testing.T) {
	if traceKey == nil || cancelKey == nil {
		t.Fatalf("traceKey %v, cancelKey %v: a key was not learnt from this Go's httptrace and context", traceKey, cancelKey)
	}
	r := &reqCtx{parent: context.Background()}
	r.base, r.cancel = context.WithCancelCause(context.Background())
	if p, ok := r.Value(cancelKey).(context.Context); !ok || p != r.base {
		t.Errorf("the request context answers %v for the cancelCtx key, want the kit's base", p)
	}
	child, stop := context.WithCancel(r)
	defer stop()
	r.cancel(context.DeadlineExceeded)
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling base did not end a child context")
	}
	if !errors.Is(context.Cause(child), context.DeadlineExceeded) {
		t.Errorf("child's cause %v, want DeadlineExceeded", context.Cause(child))
	}
}

// A transport may read a request body after RoundTrip has returned (HTTP/2
// writes the body while the answer comes). The kit of that send must not
// serve the next send, whose body would overwrite the one being written.
func TestKitNotReusedWhileBodyIsWritten(t *testing.T) {
	ts := newTestServer(t)
	type lateWrite struct {
		body  io.ReadCloser
		trace *httptrace.ClientTrace
	}
	late := make(chan lateWrite, 1)
	var first atomic.Bool
	cfg := testConfig(ts.URL, clock.Real, 0)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if !first.CompareAndSwap(false, true) {
				return rt.RoundTrip(req)
			}
			// Answer at once and leave the body to be written later.
			late <- lateWrite{req.Body, httptrace.ContextClientTrace(req.Context())}
			answer := smsOK("late-1")
			return &http.Response{
				StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(answer)), ContentLength: int64(len(answer)), Request: req,
			}, nil
		})
	}
	c := newClient(t, cfg)
	ctx := context.Background()
	send := func(cmid string) {
		t.Helper()
		m := sms1
		m.ClientMessageID = cmid
		if _, err := c.SendSMS(ctx, "acme_hq", m); err != nil {
			t.Fatalf("send %s: %v", cmid, err)
		}
	}
	send("late-1")
	w := <-late
	for i := range 20 { // enough sends that a wrongly pooled kit would be taken
		send("next-" + strconv.Itoa(i))
	}
	body, err := io.ReadAll(w.body)
	w.body.Close()
	if err != nil || !strings.Contains(string(body), `"late-1"`) {
		t.Fatalf("the late write read %q (err %v), want the first send's body", body, err)
	}
	if w.trace == nil || w.trace.WroteRequest == nil {
		t.Fatal("the request's context carries no WroteRequest trace")
	}
	w.trace.WroteRequest(httptrace.WroteRequestInfo{})
	send("after")
	reqs := ts.requests()
	if len(reqs) != 21 {
		t.Fatalf("server saw %d requests, want 21", len(reqs))
	}
	for i, r := range reqs {
		want := "next-" + strconv.Itoa(i)
		if i == 20 {
			want = "after"
		}
		if r.cmid != want {
			t.Errorf("request %d carried clientMessageId %q, want %q", i, r.cmid, want)
		}
	}
}

type ctxKey struct{}

// The request a transport sees carries the caller's values and a deadline
// no later than the attempt timeout, and ends with the caller's context.
func TestKitRequestContext(t *testing.T) {
	ts := newTestServer(t)
	hang := make(chan struct{})
	defer close(hang)
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Hang") != "" {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, smsOK("x"))
	})
	type seen struct {
		val      any
		deadline time.Duration
		hasDL    bool
		done     bool
	}
	seenc := make(chan seen, 16)
	cfg := testConfig(ts.URL, clock.Real, 0)
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{AttemptTimeout: 5 * time.Second, MaxAttempts: 1}})
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			ctx := req.Context()
			dl, ok := ctx.Deadline()
			seenc <- seen{ctx.Value(ctxKey{}), time.Until(dl), ok, ctx.Done() != nil}
			if ctx.Value(ctxKey{}) == "hang" {
				req.Header = req.Header.Clone()
				req.Header.Set("X-Hang", "1")
			}
			return rt.RoundTrip(req)
		})
	}
	c := newClient(t, cfg)

	// A value of the caller's context, and the attempt's deadline.
	ctx := context.WithValue(context.Background(), ctxKey{}, "v1")
	if _, err := c.SendSMS(ctx, "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	s := <-seenc
	if s.val != "v1" || !s.hasDL || s.deadline > 5*time.Second || s.deadline < 4*time.Second || !s.done {
		t.Errorf("transport saw %+v, want value v1, a deadline within the 5 s attempt timeout, a Done channel", s)
	}

	// The caller cancels during the attempt.
	cctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "hang"))
	errc := make(chan error, 1)
	go func() {
		_, err := c.SendSMS(cctx, "acme_hq", sms1)
		errc <- err
	}()
	<-seenc
	time.Sleep(20 * time.Millisecond) // let the request reach the server
	cancel()
	err := recv(t, errc)
	se, ok := errors.AsType[*SendError](err)
	if !ok || se.Transport != policy.TransportCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled send: err %v, want a *SendError, TransportCanceled, matching context.Canceled", err)
	}

	// The caller's deadline, shorter than the attempt's, ends the attempt.
	dctx, dcancel := context.WithTimeout(context.WithValue(context.Background(), ctxKey{}, "hang"), 100*time.Millisecond)
	defer dcancel()
	_, err = c.SendSMS(dctx, "acme_hq", sms1)
	if s := <-seenc; s.deadline > 100*time.Millisecond {
		t.Errorf("transport saw a deadline %v away, want the caller's (≤ 100ms)", s.deadline)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("send past the caller's deadline: err %v, want DeadlineExceeded", err)
	}

	// A context that was cancellable but ended after its send leaves the
	// client working; so does one that was cancelled.
	for range 3 {
		lctx, lcancel := context.WithCancel(context.Background())
		if _, err := c.SendSMS(lctx, "acme_hq", sms1); err != nil {
			t.Fatal(err)
		}
		lcancel()
		<-seenc
		if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
			t.Fatalf("send after a cancelled context's send: %v", err)
		}
		if s := <-seenc; s.val != nil || !s.hasDL {
			t.Errorf("next send's transport saw %+v, want no value and the attempt deadline", s)
		}
	}
}

// A caller's own httptrace.ClientTrace sees its send's request, and only
// its own: the kit's trace is not left composed with it.
func TestKitCallerTrace(t *testing.T) {
	ts := newTestServer(t)
	c := newClient(t, testConfig(ts.URL, clock.Real, 0))
	var wrote, conns atomic.Int32
	trace := &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Add(1) },
		GotConn:      func(httptrace.GotConnInfo) { conns.Add(1) },
	}
	traced := httptrace.WithClientTrace(context.Background(), trace)
	for i, ctx := range []context.Context{traced, context.Background(), context.Background(), traced} {
		if _, err := c.SendSMS(ctx, "acme_hq", sms1); err != nil {
			t.Fatal(err)
		}
		want := [...]int32{1, 1, 1, 2}[i] // only the traced sends count
		if wrote.Load() != want || conns.Load() != want {
			t.Errorf("after send %d: the caller's trace saw %d writes and %d connections, want %d", i, wrote.Load(), conns.Load(), want)
		}
	}
}

// Over HTTP/2 the body is written by the stream's goroutine, and an answer
// may come before it is done. Sends side by side, some answered before
// their body is read and one timed out, all deliver their own body.
func TestKitHTTP2(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	var first atomic.Bool
	var wantHost string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		if r.Host != wantHost {
			t.Errorf("request's Host %q, want %q", r.Host, wantHost)
		}
		if first.CompareAndSwap(false, true) {
			// Past the attempt timeout the send retries, and the
			// abandoned stream must be reset.
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				t.Error("the timed-out attempt's stream was not reset")
			}
			return
		}
		cmid := r.Header.Get("X-Test-Cmid")
		if strings.HasSuffix(cmid, "-early") {
			io.WriteString(w, smsOK(cmid)) // answer first, read the body after
			w.(http.Flusher).Flush()
		}
		var probe struct {
			ClientMessageID string `json:"clientMessageId"`
			Destination     string `json:"destination"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &probe); err != nil || probe.ClientMessageID != cmid || probe.Destination != sms1.Destination {
			t.Errorf("request for %q carried %q (%v)", cmid, body, err)
		}
		mu.Lock()
		seen[cmid]++
		mu.Unlock()
		if !strings.HasSuffix(cmid, "-early") {
			io.WriteString(w, smsOK(cmid))
		}
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	wantHost = srv.Listener.Addr().String()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	cfg := testConfig(srv.URL, clock.Real, 0)
	cfg.HTTPClient = &http.Client{Transport: tr}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{AttemptTimeout: 200 * time.Millisecond}})
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			// The test's header names the message, so the server can check
			// the body against it.
			var probe struct {
				ClientMessageID string `json:"clientMessageId"`
			}
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			raw, _ := io.ReadAll(b)
			json.Unmarshal(raw, &probe)
			req = req.Clone(req.Context())
			req.Header.Set("X-Test-Cmid", probe.ClientMessageID)
			return rt.RoundTrip(req)
		})
	}
	c := newClient(t, cfg)
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				m := sms1
				m.ClientMessageID = fmt.Sprintf("h2-%d-%d", w, i)
				if i%3 == 0 {
					m.ClientMessageID += "-early"
				}
				res, err := c.SendSMS(context.Background(), "acme_hq", m)
				if err != nil || res.Status != "QUEUED" {
					t.Errorf("send %s: %+v, %v", m.ClientMessageID, res, err)
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != workers*each {
		t.Errorf("server saw %d distinct messages, want %d", len(seen), workers*each)
	}
}

// An attempt that times out leaves its context cancelled for good: a
// goroutine of net/http that still holds it (HTTP/2 resets the stream from
// one) must see Done closed and Err set together, while the send's next
// attempt runs on a live context of its own.
func TestKitTimedOutAttemptContext(t *testing.T) {
	ts := newTestServer(t)
	var n atomic.Int32
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Host != ts.Listener.Addr().String() {
			t.Errorf("request's Host %q, want %q", r.Host, ts.Listener.Addr())
		}
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		io.WriteString(w, smsOK("x"))
	})
	ctxs := make(chan context.Context, 4)
	cfg := testConfig(ts.URL, clock.Real, 0)
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{AttemptTimeout: 100 * time.Millisecond}})
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			ctxs <- req.Context()
			return rt.RoundTrip(req)
		})
	}
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	if len(ctxs) != 2 {
		t.Fatalf("%d attempts, want 2 (a timeout, then an answer)", len(ctxs))
	}
	first, second := <-ctxs, <-ctxs
	select {
	case <-first.Done():
	default:
		t.Fatal("the timed-out attempt's context is not done")
	}
	if !errors.Is(first.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(first), context.DeadlineExceeded) {
		t.Errorf("timed-out attempt's context: Err %v, Cause %v, want DeadlineExceeded for both", first.Err(), context.Cause(first))
	}
	if first.Value(callKey{}) != second.Value(callKey{}) || first.Value(callKey{}) == nil {
		t.Error("the two attempts' contexts do not carry the same send")
	}
	if second.Err() != nil {
		t.Errorf("the answered attempt's context: Err %v, want nil", second.Err())
	}
	// The next send works on a fresh kit.
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	if third := <-ctxs; third == first || third.Err() != nil {
		t.Errorf("next send's context %p (first %p), Err %v: want a live context, not the cancelled one", third, first, third.Err())
	}
}

// The attempt timer is lazy (see reqCtx.arm): an attempt that ends leaves
// it set; when it fires for an attempt already over it does nothing, when
// it fires before the deadline of the attempt under way it sets itself
// again for that deadline, and an attempt with an earlier deadline than
// the one it is set for resets it.
func TestKitLazyAttemptTimer(t *testing.T) {
	k, err := getKit()
	if err != nil {
		t.Fatal(err)
	}
	r := &k.rctx
	fireAt := func() time.Time {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.fireAt
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	const short = 20 * time.Millisecond

	// An attempt that ended: the timer fires and does nothing.
	r.arm(time.Now().Add(short), short)
	r.disarm()
	waitFor("the timer of an ended attempt to fire", func() bool { return fireAt().IsZero() })
	if r.base.Err() != nil {
		t.Fatalf("a timer firing after its attempt ended cancelled the context: %v", r.base.Err())
	}

	// Set for an earlier attempt, it fires during a later one with a
	// deadline far ahead: it sets itself for that deadline.
	const early = 500 * time.Millisecond // the next check, moments away, comes before it fires
	r.arm(time.Now().Add(early), early)
	r.disarm()
	far := time.Now().Add(time.Hour)
	r.arm(far, time.Hour)
	if got := fireAt(); got.Equal(far) {
		t.Fatal("a later deadline reset the timer; it should stay set for the earlier one")
	}
	waitFor("the timer to set itself for the later attempt", func() bool { return fireAt().Equal(far) })
	if r.base.Err() != nil {
		t.Fatalf("the timer cancelled an attempt whose deadline is an hour ahead: %v", r.base.Err())
	}

	// An attempt with an earlier deadline resets it, and it cancels that
	// attempt at its deadline, not before.
	r.disarm()
	dl := time.Now().Add(short)
	r.arm(dl, short)
	if got := fireAt(); !got.Equal(dl) {
		t.Fatalf("timer set for %v, want the earlier deadline %v", got, dl)
	}
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the attempt was not cancelled at its deadline")
	}
	if now := time.Now(); now.Before(dl) {
		t.Errorf("cancelled %v before the attempt's deadline", dl.Sub(now))
	}
	if !r.disarm() || !errors.Is(r.Err(), context.DeadlineExceeded) {
		t.Errorf("timed out %v, Err %v: want true and DeadlineExceeded", r.timedOut, r.Err())
	}
}

// http.Client sees a send's request with an empty header (it clones the
// header on every Do, for redirects the client never follows); the
// client's transport hands on a copy with the real one. Every attempt's
// request reaches a WrapTransport and the server with the whole header, a
// retry's in a request of its own (the write loop may still read the
// first), and the kit's request is left as http.Client saw it.
func TestKitHeaderPastHTTPClient(t *testing.T) {
	ts := newTestServer(t, reply{status: 502, body: "bad gateway"})
	var (
		mu   sync.Mutex
		seen []*http.Request
		hdrs []http.Header
	)
	cfg := testConfig(ts.URL, clock.Real, 0)
	cfg.UserAgent = "octosend-test/1"
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			seen = append(seen, req)
			hdrs = append(hdrs, req.Header.Clone())
			mu.Unlock()
			return rt.RoundTrip(req)
		})
	}
	c := newClient(t, cfg)
	res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 2 || len(seen) != 2 {
		t.Fatalf("%d attempts, %d requests at the wrapper; want 2 (a 502, then a 200)", res.Attempts, len(seen))
	}
	want := http.Header{
		"Authorization": {"Bearer " + testKey},
		"Content-Type":  {"application/json"},
		"Accept":        {"application/json"},
		"User-Agent":    {"octosend-test/1"},
	}
	for i, h := range hdrs {
		for k, v := range want {
			if got := h.Values(k); len(got) != 1 || got[0] != v[0] {
				t.Errorf("attempt %d: header %s = %q, want %q", i+1, k, got, v)
			}
		}
	}
	if seen[0] == seen[1] {
		t.Error("the retry reused the first attempt's request")
	}
	for i, r := range ts.requests() {
		if r.auth != "Bearer "+testKey {
			t.Errorf("server's request %d: Authorization %q", i+1, r.auth)
		}
	}
	k, err := getKit()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ts.URL + "/api/v1/subaccounts/acme_hq/messages")
	if err != nil {
		t.Fatal(err)
	}
	st := call{Context: context.Background(), c: c, u: u, body: []byte("{}")}
	k.bind(&st, c.header)
	if len(k.hreq.Header) != 0 {
		t.Errorf("the request http.Client sees has header %v, want none", k.hreq.Header)
	}
	k.st.attempts = 1
	w := k.wireRequest(k.hreq, 1)
	if w == k.hreq || w.Header.Get("Authorization") != "Bearer "+testKey || len(k.hreq.Header) != 0 {
		t.Errorf("wireRequest: same request %v, its Authorization %q, the kit's header %v: want a copy with the header, the kit's request untouched",
			w == k.hreq, w.Header.Get("Authorization"), k.hreq.Header)
	}
	k.extra.Set("Cookie", "a=1") // what a cookie jar adds through http.Client
	w = k.wireRequest(k.hreq, 2)
	if w == &k.wire || w.Header.Get("Cookie") != "a=1" || w.Header.Get("Authorization") != "Bearer "+testKey ||
		len(k.extra) != 0 || c.header.Get("Cookie") != "" {
		t.Errorf("wireRequest of a retry with a cookie: kit's copy %v, Cookie %q, Authorization %q, extra left %v, client's header %v: "+
			"want a new request with both, extra emptied, the client's header untouched",
			w == &k.wire, w.Header.Get("Cookie"), w.Header.Get("Authorization"), k.extra, c.header)
	}
}

// A Config.HTTPClient's cookie jar still works: http.Client adds the
// cookies to the header it sees, which is the kit's own and not shared,
// and the transport merges them into the send's. Every attempt of every
// send, in parallel, carries the cookie once and the key.
func TestKitCookieJar(t *testing.T) {
	var (
		mu   sync.Mutex
		bad  []string
		seen int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen++
		first := seen == 1
		if got := r.Header.Values("Cookie"); len(got) != 1 || got[0] != "session=s1" || r.Header.Get("Authorization") != "Bearer "+testKey {
			bad = append(bad, fmt.Sprintf("Cookie %q, Authorization %q", got, r.Header.Get("Authorization")))
		}
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusBadGateway) // one retry, which http.Client gives the cookie again
			return
		}
		io.WriteString(w, smsOK("x"))
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "s1"}})
	cfg := testConfig(srv.URL, clock.Real, 0)
	cfg.HTTPClient = &http.Client{Jar: jar}
	cfg.Policy = mustPolicy(t, policy.Config{Retry: policy.Retry{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	c := newClient(t, cfg)
	if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.SendSMS(context.Background(), "acme_hq", sms1); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if seen != 22 {
		t.Errorf("%d requests, want 22 (21 sends, one retried)", seen)
	}
	if len(bad) > 0 {
		t.Errorf("%d requests without exactly the jar's cookie and the key, e.g. %s", len(bad), bad[0])
	}
	if c.header.Get("Cookie") != "" {
		t.Errorf("the client's shared header took the cookie: %v", c.header)
	}
}
