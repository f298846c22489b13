package client

import (
	"errors"

	"github.com/octosend/octosend/outcome"
)

// OutcomeRecorder receives the final outcome of each message the client
// sent: once per single send and once per message of a batch, when the
// send (or the batch) returns, with the message's clientMessageId,
// sub-account, umid when 8x8 gave one, state and Ambiguous flag. A
// *dlr.MemoryStore (package dlr) and the fleet's Redis store implement
// it, so that a dlr.Reconciler can match the delivery receipts 8x8 posts
// later against what was sent: that is what settles an Ambiguous send.
//
// RecordSend is called on the sending goroutine, after the last attempt,
// so it must return quickly (a store that writes to a network queues the
// write). It is not called for input refused before any attempt
// (*ValidationError, an open breaker, a halted tenant): nothing reached
// 8x8.
type OutcomeRecorder interface {
	RecordSend(outcome.Send)
}

// recordSingle reports the outcome of a single send (see OutcomeRecorder).
func (c *Client) recordSingle(st *call, chat bool, umid string, err error) {
	if c.outcomes == nil || st.attempts == 0 {
		return
	}
	s := outcome.Send{
		SubAccountID: st.tenant, ClientMessageID: st.cmid, UMID: umid, Chat: chat,
		State: outcome.Accepted, Ambiguous: st.ambiguous, Attempts: st.attempts, At: c.clk.Now(),
	}
	switch {
	case errors.Is(err, ErrRejected):
		s.State = outcome.Rejected
	case err != nil:
		s.State, s.UMID = outcome.Failed, ""
	}
	c.outcomes.RecordSend(s)
}

// recordChunk reports the outcome of each message of a batch chunk
// [off, end) once its MessageResults are filled in.
func (c *Client) recordChunk(res *BatchResult, off, end int, st *call, chat bool) {
	if c.outcomes == nil || st.attempts == 0 {
		return
	}
	at := c.clk.Now()
	for i := off; i < end; i++ {
		m := &res.Messages[i]
		s := outcome.Send{
			SubAccountID: st.tenant, ClientMessageID: m.ClientMessageID, UMID: m.UMID, Chat: chat,
			State: outcome.Failed, Ambiguous: m.Ambiguous, Attempts: st.attempts, At: at,
		}
		switch m.State {
		case StateAccepted:
			s.State = outcome.Accepted
		case StateRejected:
			s.State = outcome.Rejected
		default:
			s.UMID = ""
		}
		c.outcomes.RecordSend(s)
	}
}
