package reliability

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/policy"
)

// fuzzRT is an in-process http.RoundTripper that answers every request
// with the fuzzed response (or transport error), so a fuzz iteration costs
// no socket.
type fuzzRT struct {
	status   int
	header   http.Header
	body     []byte
	clMode   uint8 // 0: honest Content-Length, 1: unknown (-1), 2: larger than the body, 3: smaller
	errMode  uint8 // 0: respond; 1..4: a transport error instead
	requests atomic.Int64
}

var fuzzTransportErrs = [...]error{
	nil,
	&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
	io.ErrUnexpectedEOF,
	&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET},
	context.DeadlineExceeded,
}

func (rt *fuzzRT) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.requests.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	if rt.errMode != 0 {
		return nil, fuzzTransportErrs[int(rt.errMode)%len(fuzzTransportErrs)]
	}
	cl := int64(len(rt.body))
	switch rt.clMode % 4 {
	case 1:
		cl = -1
	case 2:
		cl += 1 << 30
	case 3:
		cl /= 2
	}
	return &http.Response{
		StatusCode: rt.status, Status: strconv.Itoa(rt.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rt.header.Clone(), Body: io.NopCloser(bytes.NewReader(rt.body)), ContentLength: cl, Request: req,
	}, nil
}

const fuzzMaxAttempts = 3

// FuzzSendResponse serves fuzzed statuses, Retry-After headers, bodies and
// transport errors to every kind of send, and checks the client's
// contract: no panic, exactly one outcome (a result, or a typed error),
// success only on a 2xx, no more attempts than the policy allows, no wait
// above the Retry-After ceiling, valid UTF-8 handed to the caller, and no
// secret in any error, log record or hook payload.
func FuzzSendResponse(f *testing.F) {
	ok := `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":"c1","destination":"447700900123","encoding":"GSM7","status":{"code":"QUEUED","description":"ok"}}`
	batch := `{"batchId":"c41e08b2-7a3d-ef11-8300-0a1b2c3d4e5f","clientBatchId":null,"acceptedCount":1,"rejectedCount":1,"messages":[` +
		`{"umid":"u1","clientMessageId":"c1","destination":"1","encoding":"GSM7","status":{"code":"QUEUED"}},` +
		`{"umid":"u2","clientMessageId":"c2","destination":"2","encoding":"GSM7","status":{"code":"REJECTED","description":"bad"}}]}`
	chat := `{"umid":"0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b","user":{"msisdn":"+447700900123"},"clientMessageId":"c1","status":{"state":"queued","timestamp":"2026-08-01T02:20:11.37Z"}}`
	errEnv := `{"code":1002,"message":"Invalid MSISDN","errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f","timestamp":"2026-08-01T02:14:07.42Z"}`
	for _, s := range []struct {
		status       int
		ra           string
		body         string
		kind, cl, em uint8
	}{
		{200, "", ok, 0, 0, 0},
		{200, "", batch, 1, 0, 0},
		{200, "", chat, 2, 1, 0},
		{200, "", `{"batchId":"x","acceptedCount":1,"rejectedCount":0,"messages":[{"user":{},"status":{"state":"rejected","errorCode":3038}}]}`, 3, 0, 0},
		{400, "", errEnv, 0, 0, 0},
		{429, "1", `{"code":429,"message":"Quota exceeded. Please try again in 1 second(s).","errorId":null,"timestamp":null}`, 0, 0, 0},
		{429, "99999999", `{"code":429}`, 1, 0, 0},
		{503, "-1", `{"code":2000}`, 0, 1, 0},
		{500, "Wed, 21 Oct 2015 07:28:00 GMT", `{"code":2000,"message":"Internal server error"}`, 2, 2, 0},
		{200, "", `{"umid":"3a9c61f0`, 0, 3, 0},
		{200, "", "{\"umid\":\"\xff\xfe\",\"status\":{\"code\":\"QUEUED\"}}", 0, 0, 0},
		{307, "", "", 0, 0, 0},
		{0, "", "", 0, 0, 1},
		{0, "", "", 1, 0, 3},
		{0, "", "", 2, 0, 4},
		{401, "", `{"code":1200,"message":"Request was not authenticated properly"}`, 0, 0, 0},
		{200, "", `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`, 1, 0, 0},
	} {
		f.Add(s.status, s.ra, []byte(s.body), s.kind, s.cl, s.em)
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, kind, clMode, errMode uint8) {
		if status < 100 || status > 599 {
			status = 200 + (status%400+400)%400 // keep it a valid HTTP status
		}
		h := http.Header{"Content-Type": {"application/json"}}
		if retryAfter != "" {
			h["Retry-After"] = []string{retryAfter}
		}
		if status >= 300 && status < 400 {
			h["Location"] = []string{"http://127.0.0.2:1/elsewhere"}
		}
		rt := &fuzzRT{status: status, header: h, body: body, clMode: clMode, errMode: errMode % 5}
		obs := newObserver(t)
		clk := newJumpClock()
		c := obs.newClient(client.Config{
			BaseURL: "http://127.0.0.1:1", HTTPClient: &http.Client{Transport: rt}, Clock: clk,
			MaxResponseBytes: 64 << 10,
			Policy:           mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: fuzzMaxAttempts}}),
		})
		ctx := context.Background()
		var (
			err       error
			res       client.Result
			br        client.BatchResult
			isBatch   bool
			nMessages = 1
		)
		obs.guard("send", func() {
			switch kind % 4 {
			case 0:
				res, err = c.SendSMS(ctx, "fuzz_tenant", sms(1, "c1"))
			case 1:
				isBatch, nMessages = true, 2
				br, err = c.SendBatch(ctx, "fuzz_tenant", client.Batch{Template: client.SMSTemplate{Text: canaryText},
					Messages: []client.SMS{{Destination: phone(1), ClientMessageID: "c1"}, {Destination: phone(2), ClientMessageID: "c2"}}})
			case 2:
				res, err = c.SendChat(ctx, "fuzz_tenant", client.Chat{User: client.ChatUser{MSISDN: phone(1)}, ClientMessageID: "c1",
					Content: client.ChatContent{Text: canaryText}})
			case 3:
				isBatch, nMessages = true, 2
				m := client.Chat{User: client.ChatUser{MSISDN: phone(1)}, Content: client.ChatContent{Text: canaryText}}
				br, err = c.SendChatBatch(ctx, "fuzz_tenant", client.ChatBatch{Messages: []client.Chat{m, m}})
			}
		})
		obs.err("send", err)
		obs.value("result", res)
		obs.value("batch result", br)

		if err != nil && !typedErr(err) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if err == nil && (status < 200 || status > 299 || errMode%5 != 0) {
			t.Fatalf("send succeeded on status %d (transport error mode %d)", status, errMode%5)
		}
		if n := rt.requests.Load(); n > fuzzMaxAttempts*4 { // a same-host redirect is followed at most 3 times per attempt
			t.Fatalf("%d requests for at most %d attempts", n, fuzzMaxAttempts)
		}
		attempts := res.Attempts
		if isBatch {
			attempts = br.Attempts
		}
		if attempts > fuzzMaxAttempts {
			t.Fatalf("%d attempts, policy allows %d", attempts, fuzzMaxAttempts)
		}
		for _, w := range clk.Waits() {
			if w > policy.DefaultRetryAfterCeiling {
				t.Fatalf("waited %v, over the Retry-After ceiling", w)
			}
		}
		for _, s := range []string{res.UMID, res.Status, res.Description, errText(err)} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 handed to the caller: %q", s)
			}
		}
		if isBatch {
			checkBatchAccounting(t, br, err, nMessages)
		}
	})
}

