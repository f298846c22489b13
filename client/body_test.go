package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// Hostile 200 bodies, and 200s that are not the documented success (no
// umid), give typed errors, always flagged ambiguous (8x8 may have taken
// the message). At-most-once gives up at once; at-least-once retries with
// the same clientMessageId (here the retry is accepted, still flagged).
// Never err == nil without a umid.
func TestUnusableSuccessBodies(t *testing.T) {
	const ten = 10 << 20
	for _, tc := range []struct {
		name  string
		reply reply
		want  error
	}{
		{"10MB-with-length", reply{status: 200, body: strings.Repeat("x", ten), contentLen: ten}, ErrResponseTooLarge},
		{"10MB-chunked", reply{status: 200, body: strings.Repeat("x", ten)}, ErrResponseTooLarge},
		{"truncated", reply{status: 200, body: `{"umid":"3a9c61f0-5b2e-ef11-8300`, contentLen: 200, closeEarly: true}, io.ErrUnexpectedEOF},
		{"garbage", reply{status: 200, body: `{"umid":"x",,,}`}, nil},
		{"complete-but-cut-json", reply{status: 200, body: `{"umid":"3a9c61f0-5b2e`}, nil},
		{"wrong-type", reply{status: 200, body: `{"umid":17,"destination":"1","encoding":"GSM7","status":{"code":"QUEUED"}}`}, nil},
		{"empty-object", reply{status: 200, body: `{}`}, ErrNoUMID},
		{"other-object", reply{status: 200, body: `{"hello":"world"}`}, ErrNoUMID},
		{"error-envelope-in-200", reply{status: 200, body: `{"code":1002,"message":"Invalid MSISDN","errorId":"e-1","timestamp":"2026-01-01T00:00:00Z"}`}, ErrNoUMID},
		{"202-empty", reply{status: 202, body: ` `}, nil},
		{"204", reply{status: 204, body: ` `}, nil},
	} {
		for _, sem := range []policy.Semantics{policy.AtMostOnce, policy.AtLeastOnce} {
			t.Run(tc.name+"/"+sem.String(), func(t *testing.T) {
				ts := newTestServer(t, tc.reply)
				cfg := testConfig(ts.URL, clock.NewFake(t0), 0)
				cfg.Policy = mustPolicy(t, policy.Config{Semantics: sem})
				c := newClient(t, cfg)
				res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
				if sem == policy.AtLeastOnce {
					if err != nil || res.UMID == "" || !res.Ambiguous || res.Attempts != 2 {
						t.Fatalf("SendSMS = %+v, %v; want the retry accepted (a umid), ambiguous, 2 attempts", res, err)
					}
					if n := ts.count(); n != 2 {
						t.Errorf("server saw %d requests, want 2", n)
					}
					return
				}
				if res.UMID != "" {
					t.Errorf("UMID %q from an unusable body", res.UMID)
				}
				respErr, ok := errors.AsType[*ResponseError](err)
				if !ok {
					t.Fatalf("err = %v (%T), want *ResponseError", err, err)
				}
				if !respErr.Ambiguous || respErr.Status != tc.reply.status || respErr.Attempts != 1 || !res.Ambiguous {
					t.Errorf("ResponseError = %+v (result ambiguous %v), want ambiguous, status %d, 1 attempt", respErr, res.Ambiguous, tc.reply.status)
				}
				switch {
				case tc.want != nil:
					if !errors.Is(err, tc.want) {
						t.Errorf("err = %v, want it to match %v", err, tc.want)
					}
				default:
					_, syn := errors.AsType[*envelope.SyntaxError](err)
					_, fld := errors.AsType[*envelope.FieldError](err)
					if !syn && !fld && !errors.Is(err, ErrNoUMID) {
						t.Errorf("err = %v, want an *envelope.SyntaxError, *envelope.FieldError or ErrNoUMID", err)
					}
				}
				if n := ts.count(); n != 1 {
					t.Errorf("server saw %d requests, want 1 (at-most-once)", n)
				}
			})
		}
	}
}

