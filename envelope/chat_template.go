package envelope

// ChatTemplate is a WhatsApp message template ("content.template"): the
// name and language of a template registered with 8x8, and the values of
// its placeholders and buttons.
type ChatTemplate struct {
	Name, Language string
	Components     []ChatTemplateComponent
}

// ChatTemplateComponent is one component of a template: "header", "body",
// "footer", "button", "carousel", "call_permission_request" or
// "request_contact_info" (Type). A button names its kind in SubType
// ("QuickReply", "Url", "CopyCode", "Flow" or "VoiceCall") and its position
// in Index (0..9). Index is encoded when SubType is set or Type is "button";
// it is left out otherwise. A carousel holds its cards in Cards ("cards",
// left out when empty).
type ChatTemplateComponent struct {
	Type, SubType string
	Index         int
	Parameters    []ChatTemplateParameter
	Cards         []ChatTemplateCard
}

// ChatTemplateCard is one card of a carousel template: its position
// ("cardIndex", 0..9, always encoded) and the values of its own
// components ("components"): a "header", a "body" and up to two buttons
// ("QuickReply" or "Url", Index 0..1).
type ChatTemplateCard struct {
	CardIndex  int
	Components []ChatTemplateComponent
}

// ChatTemplateParameter is one parameter of a template component. Type
// says which field carries the value; the others are left out when empty:
//
//	"text"        Text: a placeholder's text, or the dynamic part of a Url button
//	"image", "gif", "video", "document"
//	              URL: the media of a header
//	"payload"     Payload: what the webhook reports when a QuickReply button is tapped
//	"couponCode"  CouponCode: the code a CopyCode button copies
//	"location"    Location: the point of a location header
//	"action"      FlowActionData (optional): how a Flow button opens its Flow
//	"ttlMinutes"  TTLMinutes: a VoiceCall button's time to live (1..43200)
type ChatTemplateParameter struct {
	Type           string        // "type", always encoded
	Text           string        // "text"
	URL            string        // "url"
	Payload        string        // "payload"
	CouponCode     string        // "couponCode"
	Location       *ChatLocation // "location"; nil = omitted
	FlowActionData *ChatFlowData // "flowActionData"; nil = omitted
	TTLMinutes     int           // "ttlMinutes"; 0 = omitted
}

// ChatFlowData says how a WhatsApp Flow opens: a Flow button's
// "flowActionData", and an interactive Flow message's "flowActionPayload".
// Both members are left out when empty.
type ChatFlowData struct {
	// Screen is the id of the entry screen to show first ("screen"); the
	// API's default is "FIRST_ENTRY_SCREEN". Only for the navigate action.
	Screen string
	// Data is the input of the first screen ("data"): a non-empty JSON
	// object, appended verbatim. The encoder does not validate it (the
	// client does, before sending).
	Data []byte
}

func appendChatTemplate(dst []byte, t *ChatTemplate) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.str(dst, "name", t.Name)
	dst = o.optStr(dst, "language", t.Language)
	if len(t.Components) > 0 {
		dst = appendComponents(o.key(dst, "components"), t.Components)
	}
	return append(dst, '}')
}

func appendComponents(dst []byte, cs []ChatTemplateComponent) []byte {
	dst = append(dst, '[')
	for i := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendComponent(dst, &cs[i])
	}
	return append(dst, ']')
}

func appendComponent(dst []byte, c *ChatTemplateComponent) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.str(dst, "type", c.Type)
	dst = o.optStr(dst, "subType", c.SubType)
	if c.SubType != "" || equalFoldASCII(c.Type, "button") {
		dst = o.int(dst, "index", c.Index)
	}
	if len(c.Parameters) > 0 {
		dst = append(o.key(dst, "parameters"), '[')
		for i := range c.Parameters {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendParameter(dst, &c.Parameters[i])
		}
		dst = append(dst, ']')
	}
	if len(c.Cards) > 0 {
		dst = append(o.key(dst, "cards"), '[')
		for i := range c.Cards {
			card := &c.Cards[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			var co object
			dst = append(dst, '{')
			dst = co.int(dst, "cardIndex", card.CardIndex)
			if len(card.Components) > 0 {
				dst = appendComponents(co.key(dst, "components"), card.Components)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendParameter(dst []byte, p *ChatTemplateParameter) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.str(dst, "type", p.Type)
	dst = o.optStr(dst, "text", p.Text)
	dst = o.optStr(dst, "url", p.URL)
	dst = o.optStr(dst, "payload", p.Payload)
	dst = o.optStr(dst, "couponCode", p.CouponCode)
	if p.Location != nil {
		dst = appendLocation(o.key(dst, "location"), p.Location)
	}
	if p.FlowActionData != nil {
		dst = appendFlowData(o.key(dst, "flowActionData"), p.FlowActionData)
	}
	if p.TTLMinutes != 0 {
		dst = o.int(dst, "ttlMinutes", p.TTLMinutes)
	}
	return append(dst, '}')
}

func appendFlowData(dst []byte, f *ChatFlowData) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "screen", f.Screen)
	if len(f.Data) > 0 {
		dst = append(o.key(dst, "data"), f.Data...)
	}
	return append(dst, '}')
}
