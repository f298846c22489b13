package emulator

import "time"

// The receipt bodies, in 8x8's formats (docs/8x8-api.md §5): SMS DLRs,
// and chat-apps DR v9. Written with encoding/json, independently of
// octosend's envelope package, like the responses.

type dlrEnvelope struct {
	Version     int        `json:"version,omitempty"`
	Namespace   string     `json:"namespace"`
	EventType   string     `json:"eventType"`
	Description string     `json:"description"`
	Payload     dlrPayload `json:"payload"`
}

type dlrPayload struct {
	UMID            string    `json:"umid"`
	BatchID         string    `json:"batchId,omitempty"`
	ClientMessageID string    `json:"clientMessageId,omitempty"`
	ClientBatchID   string    `json:"clientBatchId,omitempty"`
	SubAccountID    string    `json:"subAccountId"`
	Source          string    `json:"source,omitempty"`      // SMS
	Destination     string    `json:"destination,omitempty"` // SMS, E.164 with '+'
	Channel         string    `json:"channel,omitempty"`     // chat apps
	User            *dlrUser  `json:"user,omitempty"`        // chat apps
	Status          dlrStatus `json:"status"`
	Price           *dlrPrice `json:"price,omitempty"`    // SMS, when charged
	SMSCount        int       `json:"smsCount,omitempty"` // SMS
}

type dlrUser struct {
	MSISDN        string `json:"msisdn,omitempty"`
	ChannelUserID string `json:"channelUserId,omitempty"`
}

type dlrStatus struct {
	State        string `json:"state"`
	Detail       string `json:"detail,omitempty"`
	Timestamp    string `json:"timestamp"`
	ErrorCode    int    `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

type dlrPrice struct {
	Total    float64 `json:"total"`
	PerSMS   float64 `json:"perSms"`
	Currency string  `json:"currency"`
}

// smsPrice is what a delivered SMS part costs in the emulator.
const smsPrice = 0.0412

func receiptBody(a *accepted, st step, at time.Time) []byte {
	p := dlrPayload{UMID: a.umid, BatchID: a.batchID, ClientMessageID: a.clientMessageID, ClientBatchID: a.clientBatchID,
		SubAccountID: a.sub, Status: dlrStatus{State: st.state, Detail: st.detail, Timestamp: formatTimestamp(at)}}
	if st.errorCode != 0 || st.state == "undelivered" {
		p.Status.ErrorCode = st.errorCode
		p.Status.ErrorMessage = dlrReasons[st.errorCode]
		if p.Status.ErrorMessage == "" {
			p.Status.ErrorMessage = "Delivery failure"
		}
	}
	if a.chat {
		p.Channel = a.channel
		u := dlrUser{MSISDN: a.user.MSISDN, ChannelUserID: a.user.ChannelUserID}
		if u.MSISDN == "" && u.ChannelUserID == "" {
			u.ChannelUserID = a.user.LineUserID
		}
		p.User = &u
		return marshal(&dlrEnvelope{Version: 9, Namespace: "ChatApps", EventType: "outbound_message_status_changed",
			Description: "ChatApps outbound message delivery receipt", Payload: p})
	}
	p.Source, p.Destination, p.SMSCount = a.source, "+"+a.dest, a.smsCount
	if st.state == "delivered" {
		p.Price = &dlrPrice{Total: smsPrice * float64(a.smsCount), PerSMS: smsPrice, Currency: "SGD"}
	}
	return marshal(&dlrEnvelope{Namespace: "SMS", EventType: "outbound_message_status_changed",
		Description: "SMS outbound message delivery receipt", Payload: p})
}
