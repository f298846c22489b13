package envelope

// ChatInteractive is the content of an "interactive" message
// ("content.interactive"), a WhatsApp message the user answers by tapping:
// reply buttons, a list, products, a call-to-action URL, a Flow, a voice
// call or a location request. Type is one of "button", "list", "product",
// "product_list", "cta_url", "flow", "call_permission_request",
// "request_contact_info", "voice_call" or "location_request_message". Type
// and Action are always encoded; the rest is left out when empty.
type ChatInteractive struct {
	Type   string                 // "type"
	Header *ChatInteractiveHeader // "header"; not for product and location request messages
	Body   string                 // "body":{"text"}, at most 1024 characters
	Footer string                 // "footer":{"text"}, at most 60 characters
	Action ChatInteractiveAction  // "action"
}

// ChatInteractiveHeader is the header of an interactive message. Type is
// "text" (Text is shown) or "image", "video" or "document" (Media is
// shown; it is encoded under the member that Type names).
type ChatInteractiveHeader struct {
	Type  string    // "type"
	Text  string    // "text"
	Media ChatMedia // "image", "video" or "document"; left out when zero
}

// ChatMedia is a media object of WhatsApp: an uploaded media's ID or a
// public Link, with an optional Caption, and the Filename a document is
// shown with. Empty fields are left out.
type ChatMedia struct {
	ID       string // "id"
	Link     string // "link"
	Caption  string // "caption"
	Filename string // "filename"
}

// ChatInteractiveAction is what the user can do with an interactive
// message ("action"). Which fields a Type needs:
//
//	"button"        Buttons (1..3 reply buttons)
//	"list"          Button (the list's label) and Sections of Rows
//	"product"       CatalogID and ProductRetailerID
//	"product_list"  CatalogID and Sections of ProductRetailerIDs
//	"cta_url"       Parameters.DisplayText and Parameters.URL
//	"flow"          Parameters.FlowID and Parameters.FlowCTA
//	"voice_call"    Parameters (all optional)
//	"location_request_message"  Name "send_location"
type ChatInteractiveAction struct {
	Button            string                // "button"
	Buttons           []ChatReplyButton     // "buttons"
	CatalogID         string                // "catalog_id"
	ProductRetailerID string                // "product_retailer_id"
	Name              string                // "name"
	Sections          []ChatSection         // "sections"
	Parameters        *ChatActionParameters // "parameters"
}

// ChatReplyButton is one reply button, encoded as
// {"type":"reply","reply":{"id","title"}}. The webhook reports ID (at most
// 256 characters) when the user taps the button labelled Title (at most
// 20, unique within the message).
type ChatReplyButton struct {
	ID, Title string
}

// ChatSection is one section of a list ("rows") or of a product list
// ("product_items", one {"product_retailer_id"} per id). Title (at most 24
// characters) is required when there is more than one section.
type ChatSection struct {
	Title              string           // "title"
	Rows               []ChatSectionRow // "rows"
	ProductRetailerIDs []string         // "product_items"
}

// ChatSectionRow is one row of a list: ID (at most 200 characters) is
// what the webhook reports, Title (24) and Description (72) what the user
// sees.
type ChatSectionRow struct {
	ID, Title, Description string
}

// ChatActionParameters are the "parameters" of a cta_url, flow or
// voice_call message. Empty fields are left out.
type ChatActionParameters struct {
	DisplayText string // "display_text": the button label, at most 20 characters
	URL         string // "url": the page a cta_url button opens
	TTLMinutes  int    // "ttlMinutes": a voice_call's time to live, 1..43200; 0 = omitted
	Payload     string // "payload": a voice_call's payload, at most 512 characters
	FlowID      string // "flowId": the published Flow
	FlowCTA     string // "flowCta": the Flow button's text, at most 30 characters
	FlowAction  string // "flowAction": "navigate" (the API's default) or "data_exchange"
	// FlowToken is the caller's token for the Flow ("flowToken"), reported
	// back with the Flow's answers. 8x8's WhatsApp Flows guide documents
	// it; the OpenAPI file does not list it.
	FlowToken         string
	FlowActionPayload *ChatFlowData // "flowActionPayload": only for the navigate action
}

