package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/envelope"
)

// detailsServer answers message-details GETs from a table of path ->
// (status, body, header), and records the requests.
type detailsServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []*http.Request
	answers map[string]detailsAnswer
}

type detailsAnswer struct {
	status int
	body   string
	header map[string]string
}

func newDetailsServer(t *testing.T, answers map[string]detailsAnswer) *detailsServer {
	ds := &detailsServer{answers: answers}
	ds.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ds.mu.Lock()
		ds.reqs = append(ds.reqs, r)
		ds.mu.Unlock()
		a, ok := ds.answers[r.URL.Path]
		if !ok {
			a = detailsAnswer{status: 404, body: `{"code":1300,"message":"Message not found.","errorId":"5e5e4f5a-1c2b-4d3e-8f9a-0b1c2d3e4f5a","timestamp":"2026-08-01T02:00:00Z"}`}
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(ds.Close)
	return ds
}

const (
	smsUMID  = "6f1c2a0e-9b3d-ef11-8300-0a1b2c3d4e5f"
	chatUMID = "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"
)

var detailsAnswers = map[string]detailsAnswer{
	"/api/v1/subaccounts/acme_hq/messages/" + smsUMID: {200, `{"umid":"` + smsUMID + `","subAccountId":"acme_hq","direction":"outbound","country":"SG",
		"status":{"state":"undelivered","detail":"undelivered_to_recipient","timestamp":"2026-08-01T02:14:09.88Z","errorCode":46,"errorMessage":"Subscriber +6591234567 not reachable"},
		"msisdn":"+6591234xxxx","source":"AcmeBank","body":"**MASKED**","encoding":"GSM7","createdAt":"2026-08-01T02:14:01.1234567+00:00","smsCount":2,
		"price":{"total":0.08,"perSms":0.04,"currency":"SGD"},"clientMessageId":"otp-1","clientBatchId":null,"batchId":null}`, nil},
	"/api/v1/subaccounts/acme_wa/messages/" + chatUMID: {200, `{"data":[
		{"umid":"` + chatUMID + `","subAccountId":"acme_wa","channel":"WhatsApp","direction":"outbound","status":{"state":"undelivered","detail":"rejected_by_operator","timestamp":"2026-08-01T05:00:01Z","errorCode":1022},"clientMessageId":"wa-1","step":1,"user":{"msisdn":"+6598xxxx"},"content":{"text":"**MASKED**"}},
		{"umid":"` + chatUMID + `","subAccountId":"acme_wa","channel":"SMS","direction":"outbound","status":{"state":"delivered","detail":"delivered_to_recipient","timestamp":"2026-08-01T05:00:04Z"},"clientMessageId":"wa-1","step":2}]}`, nil},
	"/api/v1/subaccounts/acme_hq/messages/aaaaaaaa-0000-0000-0000-000000000429": {429, `{"code":429,"message":"Too many requests"}`, map[string]string{"Retry-After": "1"}},
	"/api/v1/subaccounts/acme_hq/messages/aaaaaaaa-0000-0000-0000-000000000400": {400, `{"code":1000,"message":"Invalid umid for +6591234567."}`, nil},
	"/api/v1/subaccounts/acme_hq/messages/aaaaaaaa-0000-0000-0000-000000000200": {200, `<html>`, nil},
}

func detailsClient(t *testing.T) (*detailsServer, *Client) {
	ds := newDetailsServer(t, detailsAnswers)
	return ds, newClient(t, testConfig(ds.URL, clock.NewFake(t0), 0))
}

func TestSMSDetails(t *testing.T) {
	ds, c := detailsClient(t)
	d, err := c.SMSDetails(context.Background(), "acme_hq", smsUMID)
	if err != nil {
		t.Fatal(err)
	}
	want := MessageDetails{UMID: smsUMID, SubAccountID: "acme_hq", ClientMessageID: "otp-1", Channel: "sms", Direction: "outbound",
		Country: "SG", State: envelope.StateUndelivered, Detail: envelope.DetailUndeliveredToRecipient,
		Timestamp: time.Date(2026, 8, 1, 2, 14, 9, 880_000_000, time.UTC), ErrorCode: 46, ErrorMessage: "Subscriber +********67 not reachable",
		CreatedAt: time.Date(2026, 8, 1, 2, 14, 1, 123_456_700, time.UTC), SMSCount: 2}
	if d != want {
		t.Errorf("details\n%+v, want\n%+v", d, want)
	}
	ds.mu.Lock()
	r := ds.reqs[0]
	ds.mu.Unlock()
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+testKey || r.ContentLength != 0 {
		t.Errorf("request %s, Authorization %q, length %d", r.Method, r.Header.Get("Authorization"), r.ContentLength)
	}
}

func TestChatDetailsAndLookup(t *testing.T) {
	_, c := detailsClient(t)
	ds, err := c.ChatDetails(context.Background(), "acme_wa", chatUMID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Channel != "WhatsApp" || ds[0].Step != 1 || ds[0].ErrorCode != 1022 || ds[1].Channel != "SMS" || ds[1].State != envelope.StateDelivered {
		t.Fatalf("details %+v", ds)
	}
	r, ok, err := c.LookupReceipt(context.Background(), "acme_wa", chatUMID, true)
	if err != nil || !ok {
		t.Fatalf("LookupReceipt: %v %v", ok, err)
	}
	if r.State != envelope.StateDelivered || r.Channel != "SMS" || r.ClientMessageID != "wa-1" || r.UMID != chatUMID || r.Format == envelope.FormatSMS {
		t.Errorf("receipt %+v, want the SMS fallback's delivery", r)
	}
	r, ok, err = c.LookupReceipt(context.Background(), "acme_hq", smsUMID, false)
	if err != nil || !ok || r.Format != envelope.FormatSMS || r.State != envelope.StateUndelivered || r.ErrorCode != 46 {
		t.Errorf("SMS LookupReceipt: %+v %v %v", r, ok, err)
	}
}

func TestDetailsErrors(t *testing.T) {
	ds, c := detailsClient(t)
	ctx := context.Background()
	// Not found: an *APIError matching ErrMessageNotFound; LookupReceipt
	// reports it as false without error.
	_, err := c.SMSDetails(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000404")
	if e, ok := errors.AsType[*APIError](err); !ok || e.Status != 404 || e.Code != 1300 || !errors.Is(err, ErrMessageNotFound) {
		t.Errorf("404: %v", err)
	}
	if _, ok, err := c.LookupReceipt(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000404", false); ok || err != nil {
		t.Errorf("LookupReceipt of an unknown umid: %v %v", ok, err)
	}
	_, err = c.SMSDetails(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000429")
	if e, ok := errors.AsType[*APIError](err); !ok || e.Status != 429 || e.RetryAfter != time.Second || errors.Is(err, ErrMessageNotFound) {
		t.Errorf("429: %v", err)
	}
	if _, _, err := c.LookupReceipt(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000429", false); err == nil {
		t.Error("LookupReceipt hid a 429")
	}
	_, err = c.SMSDetails(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000400")
	if e, ok := errors.AsType[*APIError](err); !ok || e.Code != 1000 || strings.Contains(err.Error(), "6591234567") {
		t.Errorf("400: %v (the number must be masked)", err)
	}
	if _, err = c.SMSDetails(ctx, "acme_hq", "aaaaaaaa-0000-0000-0000-000000000200"); !errors.As(err, new(*ResponseError)) {
		t.Errorf("unusable 200: %v", err)
	}
	ds.mu.Lock()
	n := len(ds.reqs)
	ds.mu.Unlock()
	for _, bad := range []string{"", "../../batch", "a/b", strings.Repeat("a", 65), "6f1c2a0e?x=1"} {
		if _, err := c.SMSDetails(ctx, "acme_hq", bad); !errors.As(err, new(*ValidationError)) {
			t.Errorf("umid %q: %v, want a *ValidationError", bad, err)
		}
	}
	if _, err := c.ChatDetails(ctx, "x", chatUMID); !errors.As(err, new(*ValidationError)) {
		t.Errorf("bad sub-account: %v", err)
	}
	ds.mu.Lock()
	if len(ds.reqs) != n {
		t.Errorf("refused input made %d requests", len(ds.reqs)-n)
	}
	ds.mu.Unlock()
	ds.Close()
	_, err = c.SMSDetails(ctx, "acme_hq", smsUMID)
	if _, ok := errors.AsType[*SendError](err); !ok || strings.Contains(err.Error(), testKey) {
		t.Errorf("closed server: %v", err)
	}
}
