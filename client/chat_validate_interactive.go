package client

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of interactive messages, from the chat-apps spec
// (business_messaging_api.json, content.interactive).
const (
	MaxInteractiveBody   = 1024 // characters of an interactive message's body
	MaxInteractiveFooter = 60   // characters of its footer
	MaxReplyButtons      = 3    // reply buttons of a "button" message
	MaxReplyButtonID     = 256  // characters of a reply button's id
	MaxButtonTitle       = 20   // characters of a reply button's title, a list's button, a display_text
	MaxSections          = 10   // sections of a list or product list
	MaxListRows          = 10   // rows over all sections of a list
	MaxRowID             = 200  // characters of a list row's id
	MaxRowTitle          = 24   // characters of a list row's or a section's title
	MaxRowDescription    = 72   // characters of a list row's description
	MaxProductItems      = 30   // products over all sections of a product list
	MaxFlowCTA           = 30   // characters of a Flow message's button text
	MaxVoiceCallPayload  = 512  // characters of a voice_call's payload
)

// locationRequestAction is the action name of a location request message.
const locationRequestAction = "send_location"

// ivErr is a ValidationError on a member of Content.Interactive.
func ivErr(prefix, name, msg string) error {
	return &ValidationError{Field: field(prefix, "Content.Interactive"+name), Msg: msg}
}

func tooLong(s string, max int) bool {
	return len(s) > max && utf8.RuneCountInString(s) > max
}

func longer(max int) string { return "longer than " + strconv.Itoa(max) + " characters" }

// validateInteractive checks an interactive message against the spec's
// limits, and that it has what its Type requires. Types the client does
// not know are left to the server.
func validateInteractive(prefix string, in *ChatInteractive) error {
	typ := strings.ToLower(in.Type)
	switch {
	case in.Type == "":
		return ivErr(prefix, ".Type", "empty")
	case tooLong(in.Body, MaxInteractiveBody):
		return ivErr(prefix, ".Body", longer(MaxInteractiveBody))
	case in.Body == "" && typ != "product" && typ != "call_permission_request" && typ != "request_contact_info":
		return ivErr(prefix, ".Body", "empty: a "+in.Type+" message needs one")
	case tooLong(in.Footer, MaxInteractiveFooter):
		return ivErr(prefix, ".Footer", longer(MaxInteractiveFooter))
	case in.Footer != "" && typ == "location_request_message":
		return ivErr(prefix, ".Footer", "set on a location request message, which has none")
	case in.Header != nil && (typ == "product" || typ == "location_request_message"):
		return ivErr(prefix, ".Header", "set on a "+in.Type+" message, which has none")
	}
	if h := in.Header; h != nil {
		if err := validateHeader(prefix, h); err != nil {
			return err
		}
	}
	a := &in.Action
	switch typ {
	case "button":
		if err := validateReplyButtons(prefix, a.Buttons); err != nil {
			return err
		}
	case "list":
		switch {
		case a.Button == "":
			return ivErr(prefix, ".Action.Button", "empty: a list needs one")
		case tooLong(a.Button, MaxButtonTitle):
			return ivErr(prefix, ".Action.Button", longer(MaxButtonTitle))
		}
	case "product", "product_list":
		switch {
		case a.CatalogID == "":
			return ivErr(prefix, ".Action.CatalogID", "empty: a "+in.Type+" message needs one")
		case typ == "product" && a.ProductRetailerID == "":
			return ivErr(prefix, ".Action.ProductRetailerID", "empty: a product message needs one")
		}
	case "cta_url":
		switch p := a.Parameters; {
		case p == nil:
			return ivErr(prefix, ".Action.Parameters", "nil: a cta_url message needs one")
		case p.DisplayText == "":
			return ivErr(prefix, ".Action.Parameters.DisplayText", "empty: a cta_url message needs one")
		case p.URL == "":
			return ivErr(prefix, ".Action.Parameters.URL", "empty: a cta_url message needs one")
		}
	case "flow":
		switch p := a.Parameters; {
		case p == nil:
			return ivErr(prefix, ".Action.Parameters", "nil: a flow message needs one")
		case p.FlowID == "":
			return ivErr(prefix, ".Action.Parameters.FlowID", "empty: a flow message needs one")
		case p.FlowCTA == "":
			return ivErr(prefix, ".Action.Parameters.FlowCTA", "empty: a flow message needs one")
		}
	case "location_request_message":
		if a.Name != locationRequestAction {
			return ivErr(prefix, ".Action.Name", `not "send_location", which a location request needs`)
		}
	}
	if err := validateSections(prefix, typ, a.Sections); err != nil {
		return err
	}
	if p := a.Parameters; p != nil {
		return validateActionParameters(prefix, p)
	}
	return nil
}

func validateHeader(prefix string, h *ChatInteractiveHeader) error {
	switch t := strings.ToLower(h.Type); {
	case t == "":
		return ivErr(prefix, ".Header.Type", "empty")
	case t == "text" && h.Text == "":
		return ivErr(prefix, ".Header.Text", "empty: a text header needs one")
	case (t == "image" || t == "video" || t == "document") && h.Media.ID == "" && h.Media.Link == "":
		return ivErr(prefix, ".Header.Media", "no ID or Link: a "+h.Type+" header needs one")
	}
	return nil
}

