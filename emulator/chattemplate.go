package emulator

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// Template components as the chat-apps spec (business_messaging_api.json,
// content.template.components) defines them.

// Limits of template components.
const (
	chatMaxButtonIndex = 9      // a button's index: 0..9
	chatMaxTTLMinutes  = 43_200 // a VoiceCall's ttlMinutes: 1..43200
	chatMaxCards       = 10     // cards of a carousel, cardIndex 0..9
)

// flexInt is an integer that also reads from a numeric string: 8x8's own
// template examples send "index":"0". Set reports that a non-null value
// was given.
type flexInt struct {
	V   int
	Set bool
}

func (n *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 1 && b[0] == '"' {
		b = b[1 : len(b)-1]
	}
	v, err := strconv.Atoi(string(b))
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + string(b), Type: reflect.TypeFor[int]()}
	}
	n.V, n.Set = v, true
	return nil
}

type chatParam struct {
	Type       string        `json:"type"`
	Text       string        `json:"text"`
	URL        string        `json:"url"`
	Payload    string        `json:"payload"`
	CouponCode string        `json:"couponCode"`
	Location   *chatLocation `json:"location"`
	FlowAction *chatFlowData `json:"flowActionData"`
	TTLMinutes *int          `json:"ttlMinutes"`
}

// chatFlowData is a Flow button's flowActionData, and an interactive Flow
// message's flowActionPayload.
type chatFlowData struct {
	Screen string          `json:"screen"`
	Data   json.RawMessage `json:"data"`
}

// valid reports that the data, when given, is a non-empty JSON object.
func (f *chatFlowData) valid() bool {
	if f == nil || len(f.Data) == 0 || string(f.Data) == "null" {
		return true
	}
	var m map[string]json.RawMessage
	return json.Unmarshal(f.Data, &m) == nil && len(m) > 0
}

type chatComponent struct {
	Type       string      `json:"type"`
	SubType    string      `json:"subType"`
	Index      flexInt     `json:"index"`
	Parameters []chatParam `json:"parameters"`
	Cards      []chatCard  `json:"cards"`
}

// chatCard is one card of a carousel.
type chatCard struct {
	CardIndex  flexInt         `json:"cardIndex"`
	Components []chatComponent `json:"components"`
}

// componentRules are what the components of one level may hold: a
// template's own, or a carousel card's.
type componentRules struct {
	types, subTypes, params []string
	maxIndex                int // of a button
}

var (
	templateRules = componentRules{
		types: []string{"header", "footer", "body", "button", "carousel",
			"call_permission_request", "request_contact_info"},
		subTypes: []string{"QuickReply", "Url", "CopyCode", "Flow", "VoiceCall"},
		params: []string{"text", "image", "gif", "video", "document", "location",
			"payload", "couponCode", "action", "ttlMinutes"},
		maxIndex: chatMaxButtonIndex,
	}
	cardRules = componentRules{
		types:    []string{"header", "body", "button"},
		subTypes: []string{"QuickReply", "Url"},
		params:   []string{"text", "image", "video", "document", "location", "payload", "couponCode"},
		maxIndex: 1,
	}
	mediaParams  = []string{"image", "gif", "video", "document"}
	buttonParams = []string{"payload", "couponCode", "action", "ttlMinutes"}
	headerParams = []string{"image", "gif", "video", "document", "location"}
)

// buttonParam is the one parameter type each button subType takes: a Url
// button its dynamic text, a QuickReply its payload, a CopyCode its
// coupon, a Flow its action, a VoiceCall its ttlMinutes.
var buttonParam = map[string]string{"url": "text", "quickreply": "payload", "copycode": "couponCode",
	"flow": "action", "voicecall": "ttlMinutes"}

// checkComponents validates a template's components (r is templateRules)
// or a carousel card's (cardRules).
func checkComponents(cs []chatComponent, r *componentRules) *apiError {
	for i := range cs {
		if e := checkComponent(&cs[i], r); e != nil {
			return e
		}
	}
	return nil
}

