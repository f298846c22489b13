package dlr

import (
	"strings"
	"time"
	"unsafe"

	"github.com/octosend/octosend/envelope"
)

// Receipt is a delivery receipt handed to Config.OnReceipt: the normalized
// envelope.Receipt (whose Rank, Final and Hint methods it has), with
// strings the caller may keep, and what the Receiver knows about it.
type Receipt struct {
	envelope.Receipt
	// Previous is the state this receipt replaces: "" for the first
	// receipt of the message (or the first since its state expired or was
	// evicted), else the state held before, e.g. StateSent for a
	// delivered receipt that followed a sent one.
	Previous envelope.State
	// ReceivedAt is when the Receiver took the receipt (Config.Clock).
	ReceivedAt time.Time
}

// Inbound is an inbound message or WhatsApp Business App echo handed to
// Config.OnInbound: the normalized envelope.Inbound with strings the caller
// may keep.
type Inbound struct {
	envelope.Inbound
	// ReceivedAt is when the Receiver took the message (Config.Clock).
	ReceivedAt time.Time
}

// keep copies the strings ps point to into one new allocation, so that
// they outlive the request body they borrow. States and details that are
// one of envelope's constants are set to the constant instead.
func keep(ps ...*string) {
	n := 0
	for _, p := range ps {
		n += len(*p)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	for _, p := range ps {
		if *p == "" {
			continue
		}
		i := len(buf)
		buf = append(buf, *p...)
		*p = unsafe.String(&buf[i], len(*p))
	}
}

var knownStates = [...]envelope.State{envelope.StateQueued, envelope.StateSent, envelope.StateDelivered,
	envelope.StateUndelivered, envelope.StateRejected, envelope.StateFailed, envelope.StateRead,
	envelope.StateUnknown, envelope.StateOK, envelope.StateError}

var knownDetails = [...]envelope.Detail{envelope.DetailDeliveredToOperator, envelope.DetailDeliveredToRecipient,
	envelope.DetailRejectedByOperator, envelope.DetailUndeliveredToRecipient, envelope.DetailDeliveredToCarrier}

// internState returns the constant equal to s, or a copy of s.
func internState(s envelope.State) envelope.State {
	for _, k := range knownStates {
		if s == k {
			return k
		}
	}
	return envelope.State(strings.Clone(string(s)))
}

func internDetail(d envelope.Detail) envelope.Detail {
	for _, k := range knownDetails {
		if d == k {
			return k
		}
	}
	return envelope.Detail(strings.Clone(string(d)))
}

// keepReceipt makes r's strings independent of the request body.
func keepReceipt(r *envelope.Receipt) {
	r.State, r.Detail = internState(r.State), internDetail(r.Detail)
	keep(&r.UMID, &r.BatchID, &r.ClientMessageID, &r.ClientBatchID, &r.SubAccountID, &r.Channel, &r.Recipient,
		&r.ErrorMessage, &r.ProviderErrorCode, &r.Price.Currency, &r.LegacyStatus)
}

// keepInbound makes m's strings independent of the request body.
func keepInbound(m *envelope.Inbound) {
	u := &m.User
	keep(&m.UMID, &m.SubAccountID, &m.Channel, &m.From, &m.To, &u.MSISDN, &u.ChannelUserID, &u.Name, &u.Username,
		&m.Type, &m.Text, &m.URL, &m.ReplyToUMID, &m.Encoding)
}
