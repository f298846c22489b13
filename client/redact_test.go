package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
)

// The message's own destination and text, as an echoing server repeats them.
const (
	echoDest  = "+6591234567"
	echoText  = "Hi Priya, your code is 482913"
	echoOther = "+44 7700 900123" // another number the server mentions
	errorID   = "5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f"
)

// echoServer answers every request by quoting, in its message or the
// items' descriptions, the destination and text the request carried:
// what 8x8 and proxies do. mode picks the answer.
func echoServer(t *testing.T, mode string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Destination string `json:"destination"`
			Text        string `json:"text"`
			User        struct {
				MSISDN string `json:"msisdn"`
			} `json:"user"`
			Content struct {
				Text string `json:"text"`
			} `json:"content"`
			Template struct {
				Text string `json:"text"`
			} `json:"template"`
			Messages []struct {
				ClientMessageID string `json:"clientMessageId"`
				Destination     string `json:"destination"`
				Text            string `json:"text"`
			} `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		dest, text := req.Destination+req.User.MSISDN, req.Text+req.Content.Text
		quote := "Invalid MSISDN " + dest + " (" + strings.TrimPrefix(dest, "+") + ") for text '" + text +
			"'; see also " + echoOther + ", errorId " + errorID + ", code 1002"
		w.Header().Set("Content-Type", "application/json")
		switch mode {
		case "400":
			w.WriteHeader(400)
			io.WriteString(w, errBody(1002, quote))
		case "rejected":
			io.WriteString(w, `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","status":{"code":"REJECTED","description":`+strconv.Quote(quote)+`}}`)
		case "chat-rejected":
			io.WriteString(w, `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","status":{"state":"rejected","errorCode":3001,"errorMessage":`+strconv.Quote(quote)+`}}`)
		case "batch":
			var items []string
			for _, m := range req.Messages {
				d, txt := m.Destination, m.Text
				if txt == "" {
					txt = req.Template.Text
				}
				desc := "Invalid MSISDN " + d + " for text '" + txt + "'"
				items = append(items, `{"umid":"3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f","clientMessageId":`+strconv.Quote(m.ClientMessageID)+
					`,"status":{"code":"REJECTED","description":`+strconv.Quote(desc)+`}}`)
			}
			io.WriteString(w, `{"batchId":"b-1","acceptedCount":0,"rejectedCount":`+strconv.Itoa(len(items))+`,"messages":[`+strings.Join(items, ",")+`]}`)
		case "batch-400":
			w.WriteHeader(400)
			var all []string
			for _, m := range req.Messages {
				all = append(all, m.Destination+" '"+m.Text+"'")
			}
			io.WriteString(w, errBody(1002, "Invalid messages: "+strings.Join(all, ", ")))
		case "status-line":
			// A proxy answering garbage: net/http quotes the status line.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			io.WriteString(conn, "HTTP/1.1 2OO "+dest+" "+text+"\r\n\r\n")
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// observed gathers everything a send let out: its error, its results, the
// log records and every hook payload.
type observed struct {
	logs  bytes.Buffer
	hooks []string
	out   []string
}

func (o *observed) config(t *testing.T, base string) Config {
	cfg := testConfig(base, clock.NewFake(t0), 0)
	cfg.ChatBaseURL = base
	cfg.Logger = slog.New(slog.NewJSONHandler(&o.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ev := func(e Event) {
		s := fmt.Sprintf("%+v", e)
		if e.Err != nil {
			s += " " + e.Err.Error()
		}
		o.hooks = append(o.hooks, s)
	}
	cfg.Hooks = Hooks{OnAttempt: ev, OnRetry: ev, OnThrottled: ev, OnGiveUp: ev}
	return cfg
}

func (o *observed) err(err error) {
	if err == nil {
		return
	}
	o.out = append(o.out, err.Error(), fmt.Sprintf("%+v", err))
	if ae, ok := errors.AsType[*APIError](err); ok {
		o.out = append(o.out, ae.Message, ae.Reason)
	}
}

// check fails on any destination, text or phone number in what was let
// out, and on a lost errorId or code.
func (o *observed) check(t *testing.T, secrets ...string) {
	t.Helper()
	all := append(append([]string{o.logs.String()}, o.hooks...), o.out...)
	for _, s := range all {
		for _, sec := range append(secrets, "482913", "7700 900123", "6591234567") {
			if strings.Contains(s, sec) {
				t.Errorf("%q leaks %q", s, sec)
			}
		}
	}
	if o.logs.Len() == 0 || len(o.out) == 0 {
		t.Fatalf("nothing observed (%d log bytes, %d outputs): the scan proved nothing", o.logs.Len(), len(o.out))
	}
}

func TestServerTextIsMasked(t *testing.T) {
	ctx := context.Background()
	msg := SMS{Destination: echoDest, Text: echoText}

	t.Run("error envelope", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "400").URL))
		_, err := c.SendSMS(ctx, "acme_hq", msg)
		o.err(err)
		ae, ok := errors.AsType[*APIError](err)
		if !ok {
			t.Fatalf("err = %v, want an *APIError", err)
		}
		if ae.Code != envelope.CodeInvalidMSISDN || ae.ErrorID.String() != errorID {
			t.Errorf("code %d, errorId %s; want 1002 and %s kept", ae.Code, ae.ErrorID, errorID)
		}
		for _, want := range []string{"Invalid MSISDN ", "[text]", errorID, "code 1002", "**67"} {
			if !strings.Contains(ae.Message, want) {
				t.Errorf("Message %q lost %q", ae.Message, want)
			}
		}
		o.check(t, echoDest, echoText)
	})

	t.Run("rejected", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "rejected").URL))
		res, err := c.SendSMS(ctx, "acme_hq", msg)
		o.err(err)
		o.out = append(o.out, res.Description)
		if !errors.Is(err, ErrRejected) {
			t.Fatalf("err = %v, want ErrRejected", err)
		}
		o.check(t, echoDest, echoText)
	})

	t.Run("chat rejected", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "chat-rejected").URL))
		res, err := c.SendChat(ctx, "acme_chat", Chat{User: ChatUser{MSISDN: echoDest}, Content: ChatContent{Text: echoText}})
		o.err(err)
		o.out = append(o.out, res.Description)
		if ae, ok := errors.AsType[*APIError](err); !ok || ae.Code != 3001 {
			t.Fatalf("err = %v, want an *APIError with code 3001", err)
		}
		o.check(t, echoDest, echoText)
	})

	t.Run("batch items", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "batch").URL))
		res, err := c.SendBatch(ctx, "acme_hq", Batch{
			Template: SMSTemplate{Text: "Flash sale for members only"},
			Messages: []SMS{{Destination: echoDest, Text: echoText}, {Destination: "+447700900456"}},
		})
		o.err(err)
		o.logs.WriteString("-") // a batch of rejections logs nothing
		if res.Rejected != 2 {
			t.Fatalf("rejected %d, want 2 (err %v)", res.Rejected, err)
		}
		for _, m := range res.Messages {
			o.err(m.Err)
			o.out = append(o.out, m.Description)
		}
		if d := res.Messages[1].Description; !strings.Contains(d, "[text]") {
			t.Errorf("the template's text is not masked in %q", d)
		}
		o.check(t, echoDest, echoText, "447700900456", "Flash sale for members only")
	})

	t.Run("batch request", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "batch-400").URL))
		_, err := c.SendBatch(ctx, "acme_hq", Batch{Messages: []SMS{
			{Destination: echoDest, Text: echoText}, {Destination: "+447700900456", Text: "Your parcel is at the door"},
		}})
		o.err(err)
		if !errors.As(err, new(*APIError)) {
			t.Fatalf("err = %v, want an *APIError inside", err)
		}
		o.check(t, echoDest, echoText, "447700900456", "Your parcel is at the door")
	})

	t.Run("transport error", func(t *testing.T) {
		var o observed
		c := newClient(t, o.config(t, echoServer(t, "status-line").URL))
		_, err := c.SendSMS(ctx, "acme_hq", msg)
		o.err(err)
		se, ok := errors.AsType[*SendError](err)
		if !ok {
			t.Fatalf("err = %v, want a *SendError", err)
		}
		if !strings.Contains(err.Error(), "malformed HTTP") {
			t.Errorf("err %q no longer says what went wrong", err)
		}
		_ = se
		o.check(t, echoDest, echoText)
	})
}
