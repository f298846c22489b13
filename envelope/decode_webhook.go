package envelope

import (
	"strconv"
	"unsafe"
)

// DecodeWebhook decodes a body 8x8 POSTs to a webhook (a delivery receipt,
// an inbound message or an echo, enveloped or flat) into w, with the
// contract of the other Decode methods. It does not look at what the body
// is: members may come in any order (the "payload" before the
// "namespace"), so the decoder fills in every field it knows and w.Kind
// tells the kind afterwards. A FieldError names the path, e.g.
// "payload.status.errorCode"; like every error of the package it quotes no
// string of the body (no destination, no text).
func (d *Decoder) DecodeWebhook(body []byte, w *Webhook) error {
	*w = Webhook{}
	d.begin(body)
	if d.top() && d.enter() {
		for first := true; ; first = false {
			x, more := d.member(first, webhookKeys)
			if !more {
				break
			}
			l := &w.Legacy
			switch x {
			case 0:
				d.string(&w.Namespace, "namespace")
			case 1:
				d.string(&w.EventType, "eventType")
			case 2:
				d.string(&w.Description, "description")
			case 3:
				d.int(&w.Version, "version")
			case 4:
				if d.object("payload") {
					d.payload(&w.Payload)
				}
			case 5:
				d.string(&l.UMID, "umid")
			case 6:
				d.string(&l.Channel, "channel")
			case 7:
				if d.object("user") {
					d.eventUser(&l.User, "user.")
				}
			case 8:
				d.string(&l.Status, "status")
			case 9:
				d.string(&l.SubAccountID, "subAccountId")
			case 10:
				d.string(&l.ClientMessageID, "clientMessageId")
			case 11:
				d.string(&l.ClientBatchID, "clientBatchId")
			case 12:
				d.string(&l.Timestamp, "timestamp")
			default:
				d.skip()
			}
			if d.err != nil {
				break
			}
		}
	}
	return d.end()
}

var webhookKeys = newKeySet("namespace", "eventType", "description", "version", "payload",
	"umid", "channel", "user", "status", "subAccountId", "clientMessageId", "clientBatchId", "timestamp")

var payloadKeys = newKeySet("umid", "batchId", "clientMessageId", "clientBatchId", "subAccountId",
	"source", "destination", "status", "price", "smsCount", "channel", "user", "whatsapp",
	"timestamp", "type", "content", "recipient", "replyToUmid", "body", "encoding")

// payload decodes the "payload" object at d.pos into p.
func (d *Decoder) payload(p *WebhookPayload) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "payload."
	for first := true; ; first = false {
		x, more := d.member(first, payloadKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.string(&p.UMID, "umid")
		case 1:
			d.string(&p.BatchID, "batchId")
		case 2:
			d.string(&p.ClientMessageID, "clientMessageId")
		case 3:
			d.string(&p.ClientBatchID, "clientBatchId")
		case 4:
			d.string(&p.SubAccountID, "subAccountId")
		case 5:
			d.string(&p.Source, "source")
		case 6:
			d.string(&p.Destination, "destination")
		case 7:
			if d.object("status") {
				d.dlrStatus(&p.Status)
			}
		case 8:
			if d.object("price") {
				d.price(&p.Price)
			}
		case 9:
			d.int(&p.SMSCount, "smsCount")
		case 10:
			d.string(&p.Channel, "channel")
		case 11:
			if d.object("user") {
				d.eventUser(&p.User, "payload.user.")
			}
		case 12:
			if d.object("whatsapp") {
				d.whatsApp(&p.WhatsApp)
			}
		case 13:
			d.time(&p.Timestamp, "timestamp")
		case 14:
			d.string(&p.Type, "type")
		case 15:
			if d.object("content") {
				d.content(&p.Content)
			}
		case 16:
			if d.object("recipient") {
				d.recipient(&p.Recipient)
			}
		case 17:
			d.string(&p.ReplyToUMID, "replyToUmid")
		case 18:
			d.string(&p.Body, "body")
		case 19:
			d.string(&p.Encoding, "encoding")
		default:
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

func (d *Decoder) dlrStatus(s *DLRStatus) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "payload.status."
	for first := true; ; first = false {
		x, more := d.member(first, chatStatusKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.string((*string)(&s.State), "state")
		case 1:
			d.string((*string)(&s.Detail), "detail")
		case 2:
			d.time(&s.Timestamp, "timestamp")
		case 3:
			v := int(s.ErrorCode)
			d.int(&v, "errorCode")
			s.ErrorCode = DLRCode(v)
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

var priceKeys = newKeySet("total", "perSms", "currency")

func (d *Decoder) price(p *Price) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "payload.price."
	for first := true; ; first = false {
		x, more := d.member(first, priceKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.float(&p.Total, "total")
		case 1:
			d.float(&p.PerSMS, "perSms")
		case 2:
			d.string(&p.Currency, "currency")
		default:
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

var eventUserKeys = newKeySet("msisdn", "channelUserId", "name", "username")

// eventUser decodes a "user" object; prefix is its path for field errors.
func (d *Decoder) eventUser(u *EventUser, prefix string) {
	d.stringMembers(eventUserKeys, prefix, &u.MSISDN, &u.ChannelUserID, &u.Name, &u.Username)
}

var whatsAppKeys = newKeySet("providerErrorCode", "pricingCategory")

func (d *Decoder) whatsApp(w *WhatsAppInfo) {
	d.stringMembers(whatsAppKeys, "payload.whatsapp.", &w.ProviderErrorCode, &w.PricingCategory)
}

var contentKeys = newKeySet("text", "url", "location")

func (d *Decoder) content(c *EventContent) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "payload.content."
	for first := true; ; first = false {
		x, more := d.member(first, contentKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.string(&c.Text, "text")
		case 1:
			d.string(&c.URL, "url")
		case 2:
			if d.object("location") {
				d.location(&c.Location)
			}
		default:
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

var locationKeys = newKeySet("latitude", "longitude")

func (d *Decoder) location(l *EventLocation) {
	if !d.enter() {
		return
	}
	saved := d.prefix
	d.prefix = "payload.content.location."
	for first := true; ; first = false {
		x, more := d.member(first, locationKeys)
		if !more {
			break
		}
		switch x {
		case 0:
			d.float(&l.Latitude, "latitude")
		case 1:
			d.float(&l.Longitude, "longitude")
		default:
			d.skip()
		}
		if d.err != nil {
			break
		}
	}
	d.prefix = saved
}

var recipientKeys = newKeySet("channel", "channelId")

func (d *Decoder) recipient(r *EventRecipient) {
	d.stringMembers(recipientKeys, "payload.recipient.", &r.Channel, &r.ChannelID)
}

// float reads a number member into dst as encoding/json reads a float64:
// strconv.ParseFloat of the number's text, an error (here a field error)
// when it is out of range.
func (d *Decoder) float(dst *float64, name string) {
	c := d.data[d.pos]
	if c == 'n' {
		d.null()
		return
	}
	if c != '-' && c-'0' >= 10 {
		d.wrongType(name, "number")
		return
	}
	start, _, ok := d.number()
	if !ok {
		return
	}
	v, err := strconv.ParseFloat(unsafe.String(&d.data[start], d.pos-start), 64)
	if err != nil {
		d.fieldErr(name, start, "number out of the float64 range")
		return
	}
	*dst = v
}
