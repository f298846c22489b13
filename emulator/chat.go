package emulator

import (
	"strings"
	"time"
)

// Chat-apps limits from docs/8x8-api.md.
const (
	chatMaxClientMessageID = 50
	chatMaxClientBatchID   = 100
	chatMaxBatch           = 1_000
	chatMaxText            = 35_000
	chatMaxTemplateName    = 512
)

type chatUser struct {
	MSISDN        string `json:"msisdn,omitempty"`
	Country       string `json:"country,omitempty"`
	LineUserID    string `json:"lineUserId,omitempty"`
	ChannelUserID string `json:"channelUserId,omitempty"`
}

type chatSMS struct {
	Encoding string `json:"encoding"`
	Source   string `json:"source"`
}

type chatTemplate struct {
	Name       string          `json:"name"`
	Language   string          `json:"language"`
	Components []chatComponent `json:"components"`
}

type chatContent struct {
	Text         string           `json:"text"`
	URL          string           `json:"url"`
	FallbackText string           `json:"fallbackText"`
	SMS          *chatSMS         `json:"sms"`
	Location     *chatLocation    `json:"location"`
	Interactive  *chatInteractive `json:"interactive"`
	Template     *chatTemplate    `json:"template"`
}

type chatChannel struct {
	Channel       string `json:"channel"`
	FallbackAfter int    `json:"fallbackAfter"`
	SuccessStatus string `json:"successStatus"`
}