func validateReplyButtons(prefix string, bs []ChatReplyButton) error {
	if len(bs) == 0 || len(bs) > MaxReplyButtons {
		return ivErr(prefix, ".Action.Buttons", strconv.Itoa(len(bs))+" buttons, want 1.."+strconv.Itoa(MaxReplyButtons))
	}
	for i := range bs {
		b := &bs[i]
		at := ".Action.Buttons[" + strconv.Itoa(i) + "]"
		switch {
		case b.ID == "":
			return ivErr(prefix, at+".ID", "empty")
		case tooLong(b.ID, MaxReplyButtonID):
			return ivErr(prefix, at+".ID", longer(MaxReplyButtonID))
		case b.Title == "":
			return ivErr(prefix, at+".Title", "empty")
		case tooLong(b.Title, MaxButtonTitle):
			return ivErr(prefix, at+".Title", longer(MaxButtonTitle))
		}
		for j := range i {
			if bs[j].Title == b.Title {
				return ivErr(prefix, at+".Title", "the same as button "+strconv.Itoa(j)+"'s: titles must be unique")
			}
		}
	}
	return nil
}

// validateSections checks a list's or a product list's sections.
func validateSections(prefix, typ string, ss []ChatSection) error {
	if (typ == "list" || typ == "product_list") && len(ss) == 0 {
		return ivErr(prefix, ".Action.Sections", "empty: a "+typ+" message needs one")
	}
	if len(ss) > MaxSections {
		return ivErr(prefix, ".Action.Sections", "more than "+strconv.Itoa(MaxSections)+" sections")
	}
	rows, products := 0, 0
	for i := range ss {
		s := &ss[i]
		at := ".Action.Sections[" + strconv.Itoa(i) + "]"
		switch {
		case s.Title == "" && len(ss) > 1:
			return ivErr(prefix, at+".Title", "empty: sections need titles when there are several")
		case tooLong(s.Title, MaxRowTitle):
			return ivErr(prefix, at+".Title", longer(MaxRowTitle))
		case typ == "list" && len(s.Rows) == 0:
			return ivErr(prefix, at+".Rows", "empty: a list section needs rows")
		case typ == "product_list" && len(s.ProductRetailerIDs) == 0:
			return ivErr(prefix, at+".ProductRetailerIDs", "empty: a product list section needs products")
		}
		for j := range s.Rows {
			r := &s.Rows[j]
			rat := at + ".Rows[" + strconv.Itoa(j) + "]"
			switch {
			case r.ID == "":
				return ivErr(prefix, rat+".ID", "empty")
			case tooLong(r.ID, MaxRowID):
				return ivErr(prefix, rat+".ID", longer(MaxRowID))
			case r.Title == "":
				return ivErr(prefix, rat+".Title", "empty")
			case tooLong(r.Title, MaxRowTitle):
				return ivErr(prefix, rat+".Title", longer(MaxRowTitle))
			case tooLong(r.Description, MaxRowDescription):
				return ivErr(prefix, rat+".Description", longer(MaxRowDescription))
			}
		}
		if rows += len(s.Rows); rows > MaxListRows {
			return ivErr(prefix, at+".Rows", "more than "+strconv.Itoa(MaxListRows)+" rows over all sections")
		}
		if products += len(s.ProductRetailerIDs); products > MaxProductItems {
			return ivErr(prefix, at+".ProductRetailerIDs", "more than "+strconv.Itoa(MaxProductItems)+" products over all sections")
		}
	}
	return nil
}

func validateActionParameters(prefix string, p *ChatActionParameters) error {
	const at = ".Action.Parameters"
	switch {
	case tooLong(p.DisplayText, MaxButtonTitle):
		return ivErr(prefix, at+".DisplayText", longer(MaxButtonTitle))
	case p.TTLMinutes < 0 || p.TTLMinutes > MaxTTLMinutes:
		return ivErr(prefix, at+".TTLMinutes", "out of range 1.."+strconv.Itoa(MaxTTLMinutes))
	case tooLong(p.Payload, MaxVoiceCallPayload):
		return ivErr(prefix, at+".Payload", longer(MaxVoiceCallPayload))
	case tooLong(p.FlowCTA, MaxFlowCTA):
		return ivErr(prefix, at+".FlowCTA", longer(MaxFlowCTA))
	case p.FlowAction != "" && p.FlowAction != "navigate" && p.FlowAction != "data_exchange":
		return ivErr(prefix, at+".FlowAction", `not "navigate" or "data_exchange"`)
	case p.FlowActionPayload != nil && p.FlowAction == "data_exchange":
		return ivErr(prefix, at+".FlowActionPayload", "set with the data_exchange action, which takes none")
	}
	if p.FlowActionPayload != nil {
		if msg := checkFlowData(p.FlowActionPayload); msg != "" {
			return ivErr(prefix, at+".FlowActionPayload.Data", msg)
		}
	}
	return nil
}
