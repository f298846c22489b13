package client

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/policy"
)

// SendBatch sends a batch of SMS for the sub-account subAccountID. Batches
// above MaxSMSBatch messages are split into several requests, sent
// concurrently (Config.BatchConcurrency at a time), each within the
// tenant's rate limiter. Every message gets a clientMessageId (its own, or a
// minted UUID) that stays the same through retries, and exactly one
// MessageResult.
//
// A 200 whose items include REJECTED ones is a partial success: the error
// is nil and the rejected messages are in StateRejected (their Err matches
// ErrRejected); they are never resent. A request that fails as a whole is
// retried (with the same clientMessageIds) when the policy allows; if it
// still fails, its messages are in StateFailed and the error is a
// *BatchError wrapping the first such failure. Input that the API would
// refuse is a *ValidationError before any request.
func (c *Client) SendBatch(ctx context.Context, subAccountID string, b Batch) (BatchResult, error) {
	if err := c.begin(subAccountID); err != nil {
		return BatchResult{}, err
	}
	if err := checkBatchID(b.ClientBatchID, MaxSMSClientBatchID); err != nil {
		return BatchResult{}, err
	}
	items, err := smsItems(&b)
	if err != nil {
		return BatchResult{}, err
	}
	tmpl := envelope.SMSTemplate{
		Text: b.Template.Text, Source: b.Template.Source, Encoding: b.Template.Encoding,
		Scheduled: b.Template.Scheduled, Expiry: b.Template.Expiry, DLRCallbackURL: b.Template.DLRCallbackURL,
	}
	plan := batchPlan{
		kind: kindSMSBatch, base: c.smsBase, max: MaxSMSBatch, n: len(items),
		cmid: func(i int) string { return items[i].ClientMessageID },
		encode: func(dst []byte, off, end int) []byte {
			req := envelope.BatchRequest{
				ClientBatchID: b.ClientBatchID, Template: tmpl, Messages: items[off:end],
				IncludeMessagesInResponse: true, ClientIP: b.ClientIP,
			}
			return envelope.AppendBatchRequest(dst, &req)
		},
		fill: func(res *BatchResult, off, end int, st *call) {
			r := &st.sc.batch
			fillChunk(res, off, end, st, r.BatchID, r.AcceptedCount, r.RejectedCount, len(r.Messages),
				func(j int) (cmid, umid, status, desc string, code envelope.Code) {
					m := &r.Messages[j]
					return m.ClientMessageID, m.UMID, m.Status.Code, m.Status.Description, 0
				},
				func(status string) bool { return strings.EqualFold(status, "REJECTED") },
				func(i int, s *secrets) { s.addSMS(&items[i], b.Template.Text) })
		},
	}
	return c.runBatch(ctx, subAccountID, &plan)
}

// SendChatBatch sends a batch of Messaging Apps messages for the
// sub-account subAccountID, split above MaxChatBatch messages, with the
// same per-message guarantees and errors as SendBatch. Items in state
// "rejected" or "failed" are StateRejected with their 3000s error code.
func (c *Client) SendChatBatch(ctx context.Context, subAccountID string, b ChatBatch) (BatchResult, error) {
	if err := c.begin(subAccountID); err != nil {
		return BatchResult{}, err
	}
	if err := checkBatchID(b.ClientBatchID, MaxChatClientBatchID); err != nil {
		return BatchResult{}, err
	}
	if len(b.Messages) == 0 {
		return BatchResult{}, &ValidationError{Field: "Messages", Msg: "empty"}
	}
	items := make([]envelope.ChatRequest, len(b.Messages))
	for i := range b.Messages {
		m := &b.Messages[i]
		if err := m.validate(itemPrefix(i)); err != nil {
			return BatchResult{}, err
		}
		cmid := m.ClientMessageID
		if cmid == "" {
			cmid = uuid.NewString()
		}
		items[i] = chatRequest(m, cmid)
	}
	plan := batchPlan{
		kind: kindChatBatch, base: c.chatBase, max: MaxChatBatch, n: len(items),
		cmid: func(i int) string { return items[i].ClientMessageID },
		encode: func(dst []byte, off, end int) []byte {
			req := envelope.ChatBatchRequest{ClientBatchID: b.ClientBatchID, Messages: items[off:end], IncludeMessagesInResponse: true}
			return envelope.AppendChatBatchRequest(dst, &req)
		},
		fill: func(res *BatchResult, off, end int, st *call) {
			r := &st.sc.chatBatch
			fillChunk(res, off, end, st, r.BatchID, r.AcceptedCount, r.RejectedCount, len(r.Messages),
				func(j int) (cmid, umid, status, desc string, code envelope.Code) {
					m := &r.Messages[j]
					desc = m.Status.Detail
					if m.Status.ErrorMessage != "" {
						desc = m.Status.ErrorMessage
					}
					return m.ClientMessageID, m.UMID, m.Status.State, desc, m.Status.ErrorCode
				},
				chatRefused,
				func(i int, s *secrets) { s.addChat(&items[i]) })
		},
	}
	return c.runBatch(ctx, subAccountID, &plan)
}

