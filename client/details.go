package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/redact"
	"github.com/octosend/octosend/policy"
)

// ErrMessageNotFound means 8x8's message-details API does not know the
// umid (404, code 1300): a *APIError from SMSDetails or ChatDetails
// matches it.
var ErrMessageNotFound = errors.New("client: message not found")

// MessageDetails is what 8x8's message-details API says about one message
// (for chat apps: about one channel attempt of it). It holds neither the
// text nor the recipient, which 8x8 masks anyway.
type MessageDetails struct {
	UMID            string
	SubAccountID    string
	ClientMessageID string
	ClientBatchID   string
	BatchID         string
	// Channel is "sms" for SMS; for chat apps the channel of this attempt
	// as 8x8 spells it ("WhatsApp", "SMS", "Viber", ...).
	Channel string
	// Step numbers the channel attempts of a chat-apps message with
	// fallback: 1 for the first channel, 2 for the first fallback; 0 for
	// SMS.
	Step      int
	Direction string // "outbound" or "inbound"
	Country   string
	State     envelope.State
	Detail    envelope.Detail
	Timestamp time.Time        // when the state was observed; zero if absent
	ErrorCode envelope.DLRCode // on failed states
	// ErrorMessage is 8x8's text for ErrorCode, runs of digits that could
	// be a phone number masked.
	ErrorMessage string
	CreatedAt    time.Time
	SMSCount     int // SMS only
}

// SMSDetails asks 8x8 for the state of the SMS umid sent for sub-account
// subAccountID (GET {sms}/api/v1/subaccounts/{id}/messages/{umid}). 8x8
// allows it 1 request per second per sub-account; SMSDetails makes one
// attempt and does not pace itself (a dlr.Reconciler paces its lookups).
// It does not go through the send path's limiter, breaker or retries.
//
// The error is a *ValidationError (bad sub-account or umid, no request
// made), a *APIError for an error answer (errors.Is(err,
// ErrMessageNotFound) for a 404; a 429 has RetryAfter), a *SendError for a
// transport failure, or a *ResponseError for a 200 whose body is not the
// documented object.
func (c *Client) SMSDetails(ctx context.Context, subAccountID, umid string) (MessageDetails, error) {
	var v smsDetailsJSON
	if err := c.getDetails(ctx, c.smsBase, subAccountID, umid, &v); err != nil {
		return MessageDetails{}, err
	}
	d := v.details()
	d.Channel = "sms"
	d.SMSCount = v.SMSCount
	return d, nil
}

// ChatDetails asks 8x8 for the state of the Messaging Apps message umid
// (GET {chatapps}/api/v1/subaccounts/{id}/messages/{umid}): one record per
// channel attempt, in 8x8's order. Limits and errors are SMSDetails's.
func (c *Client) ChatDetails(ctx context.Context, subAccountID, umid string) ([]MessageDetails, error) {
	var v struct {
		Data []chatDetailsJSON `json:"data"`
	}
	if err := c.getDetails(ctx, c.chatBase, subAccountID, umid, &v); err != nil {
		return nil, err
	}
	out := make([]MessageDetails, len(v.Data))
	for i := range v.Data {
		out[i] = v.Data[i].details()
		out[i].Channel, out[i].Step = v.Data[i].Channel, v.Data[i].Step
	}
	return out, nil
}

// LookupReceipt returns what SMSDetails (chat false) or ChatDetails (chat
// true) says about umid as a receipt: for chat apps the best channel
// attempt (a delivery over a failure, else the highest envelope.Rank). It
// returns false, and no error, when 8x8 does not know the umid. Its
// signature is dlr.ReconcilerConfig.Lookup's.
func (c *Client) LookupReceipt(ctx context.Context, subAccountID, umid string, chat bool) (envelope.Receipt, bool, error) {
	var ds []MessageDetails
	if chat {
		var err error
		if ds, err = c.ChatDetails(ctx, subAccountID, umid); err != nil {
			return envelope.Receipt{}, false, notFoundOK(err)
		}
	} else {
		d, err := c.SMSDetails(ctx, subAccountID, umid)
		if err != nil {
			return envelope.Receipt{}, false, notFoundOK(err)
		}
		ds = []MessageDetails{d}
	}
	best := -1
	for i := range ds {
		if best < 0 || betterDetails(&ds[i], &ds[best]) {
			best = i
		}
	}
	if best < 0 {
		return envelope.Receipt{}, false, nil
	}
	d := &ds[best]
	r := envelope.Receipt{
		UMID: d.UMID, BatchID: d.BatchID, ClientMessageID: d.ClientMessageID, ClientBatchID: d.ClientBatchID,
		SubAccountID: d.SubAccountID, Channel: d.Channel, State: d.State, Detail: d.Detail, Timestamp: d.Timestamp,
		ErrorCode: d.ErrorCode, ErrorMessage: d.ErrorMessage, SMSCount: d.SMSCount,
	}
	if !chat {
		r.Format = envelope.FormatSMS
	}
	if r.UMID == "" {
		r.UMID = umid
	}
	return r, true, nil
}

