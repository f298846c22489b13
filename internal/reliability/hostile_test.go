package reliability

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// hostileMaxBody is the response cap of the hostile-server clients (the
// default); the heap bound of each scenario is a multiple of it. With the
// default cap the fixed costs of a send (connections, pooled buffers the
// race detector drops, the observer's formatting) stay small beside it.
const hostileMaxBody = client.DefaultMaxResponseBytes

// hostileAttemptTimeout bounds each attempt against a hostile server.
const hostileAttemptTimeout = 300 * time.Millisecond

// hostileWall bounds each hostile send in wall time. Every case takes at
// most 3 attempts x hostileAttemptTimeout (under a second) on an idle
// machine; the bound is generous for a loaded CI box, yet a client without
// the attempt timeout would blow it (the servers hold out for a minute).
const hostileWall = 15 * time.Second

// hostilePolicy retries at most twice, with short attempts. Backoff waits
// go to a jumpClock, so they cost no real time.
func hostilePolicy(t testing.TB) *policy.Policy {
	return mustPolicy(t, policy.Config{Retry: policy.Retry{
		MaxAttempts:    3,
		AttemptTimeout: hostileAttemptTimeout,
	}})
}

// hostileServer starts an httptest server running h for every request and
// counts the requests.
func hostileServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, &n
}

// endless writes chunk until the client goes away (or 1 GiB, to stay
// bounded if it never does).
func endless(prefix, chunk string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statusOf(r))
		if _, err := io.WriteString(w, prefix); err != nil {
			return
		}
		c := []byte(strings.Repeat(chunk, 4096/len(chunk)))
		for written := 0; written < 1<<30; written += len(c) {
			if _, err := w.Write(c); err != nil {
				return
			}
		}
	}
}

// statusOf reads the status a scenario should answer with from the
// sub-account in the path: ".../subaccounts/s500/..." answers 500.
func statusOf(r *http.Request) int {
	rest, _ := strings.CutPrefix(r.URL.Path, "/api/v1/subaccounts/s")
	n, err := strconv.Atoi(rest[:3])
	if err != nil {
		return 200
	}
	return n
}

// trickle sends a valid-looking beginning, then one byte every 20ms,
// forever (until the client hangs up).
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOf(r))
	fl := w.(http.Flusher)
	_, _ = io.WriteString(w, `{"umid":"`)
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
		if _, err := io.WriteString(w, "a"); err != nil {
			return
		}
		fl.Flush()
	}
}

// fixed answers status and body with the given headers.
func fixed(body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(statusOf(r))
		_, _ = io.WriteString(w, body)
	}
}