// smsItems validates a Batch and turns it into request items, each with
// its clientMessageId. Destinations mode becomes one item per number, so
// every message can be tracked by its own id.
func smsItems(b *Batch) ([]envelope.SMSRequest, error) {
	tmplText := b.Template.Text != ""
	if len(b.Messages) > 0 {
		items := make([]envelope.SMSRequest, len(b.Messages))
		for i := range b.Messages {
			m := &b.Messages[i]
			if err := m.validate(itemPrefix(i), tmplText); err != nil {
				return nil, err
			}
			cmid := m.ClientMessageID
			if cmid == "" {
				cmid = uuid.NewString()
			}
			items[i] = envelope.SMSRequest{
				Destination: m.Destination, Country: m.Country, Source: m.Source,
				ClientMessageID: cmid, Text: m.Text, Encoding: m.Encoding,
				Scheduled: m.Scheduled, Expiry: m.Expiry,
				DLRCallbackURL: m.DLRCallbackURL, ClientIP: m.ClientIP, Track: m.Track,
			}
		}
		return items, nil
	}
	if len(b.Destinations) == 0 {
		return nil, &ValidationError{Field: "Messages", Msg: "no messages and no destinations"}
	}
	if !tmplText {
		return nil, &ValidationError{Field: "Template.Text", Msg: "empty (required with Destinations)"}
	}
	items := make([]envelope.SMSRequest, len(b.Destinations))
	for i, d := range b.Destinations {
		if d == "" {
			return nil, &ValidationError{Field: "Destinations[" + strconv.Itoa(i) + "]", Msg: "empty"}
		}
		items[i] = envelope.SMSRequest{Destination: d, ClientMessageID: uuid.NewString()}
	}
	return items, nil
}

// batchPlan is what runBatch needs to know about a batch kind.
type batchPlan struct {
	kind   kind
	base   string
	max    int
	n      int
	cmid   func(i int) string
	encode func(dst []byte, off, end int) []byte
	fill   func(res *BatchResult, off, end int, st *call)
}

func (c *Client) runBatch(ctx context.Context, tenant string, p *batchPlan) (BatchResult, error) {
	res := BatchResult{Messages: make([]MessageResult, p.n)}
	for i := range res.Messages {
		res.Messages[i].ClientMessageID = p.cmid(i)
	}
	pol := c.policy()
	chunks := (p.n + p.max - 1) / p.max
	calls := make([]*call, chunks)
	errs := make([]error, chunks)
	send := func(k int) {
		off := k * p.max
		end := min(off+p.max, p.n)
		// A fresh buffer the call owns (see call.body), sized for typical items.
		body := p.encode(make([]byte, 0, 1024+192*(end-off)), off, end)
		st := c.newCall(ctx, pol, tenant, p.kind, p.base, body)
		st.msgs = end - off
		errs[k] = st.run()
		c.onDone(st, errs[k])
		calls[k] = st
	}
	if workers := min(c.batchConc, chunks); workers <= 1 {
		for k := range chunks {
			send(k)
		}
	} else {
		// The chunks go out side by side, at most batchConc at a time; each
		// attempt still waits for the tenant's limiter and its breaker.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for k := int(next.Add(1) - 1); k < chunks; k = int(next.Add(1) - 1) {
					send(k)
				}
			})
		}
		wg.Wait()
	}

	// Results are filled in chunk order, so BatchIDs and the first error
	// do not depend on which chunk finished first.
	var berr *BatchError
	for k, st := range calls {
		off := k * p.max
		end := min(off+p.max, p.n)
		err := errs[k]
		res.Requests++
		res.Attempts += st.attempts
		if err == nil {
			p.fill(&res, off, end, st)
		} else {
			for i := off; i < end; i++ {
				m := &res.Messages[i]
				m.State, m.Err, m.Ambiguous = StateFailed, err, st.ambiguous
			}
			res.Failed += end - off
			if berr == nil {
				berr = &BatchError{Err: err}
			}
			berr.Failed += end - off
			berr.Requests++
		}
		c.recordChunk(&res, off, end, st, p.kind == kindChatBatch)
		st.release()
	}
	if berr != nil {
		return res, berr
	}
	return res, nil
}