func checkComponent(c *chatComponent, r *componentRules) *apiError {
	if c.Type != "" && !oneOf(c.Type, r.types) {
		return &apiError{codeInvalidComponentType, "Invalid Template Component type"}
	}
	var want string // the parameter type a button takes
	if strings.EqualFold(c.Type, "button") {
		switch {
		case !oneOf(c.SubType, r.subTypes):
			return &apiError{codeInvalidSubType, "Invalid Template Component SubType"}
		case c.Index.V < 0 || c.Index.V > r.maxIndex:
			return &apiError{codeInvalidIndex, "Invalid index"}
		case len(c.Parameters) == 0 && !strings.EqualFold(c.SubType, "VoiceCall"):
			return &apiError{codeEmptyTemplateParams, "Empty template parameters"}
		}
		want = buttonParam[strings.ToLower(c.SubType)]
	}
	for i := range c.Parameters {
		if e := checkParam(&c.Parameters[i], c.Type, want, r.params); e != nil {
			return e
		}
	}
	return checkCards(c)
}

// checkCards validates a carousel's cards: 1 to 10, each at its own
// cardIndex 0..9; no other component holds cards.
func checkCards(c *chatComponent) *apiError {
	if !strings.EqualFold(c.Type, "carousel") {
		if len(c.Cards) > 0 {
			return &apiError{codeInvalidCombination, "Invalid template components combination"}
		}
		return nil
	}
	if len(c.Cards) == 0 || len(c.Cards) > chatMaxCards {
		return &apiError{codeInvalidCombination, "Invalid template components combination"}
	}
	var seen [chatMaxCards]bool
	for i := range c.Cards {
		card := &c.Cards[i]
		k := card.CardIndex.V
		if k < 0 || k >= chatMaxCards || seen[k] {
			return &apiError{codeInvalidIndex, "Invalid index"}
		}
		seen[k] = true
		if e := checkComponents(card.Components, &cardRules); e != nil {
			return e
		}
	}
	return nil
}

// checkParam validates one parameter of a component of type comp; want is
// the one type a button's parameter may have ("" outside buttons), types
// the parameter types of the level.
func checkParam(p *chatParam, comp, want string, types []string) *apiError {
	t := p.Type
	switch {
	case !oneOf(t, types):
		return &apiError{codeInvalidParamType, "Invalid Template parameter type"}
	case want != "" && !strings.EqualFold(t, want),
		want == "" && oneOf(t, buttonParams),
		oneOf(t, headerParams) && !strings.EqualFold(comp, "header"):
		return &apiError{codeParamNotAllowed, "Template parameter not allowed"}
	}
	switch {
	case strings.EqualFold(t, "text"):
		if p.Text == "" {
			return &apiError{codeInvalidTemplateParam, "Invalid Template parameter"}
		}
	case oneOf(t, mediaParams):
		if !validCallbackURL(p.URL) {
			return &apiError{codeInvalidParamURL, "Template parameter URL is invalid"}
		}
	case strings.EqualFold(t, "payload"):
		if p.Payload == "" {
			return &apiError{codeInvalidButtonParam, "Invalid button parameter"}
		}
	case strings.EqualFold(t, "couponCode"):
		if p.CouponCode == "" {
			return &apiError{codeInvalidButtonParam, "Invalid button parameter"}
		}
	case strings.EqualFold(t, "action"):
		if !p.FlowAction.valid() {
			return &apiError{codeInvalidButtonParam, "Invalid button parameter"}
		}
	case strings.EqualFold(t, "ttlMinutes"):
		if p.TTLMinutes == nil || *p.TTLMinutes < 1 || *p.TTLMinutes > chatMaxTTLMinutes {
			return &apiError{codeInvalidButtonParam, "Invalid button parameter"}
		}
	case strings.EqualFold(t, "location"):
		if !p.Location.complete() {
			return &apiError{codeLocationParamEmpty, "Template Location parameter empty"}
		}
		if !p.Location.onGlobe() {
			return &apiError{codeInvalidTemplateParam, "Invalid Template parameter"}
		}
	}
	return nil
}