// checkBatchAccounting: one outcome per message, counts that add up, and
// an error exactly when some message's request failed as a whole.
func checkBatchAccounting(t *testing.T, br client.BatchResult, err error, n int) {
	t.Helper()
	if len(br.Messages) != n && !(len(br.Messages) == 0 && err != nil) {
		t.Fatalf("%d message results for %d messages (err %v)", len(br.Messages), n, err)
	}
	if len(br.Messages) == 0 {
		return
	}
	var acc, rej, failed int
	for _, m := range br.Messages {
		switch m.State {
		case client.StateAccepted:
			acc++
			if m.Err != nil {
				t.Fatalf("accepted message with an error: %v", m.Err)
			}
		case client.StateRejected:
			rej++
			if !errors.Is(m.Err, client.ErrRejected) {
				t.Fatalf("rejected message whose error is not ErrRejected: %v", m.Err)
			}
		case client.StateFailed, client.StateUnknown:
			failed++
			if m.Err == nil || !typedErr(m.Err) && !errors.Is(m.Err, client.ErrNoMessageStatus) && !errors.Is(m.Err, client.ErrNoUMID) {
				t.Fatalf("failed message without a typed error: %v", m.Err)
			}
		default:
			t.Fatalf("message in state %v", m.State)
		}
		for _, s := range []string{m.UMID, m.Status, m.Description} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in a message result: %q", s)
			}
		}
	}
	if acc != br.Accepted || rej != br.Rejected || failed != br.Failed {
		t.Fatalf("counts %d/%d/%d, messages say %d/%d/%d", br.Accepted, br.Rejected, br.Failed, acc, rej, failed)
	}
}