// shortBigLength announces a 1 GB body, sends a few bytes and then holds
// the connection open until the client gives up.
func shortBigLength(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(1<<30))
	w.WriteHeader(statusOf(r))
	_, _ = io.WriteString(w, `{"umid":"3a9c61f0`)
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// sameHostRedirect redirects every send to a path on the same server that
// would answer a GET with a success carrying a umid.
func sameHostRedirect(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/moved/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":null,"destination":"6591000001","encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}}`)
			return
		}
		http.Redirect(w, r, "/moved"+r.URL.Path, code)
	}
}

// noAnswer never answers (slow-loris on the headers).
func noAnswer(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

var (
	deep       = `{"umid":` + strings.Repeat(`[`, 100_000) + strings.Repeat(`]`, 100_000) + `}`
	deepErr    = `{"code":1002,"message":` + strings.Repeat(`{"a":`, 10_000) + `1` + strings.Repeat(`}`, 10_000) + `}`
	invalidUTF = "{\"umid\":\"3a9c\xff\xfe61f0\",\"clientMessageId\":null,\"destination\":\"44\xc3\x28\",\"encoding\":\"GSM7\"," +
		"\"status\":{\"code\":\"QUEUED\",\"description\":\"\xed\xa0\x80 surrogate\"}}"
	invalidUTFErr = "{\"code\":1002,\"message\":\"bad \xff\xfe number\",\"errorId\":\"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f\"," +
		"\"timestamp\":\"2026-08-01T02:14:07.42Z\"}"
	hugeCount = `{"batchId":"c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientBatchId":null,"acceptedCount":` +
		strings.Repeat("9", 400) + `,"rejectedCount":0,"messages":null}`
	hugeCode = `{"code":1` + strings.Repeat("0", 400) + `,"message":"x","errorId":null,"timestamp":null}`
	hugeExp  = `{"code":1e999999999,"message":"x","errorId":null,"timestamp":null}`
)

// TestHostileServer sends to servers that misbehave on purpose. Each send
// must end in a typed error (never a panic, never a string to match), in
// bounded time, having allocated a bounded amount of memory, and without
// leaking a secret.
func TestHostileServer(t *testing.T) {
	type check func(t *testing.T, err error, attempts int64)
	isErr := func(target error) check {
		return func(t *testing.T, err error, _ int64) {
			if !errors.Is(err, target) {
				t.Errorf("errors.Is(err, %v) = false; err: %v", target, err)
			}
		}
	}
	respErr := func(t *testing.T, err error, _ int64) {
		re, ok := errors.AsType[*client.ResponseError](err)
		if !ok {
			t.Fatalf("err is %T, want *client.ResponseError: %v", err, err)
		}
		if !re.Ambiguous || re.Status != 200 {
			t.Errorf("ResponseError{Status:%d Ambiguous:%v}, want 200 and ambiguous (the API may have accepted)", re.Status, re.Ambiguous)
		}
	}
	apiErr := func(status int, code envelope.Code) check {
		return func(t *testing.T, err error, _ int64) {
			ae, ok := errors.AsType[*client.APIError](err)
			if !ok {
				t.Fatalf("err is %T, want *client.APIError: %v", err, err)
			}
			if ae.Status != status || ae.Code != code {
				t.Errorf("APIError{Status:%d Code:%d}, want {%d %d}", ae.Status, ae.Code, status, code)
			}
		}
	}
	requests := func(want int64) check {
		return func(t *testing.T, _ error, got int64) {
			if got != want {
				t.Errorf("server saw %d requests, want %d", got, want)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		tenant  string // sNNN answers status NNN
		handler http.HandlerFunc
		checks  []check
		batch   bool // send an SMS batch of two instead of one SMS
	}{
		{"endless-body-200", "s200", endless(`{"umid":"`, "abcdefgh"),
			[]check{respErr, isErr(client.ErrResponseTooLarge), requests(3)}, false},
		{"endless-body-500", "s500", endless(`{"code":2000,"message":"`, "x"),
			[]check{apiErr(500, 0), isErr(client.ErrResponseTooLarge), requests(3)}, false},
		{"endless-whitespace-400", "s400", endless(``, " "),
			[]check{apiErr(400, 0), isErr(client.ErrResponseTooLarge), requests(1)}, false},
		{"1GB-content-length-short-body-200", "s200", shortBigLength,
			[]check{respErr, isErr(client.ErrResponseTooLarge), requests(3)}, false},
		{"1GB-content-length-short-body-503", "s503", shortBigLength,
			[]check{apiErr(503, 0), isErr(client.ErrResponseTooLarge), requests(3)}, false},
		{"slow-loris-body-200", "s200", trickle,
			[]check{respErr, isErr(context.DeadlineExceeded), requests(3)}, false},
		{"slow-loris-body-500", "s500", trickle,
			[]check{apiErr(500, 0), isErr(context.DeadlineExceeded), requests(3)}, false},
		{"slow-loris-headers", "s200", noAnswer,
			[]check{sendErr(policy.TransportTimeout, true), requests(3)}, false},
		{"invalid-utf8-200", "s200", fixed(invalidUTF),
			[]check{validUTF8Result, requests(1)}, false},
		{"invalid-utf8-400", "s400", fixed(invalidUTFErr),
			[]check{apiErr(400, envelope.CodeInvalidMSISDN), requests(1)}, false},
		{"deep-nesting-200", "s200", fixed(deep),
			[]check{respErr, isErr(envelope.ErrTooDeep), requests(3)}, false},
		{"deep-nesting-400", "s400", fixed(deepErr),
			[]check{apiErr(400, 0), requests(1)}, false},
		{"endless-body-batch-200", "s200", endless(`{"batchId":"`, "abcdefgh"),
			[]check{isErr(client.ErrResponseTooLarge), batchOf[*client.ResponseError], requests(3)}, true},
		{"endless-body-batch-503", "s503", endless(`{"code":2000,"message":"`, "x"),
			[]check{isErr(client.ErrResponseTooLarge), batchOf[*client.APIError], requests(3)}, true},
		{"huge-number-in-batch-200", "s200", fixed(hugeCount),
			[]check{batchRespErr, requests(3)}, true},
		{"huge-code-400", "s400", fixed(hugeCode),
			[]check{apiErr(400, 0), requests(1)}, false},
		{"huge-exponent-code-500", "s500", fixed(hugeExp),
			[]check{apiErr(500, 0), requests(3)}, false},
		// A 200 that is not the documented success is never "accepted":
		// ambiguous, resent (same clientMessageId) up to the attempts.
		{"no-umid-empty-object-200", "s200", fixed(`{}`),
			[]check{respErr, isErr(client.ErrNoUMID), requests(3)}, false},
		{"no-umid-other-object-200", "s200", fixed(`{"hello":"world"}`),
			[]check{respErr, isErr(client.ErrNoUMID), requests(3)}, false},
		{"error-envelope-in-200", "s200", fixed(`{"code":1002,"message":"Invalid MSISDN","errorId":"e-1","timestamp":"2026-08-01T02:14:07.42Z"}`),
			[]check{respErr, isErr(client.ErrNoUMID), requests(3)}, false},
		// No send follows a redirect, same host or not: the 3xx is the
		// outcome and the target (this same server) sees nothing.
		{"same-host-302", "s200", sameHostRedirect(http.StatusFound),
			[]check{apiErr(302, 0), isErr(client.ErrRedirect), requests(1)}, false},
		{"same-host-303", "s200", sameHostRedirect(http.StatusSeeOther),
			[]check{apiErr(303, 0), isErr(client.ErrRedirect), requests(1)}, false},
		{"same-host-301-batch", "s200", sameHostRedirect(http.StatusMovedPermanently),
			[]check{isErr(client.ErrRedirect), batchOf[*client.APIError], requests(1)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := newObserver(t)
			ts, n := hostileServer(t, tc.handler)
			c := obs.newClient(client.Config{
				BaseURL: ts.URL, Policy: hostilePolicy(t), Clock: newJumpClock(),
			})
			var (
				res client.Result
				err error
			)
			start := time.Now()
			heap := allocated(func() {
				if tc.batch {
					var br client.BatchResult
					obs.guard("SendBatch", func() {
						br, err = c.SendBatch(context.Background(), tc.tenant, client.Batch{
							Template: client.SMSTemplate{Text: canaryText}, Destinations: []string{phone(1), phone(2)},
						})
					})
					obs.err("SendBatch", err)
					obs.value("BatchResult", br)
					if br.Accepted != 0 || br.Failed != 2 {
						t.Errorf("batch against a hostile server: %d accepted, %d failed; want 0 and 2", br.Accepted, br.Failed)
					}
					return
				}
				res, err = obs.sendSMS(c, context.Background(), tc.tenant, sms(1, ""))
			})
			wall := time.Since(start)
			t.Logf("err: %v (heap +%d KiB, %v)", err, heap>>10, wall.Round(time.Millisecond))
			if err != nil && !typedErr(err) {
				t.Errorf("err %T is not one of the client's typed errors: %v", err, err)
			}
			// Whatever the server sent, what reaches the caller is valid
			// UTF-8 (as encoding/json would make it).
			for _, s := range []string{res.UMID, res.Status, res.Description, errText(err)} {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8 handed to the caller: %q", s)
				}
			}
			for _, ck := range tc.checks {
				ck(t, err, n.Load())
			}
			if limit := uint64(4 * hostileMaxBody); heap > limit {
				t.Errorf("heap grew by %d bytes during the send, want < %d (4 x MaxResponseBytes)", heap, limit)
			}
			if wall > hostileWall {
				t.Errorf("send took %v, want < %v", wall, hostileWall)
			}
		})
	}
}

