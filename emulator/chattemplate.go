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
}

var (
	componentTypes = []string{"header", "footer", "body", "button", "carousel",
		"call_permission_request", "request_contact_info"}
	buttonSubTypes = []string{"QuickReply", "Url", "CopyCode", "Flow", "VoiceCall"}
	paramTypes     = []string{"text", "image", "gif", "video", "document", "location",
		"payload", "couponCode", "action", "ttlMinutes"}
	mediaParams  = []string{"image", "gif", "video", "document"}
	buttonParams = []string{"payload", "couponCode", "action", "ttlMinutes"}
	headerParams = []string{"image", "gif", "video", "document", "location"}
)

// buttonParam is the one parameter type each button subType takes: a Url
// button its dynamic text, a QuickReply its payload, a CopyCode its
// coupon, a Flow its action, a VoiceCall its ttlMinutes.
var buttonParam = map[string]string{"url": "text", "quickreply": "payload", "copycode": "couponCode",
	"flow": "action", "voicecall": "ttlMinutes"}

// checkComponents validates a template's components.
func checkComponents(cs []chatComponent) *apiError {
	for i := range cs {
		if e := checkComponent(&cs[i]); e != nil {
			return e
		}
	}
	return nil
}

func checkComponent(c *chatComponent) *apiError {
	if c.Type != "" && !oneOf(c.Type, componentTypes) {
		return &apiError{codeInvalidComponentType, "Invalid Template Component type"}
	}
	var want string // the parameter type a button takes
	if strings.EqualFold(c.Type, "button") {
		switch {
		case !oneOf(c.SubType, buttonSubTypes):
			return &apiError{codeInvalidSubType, "Invalid Template Component SubType"}
		case c.Index.V < 0 || c.Index.V > chatMaxButtonIndex:
			return &apiError{codeInvalidIndex, "Invalid index"}
		case len(c.Parameters) == 0 && !strings.EqualFold(c.SubType, "VoiceCall"):
			return &apiError{codeEmptyTemplateParams, "Empty template parameters"}
		}
		want = buttonParam[strings.ToLower(c.SubType)]
	}
	for i := range c.Parameters {
		if e := checkParam(&c.Parameters[i], c.Type, want); e != nil {
			return e
		}
	}
	return nil
}

// checkParam validates one parameter of a component of type comp; want is
// the one type a button's parameter may have ("" outside buttons).
func checkParam(p *chatParam, comp, want string) *apiError {
	t := p.Type
	switch {
	case !oneOf(t, paramTypes):
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
