package emulator

import "strings"

// Interactive messages as the chat-apps spec (business_messaging_api.json,
// content.interactive) defines them. A violation is code 1000 ("Invalid
// parameter: <field>") when something is missing or not one of the
// allowed values, and 1010 ("Parameter out of range: <field>") when a
// length or a count is over the spec's limit.

type chatText struct {
	Text string `json:"text"`
}

type chatMedia struct {
	ID   string `json:"id"`
	Link string `json:"link"`
}

type chatIHeader struct {
	Type     string     `json:"type"`
	Text     string     `json:"text"`
	Image    *chatMedia `json:"image"`
	Video    *chatMedia `json:"video"`
	Document *chatMedia `json:"document"`
}

type chatReplyButton struct {
	Type  string `json:"type"`
	Reply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

type chatSection struct {
	Title string `json:"title"`
	Rows  []struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"rows"`
	ProductItems []struct {
		ProductRetailerID string `json:"product_retailer_id"`
	} `json:"product_items"`
}

type chatActionParams struct {
	DisplayText       string        `json:"display_text"`
	URL               string        `json:"url"`
	TTLMinutes        *int          `json:"ttlMinutes"`
	Payload           string        `json:"payload"`
	FlowID            string        `json:"flowId"`
	FlowCTA           string        `json:"flowCta"`
	FlowAction        string        `json:"flowAction"`
	FlowActionPayload *chatFlowData `json:"flowActionPayload"`
}

type chatAction struct {
	Button            string            `json:"button"`
	Buttons           []chatReplyButton `json:"buttons"`
	CatalogID         string            `json:"catalog_id"`
	ProductRetailerID string            `json:"product_retailer_id"`
	Name              string            `json:"name"`
	Sections          []chatSection     `json:"sections"`
	Parameters        *chatActionParams `json:"parameters"`
}

type chatInteractive struct {
	Type   string       `json:"type"`
	Header *chatIHeader `json:"header"`
	Body   *chatText    `json:"body"`
	Footer *chatText    `json:"footer"`
	Action *chatAction  `json:"action"`
}

var interactiveTypes = []string{"button", "list", "product", "product_list", "cta_url", "flow",
	"call_permission_request", "request_contact_info", "voice_call", "location_request_message"}

// invalid and outOfRange are the errors on a member of content.interactive.
func invalid(field string) *apiError {
	return &apiError{codeInvalidParameter, "Invalid parameter: content.interactive." + field}
}

func outOfRange(field string) *apiError {
	return &apiError{codeParameterOutOfRange, "Parameter out of range: content.interactive." + field}
}

// checkInteractive validates an interactive message's content.
func checkInteractive(in *chatInteractive) *apiError {
	if in == nil {
		return &apiError{codeMissedContent, "Missed Content"}
	}
	if !oneOf(in.Type, interactiveTypes) {
		return invalid("type")
	}
	typ := strings.ToLower(in.Type)
	bodyOptional := typ == "product" || typ == "call_permission_request" || typ == "request_contact_info"
	switch {
	case in.Action == nil:
		return invalid("action")
	case (in.Body == nil || in.Body.Text == "") && (in.Body != nil || !bodyOptional):
		return invalid("body.text")
	case in.Body != nil && runes(in.Body.Text) > 1024:
		return outOfRange("body.text")
	case in.Footer != nil && (in.Footer.Text == "" || typ == "location_request_message"):
		return invalid("footer")
	case in.Footer != nil && runes(in.Footer.Text) > 60:
		return outOfRange("footer.text")
	case in.Header != nil && (typ == "product" || typ == "location_request_message"):
		return invalid("header")
	}
	if e := checkIHeader(in.Header); e != nil {
		return e
	}
	a := in.Action
	switch typ {
	case "button":
		return checkReplyButtons(a.Buttons)
	case "list":
		switch {
		case a.Button == "":
			return invalid("action.button")
		case runes(a.Button) > 20:
			return outOfRange("action.button")
		}
		return checkSections(a.Sections, false)
	case "product":
		if a.CatalogID == "" || a.ProductRetailerID == "" {
			return invalid("action.catalog_id")
		}
	case "product_list":
		if a.CatalogID == "" {
			return invalid("action.catalog_id")
		}
		return checkSections(a.Sections, true)
	case "cta_url":
		switch p := a.Parameters; {
		case p == nil || p.DisplayText == "":
			return invalid("action.parameters.display_text")
		case runes(p.DisplayText) > 20:
			return outOfRange("action.parameters.display_text")
		case !validCallbackURL(p.URL):
			return invalid("action.parameters.url")
		}
	case "flow":
		return checkFlowParams(a.Parameters)
	case "voice_call":
		return checkVoiceCall(a.Parameters)
	case "location_request_message":
		if a.Name != "send_location" {
			return invalid("action.name")
		}
	}
	return nil
}

func checkIHeader(h *chatIHeader) *apiError {
	if h == nil {
		return nil
	}
	var m *chatMedia
	switch strings.ToLower(h.Type) {
	case "text":
		if h.Text == "" {
			return invalid("header.text")
		}
		return nil
	case "image":
		m = h.Image
	case "video":
		m = h.Video
	case "document":
		m = h.Document
	default:
		return invalid("header.type")
	}
	if m == nil || m.ID == "" && !validCallbackURL(m.Link) {
		return invalid("header." + strings.ToLower(h.Type))
	}
	return nil
}

func checkReplyButtons(bs []chatReplyButton) *apiError {
	if len(bs) == 0 {
		return invalid("action.buttons")
	}
	if len(bs) > 3 {
		return outOfRange("action.buttons")
	}
	titles := make(map[string]bool, len(bs))
	for _, b := range bs {
		switch r := b.Reply; {
		case b.Type != "reply" || r == nil || r.ID == "" || r.Title == "" || titles[r.Title]:
			return invalid("action.buttons.reply")
		case runes(r.ID) > 256 || runes(r.Title) > 20:
			return outOfRange("action.buttons.reply")
		default:
			titles[r.Title] = true
		}
	}
	return nil
}

// checkSections validates a list's sections (rows) or a product list's
// (product items).
func checkSections(ss []chatSection, products bool) *apiError {
	if len(ss) == 0 {
		return invalid("action.sections")
	}
	if len(ss) > 10 {
		return outOfRange("action.sections")
	}
	rows, items := 0, 0
	for _, s := range ss {
		switch {
		case s.Title == "" && len(ss) > 1:
			return invalid("action.sections.title")
		case runes(s.Title) > 24:
			return outOfRange("action.sections.title")
		case products && len(s.ProductItems) == 0:
			return invalid("action.sections.product_items")
		case !products && len(s.Rows) == 0:
			return invalid("action.sections.rows")
		}
		for _, r := range s.Rows {
			if r.ID == "" || r.Title == "" {
				return invalid("action.sections.rows")
			}
			if runes(r.ID) > 200 || runes(r.Title) > 24 || runes(r.Description) > 72 {
				return outOfRange("action.sections.rows")
			}
		}
		for _, p := range s.ProductItems {
			if p.ProductRetailerID == "" {
				return invalid("action.sections.product_items")
			}
		}
		rows += len(s.Rows)
		items += len(s.ProductItems)
	}
	if rows > 10 {
		return outOfRange("action.sections.rows")
	}
	if items > 30 {
		return outOfRange("action.sections.product_items")
	}
	return nil
}

func checkFlowParams(p *chatActionParams) *apiError {
	switch {
	case p == nil || p.FlowID == "":
		return invalid("action.parameters.flowId")
	case p.FlowCTA == "":
		return invalid("action.parameters.flowCta")
	case runes(p.FlowCTA) > 30:
		return outOfRange("action.parameters.flowCta")
	case p.FlowAction != "" && p.FlowAction != "navigate" && p.FlowAction != "data_exchange":
		return invalid("action.parameters.flowAction")
	case p.FlowActionPayload != nil && p.FlowAction == "data_exchange",
		!p.FlowActionPayload.valid():
		return invalid("action.parameters.flowActionPayload")
	}
	return nil
}

func checkVoiceCall(p *chatActionParams) *apiError {
	switch {
	case p == nil:
		return nil
	case runes(p.DisplayText) > 20:
		return outOfRange("action.parameters.display_text")
	case p.TTLMinutes != nil && (*p.TTLMinutes < 1 || *p.TTLMinutes > chatMaxTTLMinutes):
		return outOfRange("action.parameters.ttlMinutes")
	case runes(p.Payload) > 512:
		return outOfRange("action.parameters.payload")
	}
	return nil
}