func notFoundOK(err error) error {
	if errors.Is(err, ErrMessageNotFound) {
		return nil
	}
	return err
}

// betterDetails reports whether a says more than b: a delivery beats a
// failure, then the higher rank, then the later observation.
func betterDetails(a, b *MessageDetails) bool {
	ad, bd := envelope.Delivered(a.State), envelope.Delivered(b.State)
	if ad != bd {
		return ad
	}
	return envelope.Supersedes(envelope.Rank(a.State, a.Detail), a.Timestamp, envelope.Rank(b.State, b.Detail), b.Timestamp)
}

// checkUMID refuses a umid that cannot be one (8x8's are GUIDs) before it
// goes into a URL path.
func checkUMID(umid string) error {
	if umid == "" || len(umid) > 64 {
		return &ValidationError{Field: "umid", Msg: "empty or longer than 64 bytes"}
	}
	for i := 0; i < len(umid); i++ {
		if c := umid[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return &ValidationError{Field: "umid", Msg: "not a GUID: only letters, digits and '-'"}
		}
	}
	return nil
}

// getDetails makes one message-details GET and decodes a 200 into v.
func (c *Client) getDetails(ctx context.Context, base, sub, umid string, v any) error {
	if err := c.begin(sub); err != nil {
		return err
	}
	if err := checkUMID(umid); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.policy().AttemptTimeout(sub))
		defer cancel()
	}
	u := base + "/api/v1/subaccounts/" + sub + "/messages/" + url.PathEscape(umid)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &SendError{Tenant: sub, Err: err}
	}
	req.Header = http.Header{"Accept": c.header["Accept"], "User-Agent": c.header["User-Agent"]}
	if a, ok := c.header["Authorization"]; ok {
		req.Header["Authorization"] = a
	}
	resp, err := c.rc.HTTPClient.Do(req)
	if err != nil {
		return &SendError{Tenant: sub, Attempts: 1, Transport: classify(ctx, err, true), Err: err}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	rerr := readBody(buf, resp.Body, resp.ContentLength, c.maxBody)
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if rerr == nil {
			rerr = json.Unmarshal(buf.b, v)
		}
		if rerr != nil {
			return &ResponseError{Status: resp.StatusCode, Attempts: 1, Tenant: sub, Err: rerr}
		}
		return nil
	}
	e := &APIError{Status: resp.StatusCode, Attempts: 1, Tenant: sub}
	var env envelope.Error
	var dec envelope.Decoder
	if rerr == nil && dec.DecodeError(buf.b, &env) == nil {
		e.Code, e.ErrorID, e.Timestamp = env.Code, env.ErrorID, env.Timestamp
		e.Message = redact.Mask(strings.Clone(env.Message), nil, nil) // env borrows the pooled body
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(min(s, 3600)) * time.Second
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || e.Code == 1300:
		e.Err = ErrMessageNotFound
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Err = ErrRedirect
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Action = policy.ActionBackoff
	}
	return e
}

type statusJSON struct {
	State        string `json:"state"`
	Detail       string `json:"detail"`
	Timestamp    string `json:"timestamp"`
	ErrorCode    int    `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

type detailsJSON struct {
	UMID            string     `json:"umid"`
	SubAccountID    string     `json:"subAccountId"`
	Direction       string     `json:"direction"`
	Country         string     `json:"country"`
	Status          statusJSON `json:"status"`
	CreatedAt       string     `json:"createdAt"`
	ClientMessageID string     `json:"clientMessageId"`
	ClientBatchID   string     `json:"clientBatchId"`
	BatchID         string     `json:"batchId"`
}

type smsDetailsJSON struct {
	detailsJSON
	SMSCount int `json:"smsCount"`
}

type chatDetailsJSON struct {
	detailsJSON
	Channel string `json:"channel"`
	Step    int    `json:"step"`
}

func (j *detailsJSON) details() MessageDetails {
	return MessageDetails{
		UMID: j.UMID, SubAccountID: j.SubAccountID, ClientMessageID: j.ClientMessageID, ClientBatchID: j.ClientBatchID,
		BatchID: j.BatchID, Direction: j.Direction, Country: j.Country,
		State: envelope.State(j.Status.State), Detail: envelope.Detail(j.Status.Detail), Timestamp: parseRFC3339(j.Status.Timestamp),
		ErrorCode: envelope.DLRCode(j.Status.ErrorCode), ErrorMessage: redact.Mask(j.Status.ErrorMessage, nil, nil),
		CreatedAt: parseRFC3339(j.CreatedAt),
	}
}

// parseRFC3339 parses 8x8's timestamps (RFC 3339, any number of
// fractional digits); zero when absent or malformed.
func parseRFC3339(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