// sendErr checks for a *client.SendError of the given transport class.
func sendErr(tr policy.Transport, ambiguous bool) func(*testing.T, error, int64) {
	return func(t *testing.T, err error, _ int64) {
		se, ok := errors.AsType[*client.SendError](err)
		if !ok {
			t.Fatalf("err is %T, want *client.SendError: %v", err, err)
		}
		if se.Transport != tr || se.Ambiguous != ambiguous {
			t.Errorf("SendError{Transport:%v Ambiguous:%v}, want {%v %v}", se.Transport, se.Ambiguous, tr, ambiguous)
		}
	}
}

// validUTF8Result accepts a success for a 200 with invalid UTF-8 in its
// strings: the decoder replaces bad bytes with U+FFFD as encoding/json
// does (the caller checks the strings), so the message was accepted.
func validUTF8Result(t *testing.T, err error, _ int64) {
	if err != nil {
		t.Errorf("a 200 QUEUED with invalid UTF-8 in its strings failed: %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// batchOf wants a *client.BatchError wrapping an E.
func batchOf[E error](t *testing.T, err error, _ int64) {
	if _, ok := errors.AsType[*client.BatchError](err); !ok {
		t.Fatalf("err is %T, want *client.BatchError: %v", err, err)
	}
	if _, ok := errors.AsType[E](err); !ok {
		var zero E
		t.Errorf("batch error does not wrap a %T: %v", zero, err)
	}
}

// batchRespErr wants the batch's only chunk to fail with a ResponseError
// carrying an *envelope.FieldError (acceptedCount out of range).
func batchRespErr(t *testing.T, err error, _ int64) {
	if _, ok := errors.AsType[*client.BatchError](err); !ok {
		t.Fatalf("err is %T, want *client.BatchError: %v", err, err)
	}
	if _, ok := errors.AsType[*client.ResponseError](err); !ok {
		t.Errorf("batch error does not wrap a *client.ResponseError: %v", err)
	}
	if _, ok := errors.AsType[*envelope.FieldError](err); !ok {
		t.Errorf("batch error does not wrap an *envelope.FieldError: %v", err)
	}
}
