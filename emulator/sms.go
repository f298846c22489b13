package emulator

import (
	"strings"
	"time"
)

// SMS limits from docs/8x8-api.md.
const (
	smsMaxClientMessageID = 350
	smsMaxClientBatchID   = 20
	smsMaxBatch           = 10_000
	smsMaxSource          = 16
	maxScheduleAhead      = 7 * 24 * time.Hour
)

const (
	smsQueued       = "SMS is accepted and queued for processing"
	msgInvalidSMSTo = "Invalid MSISDN format (not E.164 international number)"
)

// message is one send request as decoded: the SMS fields and the chat-apps
// fields side by side, so one decode serves both shapes ("user" present
// means chat apps).
type message struct {
	// SMS
	Destination     string `json:"destination"`
	Country         string `json:"country"`
	Source          string `json:"source"`
	ClientMessageID string `json:"clientMessageId"`
	Text            string `json:"text"`
	Encoding        string `json:"encoding"`
	Scheduled       string `json:"scheduled"`
	Expiry          string `json:"expiry"`
	DLRCallbackURL  string `json:"dlrCallbackUrl"`
	ClientIP        string `json:"clientIp"`
	Track           string `json:"track"`
	// chat apps
	User     *chatUser     `json:"user"`
	Type     string        `json:"type"`
	Content  *chatContent  `json:"content"`
	Channels []chatChannel `json:"channels"`
	Context  *chatContext  `json:"context"`
}

// template is a batch's shared defaults, SMS or chat apps.
type template struct {
	// SMS
	Text           string `json:"text"`
	Source         string `json:"source"`
	Encoding       string `json:"encoding"`
	Scheduled      string `json:"scheduled"`
	Expiry         string `json:"expiry"`
	DLRCallbackURL string `json:"dlrCallbackUrl"`
	// chat apps
	Type     string        `json:"type"`
	Content  *chatContent  `json:"content"`
	Channels []chatChannel `json:"channels"`
}

// batch is a batch request, SMS or chat apps.
type batch struct {
	ClientBatchID             string    `json:"clientBatchId"`
	Template                  *template `json:"template"`
	Messages                  []message `json:"messages"`
	Destinations              []string  `json:"destinations"`
	IncludeMessagesInResponse bool      `json:"includeMessagesInResponse"`
	ClientIP                  string    `json:"clientIp"`
}

// isChat reports whether a batch has the chat-apps shape: an item with a
// "user", or a chat template.
func (b *batch) isChat() bool {
	for i := range b.Messages {
		if b.Messages[i].User != nil {
			return true
		}
	}
	t := b.Template
	return t != nil && (t.Type != "" || t.Content != nil || t.Channels != nil)
}

type smsStatus struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// smsResponse is an SMS send answer. Unlike chat apps, an unset
// clientMessageId (and a batch's clientBatchId and messages) is sent as
// null, not left out: that is 8x8's documented output (docs/8x8-api.md).
type smsResponse struct {
	UMID            string    `json:"umid"`
	ClientMessageID *string   `json:"clientMessageId"`
	Destination     string    `json:"destination"`
	Encoding        string    `json:"encoding"`
	Status          smsStatus `json:"status"`
}

type smsBatchResponse struct {
	BatchID       string        `json:"batchId"`
	ClientBatchID *string       `json:"clientBatchId"`
	AcceptedCount int           `json:"acceptedCount"`
	RejectedCount int           `json:"rejectedCount"`
	Messages      []smsResponse `json:"messages"`
}

// checkSMS validates one SMS (template already applied). It returns the
// destination without '+' and the encoding to report.
func checkSMS(m *message, now time.Time) (dest, enc string, e *apiError) {
	dest = strings.TrimPrefix(m.Destination, "+")
	// The response always names an encoding, even for a rejected message.
	enc, encOK := smsEncoding(m.Encoding, m.Text)
	if !encOK {
		enc, _ = smsEncoding("", m.Text)
	}
	switch {
	case !validMSISDN(m.Destination):
		return dest, enc, &apiError{codeInvalidMSISDN, msgInvalidSMSTo}
	case runes(m.ClientMessageID) > smsMaxClientMessageID:
		return dest, enc, &apiError{codeTooLongClientMsgID, "clientMessageId is longer than 350 characters"}
	case runes(m.Country) > 2:
		return dest, enc, &apiError{codeInvalidCountry, "Invalid country code"}
	case m.Text == "":
		return dest, enc, &apiError{codeInvalidText, "Text is missing"}
	case runes(m.Source) > smsMaxSource:
		return dest, enc, &apiError{codeInvalidSource, "Source is too long"}
	case !encOK:
		return dest, enc, &apiError{codeInvalidEncoding, "Invalid encoding (AUTO, GSM7 or UCS2)"}
	}
	if m.Scheduled != "" {
		t, ok := parseTime(m.Scheduled)
		if !ok {
			return dest, enc, &apiError{codeInvalidSchedule, "Invalid scheduled time"}
		}
		if t.Sub(now) > maxScheduleAhead {
			return dest, enc, &apiError{codeInvalidSchedule, "Scheduled time is more than 7 days ahead"}
		}
	}
	if m.Expiry != "" {
		t, ok := parseTime(m.Expiry)
		if !ok {
			return dest, enc, &apiError{codeInvalidExpiry, "Invalid expiry"}
		}
		if !t.After(now) {
			return dest, enc, &apiError{codeInvalidExpiry, "Expiry already passed"}
		}
	}
	switch {
	case m.DLRCallbackURL != "" && !validCallbackURL(m.DLRCallbackURL):
		return dest, enc, &apiError{codeInvalidParameter, "Invalid dlrCallbackUrl"}
	case m.ClientIP != "" && !validIP(m.ClientIP):
		return dest, enc, &apiError{codeInvalidIP, "Invalid IP address"}
	case m.Track != "" && !strings.EqualFold(m.Track, "None") && !strings.EqualFold(m.Track, "Outcome"):
		return dest, enc, &apiError{codeInvalidParameter, "Invalid track (None or Outcome)"}
	}
	return dest, enc, nil
}

