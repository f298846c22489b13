package envelope

import "time"

// ChatChannel is one step of a chat message's fallback order ("channels").
type ChatChannel struct {
	Channel       string // "SMS", "WhatsApp", ...
	FallbackAfter int    // seconds (10..86400); 0 = omitted
	SuccessStatus string // "Accepted", "Sent", "Delivered", "Read"; "" = omitted
}

// ChatContent is a chat message's "content". Empty fields are left out.
type ChatContent struct {
	Text, URL, FallbackText string
	// SMSEncoding and SMSSource are content.sms{encoding,source}, the SMS
	// fallback settings; "sms" is left out when both are "".
	SMSEncoding, SMSSource string
	// Location is the point a "location" message shows ("location").
	Location *ChatLocation
	// Interactive is the content of an "interactive" message
	// ("interactive").
	Interactive *ChatInteractive
	Template    *ChatTemplate
	// Extra holds further pre-encoded members of the content object, such
	// as `"richCard":{...}`, appended verbatim after the others (without
	// a leading comma). The encoder does not validate it: it must be valid
	// JSON object members, and none that a typed field above also sets.
	Extra []byte
}

// ChatRequest is one chat-apps message: the body of a single send, or one
// item of a chat batch. Empty fields are left out, except "user" and (on a
// single send) "type" and "content", which the API requires.
type ChatRequest struct {
	User            ChatUser
	ClientMessageID string // max 50
	Type            string // "text", "image", "template", ...
	Content         ChatContent
	Scheduled       time.Time
	Expiry          time.Time
	DLRCallbackURL  string
	Channels        []ChatChannel
	Context         ChatContext
}

// ChatContext makes a message a quoted reply ("context"), on WhatsApp: it
// shows as an answer to the message UMID, inbound or outbound, sent up to
// 7 days before. "context" is left out when UMID is "".
type ChatContext struct {
	UMID string // "umid"
}

// ChatBatchRequest is the body of a chat-apps batch send.
type ChatBatchRequest struct {
	ClientBatchID             string // max 100; "" = omitted
	Messages                  []ChatRequest
	IncludeMessagesInResponse bool // encoded only when true
}

// AppendChatRequest appends the JSON body of a single chat-apps send to dst
// and returns the extended buffer. It allocates only if dst lacks capacity.
func AppendChatRequest(dst []byte, r *ChatRequest) []byte {
	return appendChat(dst, r, true)
}

func appendChat(dst []byte, r *ChatRequest, single bool) []byte {
	var o object
	dst = append(dst, '{')
	var uo object
	dst = append(o.key(dst, "user"), '{')
	dst = uo.optStr(dst, "msisdn", r.User.MSISDN)
	dst = uo.optStr(dst, "country", r.User.Country)
	dst = uo.optStr(dst, "lineUserId", r.User.LineUserID)
	dst = uo.optStr(dst, "channelUserId", r.User.ChannelUserID)
	dst = append(dst, '}')
	dst = o.optStr(dst, "clientMessageId", r.ClientMessageID)
	if single {
		dst = o.str(dst, "type", r.Type)
	} else {
		dst = o.optStr(dst, "type", r.Type)
	}
	if c := &r.Content; single || c.Text != "" || c.URL != "" || c.FallbackText != "" ||
		c.SMSEncoding != "" || c.SMSSource != "" || c.Location != nil || c.Interactive != nil || c.Template != nil || len(c.Extra) > 0 {
		dst = appendChatContent(o.key(dst, "content"), c)
	}
	dst = o.optTime(dst, "scheduled", r.Scheduled)
	dst = o.optTime(dst, "expiry", r.Expiry)
	dst = o.optStr(dst, "dlrCallbackUrl", r.DLRCallbackURL)
	if len(r.Channels) > 0 {
		dst = append(o.key(dst, "channels"), '[')
		for i := range r.Channels {
			ch := &r.Channels[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			var co object
			dst = append(dst, '{')
			dst = co.str(dst, "channel", ch.Channel)
			if ch.FallbackAfter != 0 {
				dst = co.int(dst, "fallbackAfter", ch.FallbackAfter)
			}
			dst = co.optStr(dst, "successStatus", ch.SuccessStatus)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if r.Context.UMID != "" {
		var co object
		dst = append(o.key(dst, "context"), '{')
		dst = co.str(dst, "umid", r.Context.UMID)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

func appendChatContent(dst []byte, c *ChatContent) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "text", c.Text)
	dst = o.optStr(dst, "url", c.URL)
	dst = o.optStr(dst, "fallbackText", c.FallbackText)
	if c.SMSEncoding != "" || c.SMSSource != "" {
		var so object
		dst = append(o.key(dst, "sms"), '{')
		dst = so.optStr(dst, "encoding", c.SMSEncoding)
		dst = so.optStr(dst, "source", c.SMSSource)
		dst = append(dst, '}')
	}
	if c.Location != nil {
		dst = appendLocation(o.key(dst, "location"), c.Location)
	}
	if c.Interactive != nil {
		dst = appendInteractive(o.key(dst, "interactive"), c.Interactive)
	}
	if c.Template != nil {
		dst = appendChatTemplate(o.key(dst, "template"), c.Template)
	}
	if len(c.Extra) > 0 {
		if o.n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, c.Extra...)
	}
	return append(dst, '}')
}

// AppendChatBatchRequest appends the JSON body of a chat-apps batch send to
// dst and returns the extended buffer. It allocates only if dst lacks
// capacity.
func AppendChatBatchRequest(dst []byte, r *ChatBatchRequest) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "clientBatchId", r.ClientBatchID)
	dst = append(o.key(dst, "messages"), '[')
	for i := range r.Messages {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendChat(dst, &r.Messages[i], false)
	}
	dst = append(dst, ']')
	dst = o.optBool(dst, "includeMessagesInResponse", r.IncludeMessagesInResponse)
	return append(dst, '}')
}
