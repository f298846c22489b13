package client

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/policy"
)

const testKey = "sk-test-9f8e7d6c5b4a"

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// reply is one scripted answer of a testServer.
type reply struct {
	status      int
	body        string            // "" = an SMS success echoing the clientMessageId (for 200)
	header      map[string]string // extra response headers
	resetAfter  bool              // read the request, then reset the connection without answering
	contentLen  int               // a Content-Length to announce (for truncated bodies); 0 = natural
	closeEarly  bool              // with contentLen: write body then close the connection
	bodyRepeats int               // repeat body this many times (huge bodies)
}

// request is what a testServer saw.
type request struct {
	path, auth, idem string
	cmid             string
	body             []byte
}

// testServer is an httptest server answering a script, then 200s. It
// counts new connections.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	script   []reply
	def      reply
	reqs     []request
	newConns atomic.Int32
	hit      chan struct{} // one value per request, when not nil
}

func newTestServer(t *testing.T, script ...reply) *testServer {
	t.Helper()
	ts := &testServer{script: script, def: reply{status: 200}}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(ts.serve))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.newConns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) requests() []request {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]request(nil), ts.reqs...)
}

func (ts *testServer) count() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.reqs)
}

func (ts *testServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var probe struct {
		ClientMessageID string `json:"clientMessageId"`
	}
	_ = json.Unmarshal(body, &probe)
	ts.mu.Lock()
	ts.reqs = append(ts.reqs, request{
		path: r.URL.Path, auth: r.Header.Get("Authorization"), idem: r.Header.Get("Idempotency-Key"),
		cmid: probe.ClientMessageID, body: body,
	})
	rep := ts.def
	if len(ts.script) > 0 {
		rep = ts.script[0]
		ts.script = ts.script[1:]
	}
	hit := ts.hit
	ts.mu.Unlock()
	if hit != nil {
		defer func() { hit <- struct{}{} }()
	}

	if rep.resetAfter {
		resetConn(w)
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	out := rep.body
	if out == "" && rep.status == 200 {
		out = smsOK(probe.ClientMessageID)
	}
	if rep.bodyRepeats > 0 {
		out = strings.Repeat(out, rep.bodyRepeats)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.contentLen > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(rep.contentLen))
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, out)
	if rep.closeEarly {
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close() // a clean FIN half way through the announced body
	}
}

// resetConn closes the request's connection with SO_LINGER 0 (an RST).
func resetConn(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func smsOK(cmid string) string {
	return `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":` + strconv.Quote(cmid) +
		`,"destination":"6591234567","encoding":"GSM7","status":{"code":"QUEUED","description":"SMS is accepted and queued for processing"}}`
}

func errBody(code int, msg string) string {
	return `{"code":` + strconv.Itoa(code) + `,"message":` + strconv.Quote(msg) +
		`,"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`
}

// testConfig is a Config for base with a fake clock and deterministic
// jitter (rnd); tests adjust the rest.
func testConfig(base string, f clock.Clock, rnd float64) Config {
	return Config{
		APIKey:  testKey,
		BaseURL: base,
		Clock:   f,
		Rand:    func() float64 { return rnd },
	}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mustPolicy builds a policy from cfg.
func mustPolicy(t testing.TB, cfg policy.Config) *policy.Policy {
	t.Helper()
	p, err := policy.New(cfg)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	return p
}

// sendResult is a SendSMS outcome delivered on a channel.
type sendResult struct {
	res Result
	err error
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a send to finish")
		panic("unreachable")
	}
}

var sms1 = SMS{Destination: "+6591234567", Text: "Your code is 482913"}