func appendInteractive(dst []byte, in *ChatInteractive) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.str(dst, "type", in.Type)
	if h := in.Header; h != nil {
		dst = appendInteractiveHeader(o.key(dst, "header"), h)
	}
	if in.Body != "" {
		dst = appendTextObject(o.key(dst, "body"), in.Body)
	}
	if in.Footer != "" {
		dst = appendTextObject(o.key(dst, "footer"), in.Footer)
	}
	dst = appendAction(o.key(dst, "action"), &in.Action)
	return append(dst, '}')
}

// appendTextObject appends {"text":s}.
func appendTextObject(dst []byte, s string) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.str(dst, "text", s)
	return append(dst, '}')
}

func appendInteractiveHeader(dst []byte, h *ChatInteractiveHeader) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "type", h.Type)
	dst = o.optStr(dst, "text", h.Text)
	if h.Media != (ChatMedia{}) {
		// The member is named by the type; only the three media types
		// the spec defines become keys.
		var key string
		switch {
		case equalFoldASCII(h.Type, "image"):
			key = "image"
		case equalFoldASCII(h.Type, "video"):
			key = "video"
		case equalFoldASCII(h.Type, "document"):
			key = "document"
		}
		if key != "" {
			var mo object
			dst = append(o.key(dst, key), '{')
			dst = mo.optStr(dst, "id", h.Media.ID)
			dst = mo.optStr(dst, "link", h.Media.Link)
			dst = mo.optStr(dst, "caption", h.Media.Caption)
			dst = mo.optStr(dst, "filename", h.Media.Filename)
			dst = append(dst, '}')
		}
	}
	return append(dst, '}')
}

func appendAction(dst []byte, a *ChatInteractiveAction) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "button", a.Button)
	if len(a.Buttons) > 0 {
		dst = append(o.key(dst, "buttons"), '[')
		for i := range a.Buttons {
			b := &a.Buttons[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			var bo, ro object
			dst = append(dst, '{')
			dst = bo.str(dst, "type", "reply")
			dst = append(bo.key(dst, "reply"), '{')
			dst = ro.str(dst, "id", b.ID)
			dst = ro.str(dst, "title", b.Title)
			dst = append(dst, '}', '}')
		}
		dst = append(dst, ']')
	}
	dst = o.optStr(dst, "catalog_id", a.CatalogID)
	dst = o.optStr(dst, "product_retailer_id", a.ProductRetailerID)
	dst = o.optStr(dst, "name", a.Name)
	if len(a.Sections) > 0 {
		dst = append(o.key(dst, "sections"), '[')
		for i := range a.Sections {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSection(dst, &a.Sections[i])
		}
		dst = append(dst, ']')
	}
	if p := a.Parameters; p != nil {
		dst = appendActionParameters(o.key(dst, "parameters"), p)
	}
	return append(dst, '}')
}

func appendSection(dst []byte, s *ChatSection) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "title", s.Title)
	if len(s.Rows) > 0 {
		dst = append(o.key(dst, "rows"), '[')
		for i := range s.Rows {
			r := &s.Rows[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			var ro object
			dst = append(dst, '{')
			dst = ro.str(dst, "id", r.ID)
			dst = ro.str(dst, "title", r.Title)
			dst = ro.optStr(dst, "description", r.Description)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(s.ProductRetailerIDs) > 0 {
		dst = append(o.key(dst, "product_items"), '[')
		for i, id := range s.ProductRetailerIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			var po object
			dst = append(dst, '{')
			dst = po.str(dst, "product_retailer_id", id)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendActionParameters(dst []byte, p *ChatActionParameters) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "display_text", p.DisplayText)
	dst = o.optStr(dst, "url", p.URL)
	if p.TTLMinutes != 0 {
		dst = o.int(dst, "ttlMinutes", p.TTLMinutes)
	}
	dst = o.optStr(dst, "payload", p.Payload)
	dst = o.optStr(dst, "flowId", p.FlowID)
	dst = o.optStr(dst, "flowCta", p.FlowCTA)
	dst = o.optStr(dst, "flowAction", p.FlowAction)
	dst = o.optStr(dst, "flowToken", p.FlowToken)
	if p.FlowActionPayload != nil {
		dst = appendFlowData(o.key(dst, "flowActionPayload"), p.FlowActionPayload)
	}
	return append(dst, '}')
}