// itemFunc returns the fields of the j-th item of a batch response.
type itemFunc func(j int) (cmid, umid, status, desc string, code envelope.Code)

// fillChunk records the outcome of each message of chunk [off, end) from
// its 200 response. Items are matched by position when they line up, by
// clientMessageId otherwise; the strings are copied out of the pooled body
// into one allocation per chunk. Each description is masked with its own
// message's secrets (addSecrets adds those of message i).
func fillChunk(res *BatchResult, off, end int, st *call, batchID string, accepted, rejected, nItems int, item itemFunc, refused func(string) bool, addSecrets func(i int, s *secrets)) {
	res.BatchIDs = append(res.BatchIDs, strings.Clone(batchID))
	idx := matchItems(res.Messages[off:end], nItems, item)

	var a arena
	a.b = make([]byte, 0, 40*(end-off))
	for _, j := range idx {
		if j >= 0 {
			_, umid, _, _, _ := item(j)
			a.add(umid)
		}
	}
	umids := a.strings(make([]string, 0, len(a.offs)))

	var sec secrets
	k := 0
	for i, j := range idx {
		m := &res.Messages[off+i]
		m.Ambiguous = st.ambiguous
		if j < 0 {
			// No item for it (even when the counts say all went in: the
			// client asks for the items, and accepted means a umid).
			m.State, m.Err, m.Ambiguous = StateUnknown, ErrNoMessageStatus, true
			res.Failed++
			continue
		}
		_, _, status, desc, code := item(j)
		m.UMID = umids[k]
		k++
		m.Status = intern(status)
		m.Description = intern(desc)
		if m.Description != "" {
			sec.dests, sec.texts = sec.dests[:0], sec.texts[:0]
			addSecrets(off+i, &sec)
			m.Description = sec.mask(m.Description)
		}
		if m.UMID == "" && !refused(status) {
			m.State, m.Err, m.Ambiguous = StateUnknown, ErrNoUMID, true
			res.Failed++
			continue
		}
		if refused(status) {
			m.State, m.Code = StateRejected, code
			m.Err = &APIError{
				Status: st.out.Status, Code: code, Message: m.Description, Action: policy.ActionFail,
				Reason: "message " + m.Status, Attempts: st.attempts, Tenant: st.tenant,
				ClientMessageID: m.ClientMessageID, Err: ErrRejected,
			}
			res.Rejected++
			continue
		}
		m.State = StateAccepted
		res.Accepted++
	}
}

// matchItems returns, for each message of the chunk, the index of its
// response item, or -1 when the response has none for it.
func matchItems(msgs []MessageResult, nItems int, item itemFunc) []int {
	idx := make([]int, len(msgs))
	if nItems == len(msgs) {
		aligned := true
		for i := range msgs {
			if cmid, _, _, _, _ := item(i); cmid != msgs[i].ClientMessageID {
				aligned = false
				break
			}
			idx[i] = i
		}
		if aligned {
			return idx
		}
	}
	byID := make(map[string][]int, nItems)
	for j := 0; j < nItems; j++ {
		cmid, _, _, _, _ := item(j)
		byID[cmid] = append(byID[cmid], j)
	}
	for i := range msgs {
		q := byID[msgs[i].ClientMessageID]
		if len(q) == 0 {
			idx[i] = -1
			continue
		}
		idx[i] = q[0]
		byID[msgs[i].ClientMessageID] = q[1:]
	}
	return idx
}
