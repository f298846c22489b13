package envelope

// DecodeChat decodes the body of a successful single chat-apps send into r.
func (d *Decoder) DecodeChat(body []byte, r *ChatResponse) error {
	*r = ChatResponse{}
	d.begin(body)
	if d.top() {
		d.chat(r)
	}
	return d.end()
}

// chat decodes the chat response object at d.pos into r.
func (d *Decoder) chat(r *ChatResponse) {
	if !d.enter() {
		return
	}
	for first := true; ; first = false {
		k, more := d.key(first)
		if !more {
			return
		}
		d.chatField(r, k)
		if d.err != nil {
			return
		}
	}
}

var chatKeys = []string{"umid", "clientMessageId", "user", "status"}

func (d *Decoder) chatField(r *ChatResponse, k string) {
	switch k {
	case "umid":
		d.string(&r.UMID, "umid")
	case "clientMessageId":
		d.string(&r.ClientMessageID, "clientMessageId")
	case "user":
		switch d.data[d.pos] {
		case '{':
			d.chatUser(&r.User)
		case 'n':
			d.null()
		default:
			d.wrongType("user", "object")
		}
	case "status":
		switch d.data[d.pos] {
		case '{':
			d.chatStatus(&r.Status)
		case 'n':
			d.null()
		default:
			d.wrongType("status", "object")
		}
	default:
		if f := fold(k, chatKeys); f != "" {
			d.chatField(r, f)
			return
		}
		d.skip()
	}
}

var chatUserKeys = []string{"msisdn", "country", "lineUserId", "channelUserId"}

func (d *Decoder) chatUser(u *ChatUser) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "user."
	for first := true; ; first = false {
		k, more := d.key(first)
		if !more {
			break
		}
		d.chatUserField(u, k)
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

func (d *Decoder) chatUserField(u *ChatUser, k string) {
	switch k {
	case "msisdn":
		d.string(&u.MSISDN, "msisdn")
	case "country":
		d.string(&u.Country, "country")
	case "lineUserId":
		d.string(&u.LineUserID, "lineUserId")
	case "channelUserId":
		d.string(&u.ChannelUserID, "channelUserId")
	default:
		if f := fold(k, chatUserKeys); f != "" {
			d.chatUserField(u, f)
			return
		}
		d.skip()
	}
}

var chatStatusKeys = []string{"state", "detail", "timestamp", "errorCode", "errorMessage"}

func (d *Decoder) chatStatus(s *ChatStatus) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "status."
	for first := true; ; first = false {
		k, more := d.key(first)
		if !more {
			break
		}
		d.chatStatusField(s, k)
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

func (d *Decoder) chatStatusField(s *ChatStatus, k string) {
	switch k {
	case "state":
		d.string(&s.State, "state")
	case "detail":
		d.string(&s.Detail, "detail")
	case "timestamp":
		d.time(&s.Timestamp, "timestamp")
	case "errorCode":
		d.code(&s.ErrorCode, "errorCode")
	case "errorMessage":
		d.string(&s.ErrorMessage, "errorMessage")
	default:
		if f := fold(k, chatStatusKeys); f != "" {
			d.chatStatusField(s, f)
			return
		}
		d.skip()
	}
}

// DecodeChatBatch decodes the body of a successful chat-apps batch send into
// r, reusing the capacity of r.Messages as DecodeBatch does.
func (d *Decoder) DecodeChatBatch(body []byte, r *ChatBatchResponse) error {
	msgs := r.Messages[:0]
	*r = ChatBatchResponse{Messages: msgs}
	d.begin(body)
	if d.top() && d.enter() {
		for first := true; ; first = false {
			k, more := d.key(first)
			if !more {
				break
			}
			d.chatBatchField(r, k)
			if d.err != nil {
				break
			}
		}
	}
	return d.end()
}

func (d *Decoder) chatBatchField(r *ChatBatchResponse, k string) {
	switch k {
	case "batchId":
		d.string(&r.BatchID, "batchId")
	case "clientBatchId":
		d.string(&r.ClientBatchID, "clientBatchId")
	case "acceptedCount":
		d.int(&r.AcceptedCount, "acceptedCount")
	case "rejectedCount":
		d.int(&r.RejectedCount, "rejectedCount")
	case "messages":
		switch d.data[d.pos] {
		case '[':
			r.Messages = d.chatItems(r.Messages)
		case 'n':
			d.null()
			r.Messages = r.Messages[:0]
			d.hwm = 0
		default:
			d.wrongType("messages", "array")
		}
	default:
		if f := fold(k, batchKeys); f != "" {
			d.chatBatchField(r, f)
			return
		}
		d.skip()
	}
}

// chatItems decodes the array at d.pos into s[:0], as smsItems does.
func (d *Decoder) chatItems(s []ChatResponse) []ChatResponse {
	s = s[:0]
	if !d.enter() {
		return s
	}
	for i := 0; ; i++ {
		if !d.next(i == 0) {
			break
		}
		if i < cap(s) {
			s = s[:i+1]
			if i >= d.hwm {
				s[i] = ChatResponse{}
			}
		} else {
			s = append(s, ChatResponse{})
		}
		if i >= d.hwm {
			d.hwm = i + 1
		}
		d.index = i
		switch d.data[d.pos] {
		case '{':
			d.chat(&s[i])
		case 'n':
			d.null()
		default:
			d.wrongType("", "object")
		}
		d.index = -1
		if d.err != nil {
			break
		}
	}
	if len(s) == 0 {
		d.hwm = 0
	}
	return s
}
