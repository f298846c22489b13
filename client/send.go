package client

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/octosend/octosend/envelope"
)

// begin checks what every send checks first.
func (c *Client) begin(subAccountID string) error {
	if c.closed.Load() {
		return ErrClosed
	}
	return checkSubAccount(subAccountID)
}

// SendSMS sends one SMS for the sub-account (tenant) subAccountID and
// returns 8x8's answer. It retries what the policy says is retryable,
// waiting on the tenant's rate limiter and consulting the circuit breaker
// before every attempt; every attempt carries the same clientMessageId
// (msg.ClientMessageID, or a UUID minted once).
//
// The error is nil when 8x8 accepted the message. Otherwise it is, with
// errors.As: *ValidationError (bad input, no network call made),
// *APIError (an error response, or a 200 whose status is REJECTED, with
// errors.Is(err, ErrRejected)), *SendError (no response: transport
// failure, or refused before any attempt), or *ResponseError (a 200 whose
// body was unusable). errors.Is finds ErrBreakerOpen, ErrTenantHalted,
// ErrBudgetExhausted, ErrRetryAfterBeyondDeadline, ErrClosed and the
// context's errors. The Result is filled as far as known even on error
// (ClientMessageID, Attempts, Ambiguous).
func (c *Client) SendSMS(ctx context.Context, subAccountID string, msg SMS) (_ Result, err error) {
	if err := c.begin(subAccountID); err != nil {
		return Result{}, err
	}
	if err := msg.validate("", false); err != nil {
		return Result{}, err
	}
	cmid := msg.ClientMessageID
	if cmid == "" {
		cmid = uuid.NewString()
	}
	req := envelope.SMSRequest{
		Destination: msg.Destination, Country: msg.Country, Source: msg.Source,
		ClientMessageID: cmid, Text: msg.Text, Encoding: msg.Encoding,
		Scheduled: msg.Scheduled, Expiry: msg.Expiry,
		DLRCallbackURL: msg.DLRCallbackURL, ClientIP: msg.ClientIP, Track: msg.Track,
	}
	st := c.newCall(ctx, c.policy(), subAccountID, kindSMS, c.smsBase, nil)
	defer st.release()
	st.x.buf = envelope.AppendSMSRequest(st.x.buf[:0], &req) // the kit's own: see call.body
	st.body = st.x.buf
	st.cmid, st.dest = cmid, msg.Destination
	defer func() { c.onDone(st, err) }() // before release: LIFO
	err = st.run()
	res := Result{ClientMessageID: cmid, Attempts: st.attempts, Ambiguous: st.ambiguous, HTTPStatus: st.out.Status}
	if err != nil {
		c.recordSingle(st, false, "", err)
		return res, err
	}
	r := &st.sc.sms
	res.UMID = strings.Clone(r.UMID)
	res.Status = intern(r.Status.Code)
	res.Description = maskOne(intern(r.Status.Description), msg.Destination, msg.Text)
	if strings.EqualFold(r.Status.Code, "REJECTED") {
		err = st.rejected(r.Status.Code, r.Status.Description, 0)
	}
	c.recordSingle(st, false, res.UMID, err)
	return res, err
}

// SendChat sends one Messaging Apps message for the sub-account
// subAccountID, with the same retries, guards and errors as SendSMS. A 200
// whose state is "rejected" or "failed" is an *APIError matching
// ErrRejected, with the per-message error code.
func (c *Client) SendChat(ctx context.Context, subAccountID string, msg Chat) (_ Result, err error) {
	if err := c.begin(subAccountID); err != nil {
		return Result{}, err
	}
	if err := msg.validate(""); err != nil {
		return Result{}, err
	}
	cmid := msg.ClientMessageID
	if cmid == "" {
		cmid = uuid.NewString()
	}
	req := chatRequest(&msg, cmid)
	st := c.newCall(ctx, c.policy(), subAccountID, kindChat, c.chatBase, nil)
	defer st.release()
	st.x.buf = envelope.AppendChatRequest(st.x.buf[:0], &req) // the kit's own: see call.body
	st.body = st.x.buf
	st.cmid, st.dest = cmid, msg.User.MSISDN
	defer func() { c.onDone(st, err) }() // before release: LIFO
	err = st.run()
	res := Result{ClientMessageID: cmid, Attempts: st.attempts, Ambiguous: st.ambiguous, HTTPStatus: st.out.Status}
	if err != nil {
		c.recordSingle(st, true, "", err)
		return res, err
	}
	r := &st.sc.chat
	res.UMID = strings.Clone(r.UMID)
	res.Status = intern(r.Status.State)
	desc := intern(r.Status.Detail)
	if r.Status.ErrorMessage != "" && desc == "" {
		desc = intern(r.Status.ErrorMessage)
	}
	res.Description = desc
	if desc != "" {
		var sec secrets
		sec.addChat(&req)
		res.Description = sec.mask(desc)
	}
	if chatRefused(r.Status.State) {
		err = st.rejected(r.Status.State, desc, r.Status.ErrorCode) // masked on its way out
	}
	c.recordSingle(st, true, res.UMID, err)
	return res, err
}

func chatRequest(m *Chat, cmid string) envelope.ChatRequest {
	typ := m.Type
	if typ == "" {
		typ = "text"
	}
	return envelope.ChatRequest{
		User: m.User, ClientMessageID: cmid, Type: typ, Content: m.Content,
		Scheduled: m.Scheduled, Expiry: m.Expiry, DLRCallbackURL: m.DLRCallbackURL, Channels: m.Channels,
		Context: m.Context,
	}
}

// chatRefused reports a chat-apps state that means 8x8 will not deliver.
func chatRefused(state string) bool {
	return strings.EqualFold(state, "rejected") || strings.EqualFold(state, "failed") || strings.EqualFold(state, "error")
}