type chatStatus struct {
	State        string `json:"state"`
	Timestamp    string `json:"timestamp"`
	ErrorCode    int    `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// chatResponse is a chat-apps send answer. The chat spec types
// clientMessageId (and a batch's clientBatchId and messages) as plain
// string / array, not nullable: they are left out when empty rather than
// sent as null (unlike the SMS API, whose documented output has nulls).
type chatResponse struct {
	UMID            string     `json:"umid"`
	User            chatUser   `json:"user"`
	ClientMessageID string     `json:"clientMessageId,omitempty"`
	Status          chatStatus `json:"status"`
}

type chatBatchResponse struct {
	BatchID       string         `json:"batchId"`
	ClientBatchID string         `json:"clientBatchId,omitempty"`
	AcceptedCount int            `json:"acceptedCount"`
	RejectedCount int            `json:"rejectedCount"`
	Messages      []chatResponse `json:"messages,omitempty"`
}

var chatTypes = []string{"text", "image", "audio", "video", "file", "location",
	"interactive", "template", "carousel", "richCard"}

var chatChannels = []string{"SMS", "WhatsApp", "Facebook", "RCS", "Viber", "Line",
	"WeChat", "Zalo", "Instagram"}

var chatSuccessStatuses = []string{"Accepted", "Sent", "Delivered", "Read"}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// checkChat validates one chat-apps message (template already applied).
func (s *Server) checkChat(m *message, now time.Time) *apiError {
	u := m.User
	switch {
	case u == nil:
		return &apiError{codeMissedUser, "Missed User"}
	case u.MSISDN == "" && u.LineUserID == "" && u.ChannelUserID == "":
		return &apiError{codeMissedUserID, "Missed UserId"}
	case u.MSISDN != "" && !validMSISDN(u.MSISDN):
		return &apiError{codeInvalidChatMSISDN, "Invalid MSISDN"}
	case runes(u.Country) > 2:
		return &apiError{codeInvalidChatCountry, "Invalid Country code"}
	case runes(m.ClientMessageID) > chatMaxClientMessageID:
		return &apiError{codeTooLongClientMsgID, "Too long ClientMessageId"}
	case !oneOf(m.Type, chatTypes):
		return &apiError{codeInvalidContentType, "Invalid Content Type"}
	case m.Content == nil:
		return &apiError{codeMissedContent, "Missed Content"}
	}
	c := m.Content
	switch strings.ToLower(m.Type) {
	case "text":
		if c.Text == "" {
			return &apiError{codeMissedText, "Missed Text"}
		}
		if runes(c.Text) > chatMaxText {
			return &apiError{codeTooLongText, "Too long text"}
		}
	case "image", "audio", "video", "file":
		if c.URL == "" {
			return &apiError{codeMissedMediaURL, "Missed Media URL"}
		}
		if !validCallbackURL(c.URL) {
			return &apiError{codeInvalidMediaURL, "Invalid Media URL"}
		}
	case "location":
		if !c.Location.complete() || !c.Location.onGlobe() {
			return &apiError{codeInvalidLocation, "Empty or Invalid Location"}
		}
	case "interactive":
		if e := checkInteractive(c.Interactive); e != nil {
			return e
		}
	case "template":
		t := c.Template
		switch {
		case t == nil || t.Name == "" && t.Language == "":
			return &apiError{codeEmptyTemplate, "Empty Template"}
		case t.Name == "" || runes(t.Name) > chatMaxTemplateName:
			return &apiError{codeTemplateNameLength, "Invalid Template Name Length"}
		case t.Language == "":
			return &apiError{codeEmptyTemplateLang, "Empty Template language"}
		case !s.tpl[t.Name]:
			return &apiError{codeTemplateNotFound, "Template not found for provided name and language"}
		}
		if e := checkComponents(t.Components, &templateRules); e != nil {
			return e
		}
	}
	switch {
	case runes(c.FallbackText) > chatMaxText:
		return &apiError{codeTooLongFallback, "Too long Fallback text"}
	case c.SMS != nil && runes(c.SMS.Source) > smsMaxSource:
		return &apiError{codeTooLongSMSSource, "Too long SMS Source"}
	case m.DLRCallbackURL != "" && !validCallbackURL(m.DLRCallbackURL):
		return &apiError{codeInvalidDRCallback, "Invalid DR Callback URL"}
	}
	for _, ch := range m.Channels {
		switch {
		case !oneOf(ch.Channel, chatChannels):
			return &apiError{codeInvalidFbChannel, "Invalid Fallback Channel"}
		case ch.FallbackAfter != 0 && (ch.FallbackAfter < 10 || ch.FallbackAfter > 86400):
			return &apiError{codeInvalidFbDelay, "Invalid Fallback Delay range"}
		case ch.SuccessStatus != "" && !oneOf(ch.SuccessStatus, chatSuccessStatuses):
			return &apiError{codeInvalidFbStatus, "Invalid Fallback Status"}
		}
	}
	if e := checkContext(m.Context); e != nil {
		return e
	}
	if m.Scheduled != "" {
		if t, ok := parseTime(m.Scheduled); !ok || t.Sub(now) > maxScheduleAhead {
			return &apiError{codeInvalidSchedule, "Invalid scheduled time"}
		}
	}
	if m.Expiry != "" {
		if t, ok := parseTime(m.Expiry); !ok || !t.After(now) {
			return &apiError{codeInvalidExpiry, "Invalid expiry"}
		}
	}
	return nil
}

// chatDestination is what the ledger records as a chat message's
// destination: the msisdn without '+', else the first user ID given.
func chatDestination(u *chatUser) string {
	switch {
	case u.MSISDN != "":
		return strings.TrimPrefix(u.MSISDN, "+")
	case u.ChannelUserID != "":
		return u.ChannelUserID
	}
	return u.LineUserID
}

// sendChat handles a single chat-apps message: 200 with the response, or
// 400 with the 3000s code.
func (s *Server) sendChat(sub string, m *message) (int, []byte) {
	now := s.now()
	if e := s.checkChat(m, now); e != nil {
		return 400, s.errorJSON(*e)
	}
	r := chatResponse{UMID: newUUID(), User: *m.User, ClientMessageID: m.ClientMessageID,
		Status: chatStatus{State: "queued", Timestamp: formatTimestamp(now)}}
	n := s.ledger.record(sub, m.ClientMessageID, r.UMID, chatDestination(m.User), now)
	s.receipts(&accepted{sub: sub, clientMessageID: m.ClientMessageID, umid: r.UMID, chat: true, channel: firstChannel(m),
		user: *m.User, callback: m.DLRCallbackURL, copy: n, at: now})
	return 200, marshal(&r)
}

// sendChatBatch handles a chat-apps batch: 400 for whole-batch errors, else
// 200 with per-message queued or rejected (status.errorCode).
func (s *Server) sendChatBatch(sub string, b *batch) (int, []byte) {
	now := s.now()
	switch {
	case runes(b.ClientBatchID) > chatMaxClientBatchID:
		return 400, s.errorJSON(apiError{codeTooLongBatchID, "Too long ClientBatchId"})
	case len(b.Messages) == 0:
		return 400, s.errorJSON(apiError{codeMissedMessages, "Missed messages"})
	case len(b.Messages) > chatMaxBatch:
		return 400, s.errorJSON(apiError{codeTooManyMessages, "Too much messages"})
	}
	var tpl template
	if b.Template != nil {
		tpl = *b.Template
	}
	resp := chatBatchResponse{BatchID: newUUID(), ClientBatchID: b.ClientBatchID}
	if b.IncludeMessagesInResponse {
		resp.Messages = make([]chatResponse, 0, len(b.Messages))
	}
	ts := formatTimestamp(now)
	for i := range b.Messages {
		m := &b.Messages[i]
		applyChatTemplate(m, &tpl)
		r := chatResponse{UMID: newUUID(), Status: chatStatus{State: "queued", Timestamp: ts}}
		if m.User != nil {
			r.User = *m.User
		}
		if e := s.checkChat(m, now); e != nil {
			r.Status = chatStatus{State: "rejected", Timestamp: ts, ErrorCode: e.code, ErrorMessage: e.msg}
			resp.RejectedCount++
		} else {
			resp.AcceptedCount++
			n := s.ledger.record(sub, m.ClientMessageID, r.UMID, chatDestination(m.User), now)
			s.receipts(&accepted{sub: sub, clientMessageID: m.ClientMessageID, umid: r.UMID, batchID: resp.BatchID,
				clientBatchID: b.ClientBatchID, chat: true, channel: firstChannel(m), user: *m.User,
				callback: m.DLRCallbackURL, copy: n, at: now})
		}
		if resp.Messages != nil {
			r.ClientMessageID = m.ClientMessageID
			resp.Messages = append(resp.Messages, r)
		}
	}
	return 200, marshal(&resp)
}

// firstChannel is the channel a chat message's receipts name: its first
// channels[] entry, lower case, else "whatsapp".
func firstChannel(m *message) string {
	if len(m.Channels) > 0 && m.Channels[0].Channel != "" {
		return strings.ToLower(m.Channels[0].Channel)
	}
	return "whatsapp"
}

func applyChatTemplate(m *message, t *template) {
	if m.Type == "" {
		m.Type = t.Type
	}
	if m.Content == nil {
		m.Content = t.Content
	}
	if m.DLRCallbackURL == "" {
		m.DLRCallbackURL = t.DLRCallbackURL
	}
	if m.Channels == nil {
		m.Channels = t.Channels
	}
}