// Error responses with unusable bodies are still decided by their status.
func TestUnusableErrorBodiesDecidedByStatus(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 500, body: "<html>bad gateway</html>"},
		reply{status: 502, body: strings.Repeat("y", 3<<20)},
	)
	c := newClient(t, testConfig(ts.URL, clock.NewFake(t0), 0))
	res, err := c.SendSMS(context.Background(), "acme_hq", sms1)
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	if res.Attempts != 3 {
		t.Errorf("Attempts = %d, want 3", res.Attempts)
	}

	ts2 := newTestServer(t, reply{status: 400, body: strings.Repeat("z", 2<<20)})
	c2 := newClient(t, testConfig(ts2.URL, clock.NewFake(t0), 0))
	_, err = c2.SendSMS(context.Background(), "acme_hq", sms1)
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok || apiErr.Status != 400 || apiErr.Code != 0 || !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("err = %v, want *APIError 400 without code, matching ErrResponseTooLarge", err)
	}
}

// readBody never grows its buffer beyond the limit, whatever the body
// claims or sends.
func TestReadBodyBounded(t *testing.T) {
	const limit = 1 << 20
	for _, tc := range []struct {
		name    string
		size    int
		cl      int64
		wantErr error
	}{
		{"small", 100, -1, nil},
		{"exact-limit", limit, -1, nil},
		{"exact-limit-with-length", limit, limit, nil},
		{"one-over", limit + 1, -1, ErrResponseTooLarge},
		{"10MB-unknown-length", 10 << 20, -1, ErrResponseTooLarge},
		{"length-lies-small", 10 << 20, 10, ErrResponseTooLarge},
		{"length-too-big", 10, 10 << 20, ErrResponseTooLarge},
		{"empty", 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &buffer{}
			src := bytes.NewReader(bytes.Repeat([]byte{'a'}, tc.size))
			err := readBody(b, src, tc.cl, limit)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if cap(b.b) > limit {
				t.Errorf("buffer grew to %d bytes, over the %d limit", cap(b.b), limit)
			}
			if tc.wantErr == nil && len(b.b) != tc.size {
				t.Errorf("read %d bytes, want %d", len(b.b), tc.size)
			}
		})
	}
}

// The bounded read allocates at most the limit even for a huge body.
func TestReadBodyAllocatesAtMostLimit(t *testing.T) {
	const limit = 64 << 10
	body := bytes.Repeat([]byte{'a'}, 10<<20)
	var total uint64
	allocs := testing.AllocsPerRun(5, func() {
		b := &buffer{}
		_ = readBody(b, bytes.NewReader(body), -1, limit)
		total += uint64(cap(b.b))
	})
	if total/6 > limit {
		t.Errorf("average buffer %d bytes, want <= %d", total/6, limit)
	}
	if allocs > 12 {
		t.Errorf("%v allocations per read, want the doubling steps only (<= 12)", allocs)
	}
}

func FuzzReadBody(f *testing.F) {
	f.Add([]byte(`{"umid":"x"}`), int64(-1), int64(16))
	f.Add(bytes.Repeat([]byte{'a'}, 100), int64(100), int64(50))
	f.Fuzz(func(t *testing.T, data []byte, cl, limit int64) {
		if limit <= 0 || limit > 1<<16 {
			return
		}
		b := &buffer{}
		err := readBody(b, bytes.NewReader(data), cl, limit)
		if int64(cap(b.b)) > limit {
			t.Fatalf("buffer cap %d over limit %d", cap(b.b), limit)
		}
		fits := int64(len(data)) <= limit && cl <= limit
		if fits && err != nil {
			t.Fatalf("body of %d bytes (Content-Length %d, limit %d): %v", len(data), cl, limit, err)
		}
		if !fits && !errors.Is(err, ErrResponseTooLarge) {
			t.Fatalf("body of %d bytes (Content-Length %d, limit %d): err %v, want ErrResponseTooLarge", len(data), cl, limit, err)
		}
		if err == nil && !bytes.Equal(b.b, data) {
			t.Fatal("read bytes differ from the body")
		}
	})
}
