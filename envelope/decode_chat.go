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

var chatKeys = newKeySet("umid", "user", "clientMessageId", "status")

// chat decodes the chat response object at d.pos into r.
func (d *Decoder) chat(r *ChatResponse) {
	if !d.enter() {
		return
	}
	for first := true; ; first = false {
		x, more := d.member(first, chatKeys)
		if !more {
			return
		}
		switch x {
		case 0:
			d.string(&r.UMID, "umid")
		case 1:
			if d.object("user") {
				d.chatUser(&r.User)
			}
		case 2:
			d.string(&r.ClientMessageID, "clientMessageId")
		case 3:
			if d.object("status") {
				d.chatStatus(&r.Status)
			}
		default:
			d.skip()
		}
		if d.err != nil {
			return
		}
	}
}

var chatUserKeys = newKeySet("msisdn", "country", "lineUserId", "channelUserId")

func (d *Decoder) chatUser(u *ChatUser) {
	d.stringMembers(chatUserKeys, "user.", &u.MSISDN, &u.Country, &u.LineUserID, &u.ChannelUserID)
}

var chatStatusKeys = newKeySet("state", "detail", "timestamp", "errorCode", "errorMessage")

func (d *Decoder) chatStatus(s *ChatStatus) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "status."
	for first := true; ; first = false {
		x, more := d.member(first, chatStatusKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.string(&s.State, "state")
		case 1:
			d.string(&s.Detail, "detail")
		case 2:
			d.time(&s.Timestamp, "timestamp")
		case 3:
			d.code(&s.ErrorCode, "errorCode")
		case 4:
			d.string(&s.ErrorMessage, "errorMessage")
		default:
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

// DecodeChatBatch decodes the body of a successful chat-apps batch send into
// r, reusing the capacity of r.Messages as DecodeBatch does.
func (d *Decoder) DecodeChatBatch(body []byte, r *ChatBatchResponse) error {
	*r = ChatBatchResponse{Messages: r.Messages[:0]}
	return decodeBatch(d, body, batchFields{&r.BatchID, &r.ClientBatchID, &r.AcceptedCount, &r.RejectedCount}, &r.Messages, (*Decoder).chat)
}