// sendSMS handles a single SMS: 200 with the SmsResponse, or 400.
func (s *Server) sendSMS(sub string, m *message) (int, []byte) {
	now := s.now()
	dest, enc, e := checkSMS(m, now)
	if e != nil {
		return 400, s.errorJSON(*e)
	}
	r := smsResponse{UMID: newUUID(), Destination: dest, Encoding: enc,
		Status: smsStatus{"QUEUED", smsQueued}}
	if m.ClientMessageID != "" {
		r.ClientMessageID = &m.ClientMessageID
	}
	n := s.ledger.record(sub, m.ClientMessageID, r.UMID, dest, now)
	s.receipts(&accepted{sub: sub, clientMessageID: m.ClientMessageID, umid: r.UMID, dest: dest, source: m.Source,
		smsCount: smsSegments(m.Text, enc), callback: m.DLRCallbackURL, copy: n, at: now})
	return 200, marshal(&r)
}

// sendSMSBatch handles an SMS batch: 400 for whole-batch errors, else 200
// with per-message QUEUED or REJECTED.
func (s *Server) sendSMSBatch(sub string, b *batch) (int, []byte) {
	now := s.now()
	var tpl template
	if b.Template != nil {
		tpl = *b.Template
	}
	n := len(b.Messages)
	shared := n == 0
	if shared {
		n = len(b.Destinations)
	}
	switch {
	case runes(b.ClientBatchID) > smsMaxClientBatchID:
		return 400, s.errorJSON(apiError{codeTooLongBatchID, "clientBatchId is longer than 20 characters"})
	case n == 0:
		return 400, s.errorJSON(apiError{codeMissedMessages, "Messages are missing"})
	case n > smsMaxBatch:
		return 400, s.errorJSON(apiError{codeTooManyMessages, "Too many messages (at most 10000)"})
	case b.ClientIP != "" && !validIP(b.ClientIP):
		return 400, s.errorJSON(apiError{codeInvalidIP, "Invalid IP address"})
	}
	resp := smsBatchResponse{BatchID: newUUID()}
	if b.ClientBatchID != "" {
		resp.ClientBatchID = &b.ClientBatchID
	}
	if b.IncludeMessagesInResponse {
		resp.Messages = make([]smsResponse, 0, n)
	}
	for i := range n {
		var m message
		if shared {
			m.Destination = b.Destinations[i]
		} else {
			m = b.Messages[i]
		}
		applySMSTemplate(&m, &tpl)
		dest, enc, e := checkSMS(&m, now)
		id := m.ClientMessageID
		if id == "" && b.ClientBatchID != "" {
			id = b.ClientBatchID + "/" + dest
		}
		r := smsResponse{UMID: newUUID(), Destination: dest, Encoding: enc,
			Status: smsStatus{"QUEUED", smsQueued}}
		if e != nil {
			r.Status = smsStatus{"REJECTED", e.msg}
			resp.RejectedCount++
		} else {
			resp.AcceptedCount++
			n := s.ledger.record(sub, id, r.UMID, dest, now)
			s.receipts(&accepted{sub: sub, clientMessageID: m.ClientMessageID, umid: r.UMID, batchID: resp.BatchID,
				clientBatchID: b.ClientBatchID, dest: dest, source: m.Source, smsCount: smsSegments(m.Text, enc),
				callback: m.DLRCallbackURL, copy: n, at: now})
		}
		if resp.Messages != nil {
			if id != "" {
				r.ClientMessageID = &id
			}
			resp.Messages = append(resp.Messages, r)
		}
	}
	return 200, marshal(&resp)
}

func applySMSTemplate(m *message, t *template) {
	if m.Text == "" {
		m.Text = t.Text
	}
	if m.Source == "" {
		m.Source = t.Source
	}
	if m.Encoding == "" {
		m.Encoding = t.Encoding
	}
	if m.Scheduled == "" {
		m.Scheduled = t.Scheduled
	}
	if m.Expiry == "" {
		m.Expiry = t.Expiry
	}
	if m.DLRCallbackURL == "" {
		m.DLRCallbackURL = t.DLRCallbackURL
	}
}
