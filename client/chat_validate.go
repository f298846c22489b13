package client

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Limits of the typed chat-apps content, from the chat-apps spec
// (business_messaging_api.json).
const (
	MaxTemplateButtonIndex = 9      // index of a template button: 0..9
	MaxTTLMinutes          = 43_200 // a VoiceCall's ttlMinutes: 1..43200 (30 days)
	MaxCarouselCards       = 10     // cards of a carousel template (cardIndex 0..9)
	MaxCardButtonIndex     = 1      // index of a carousel card's button: 0..1
)

// validateContent checks the typed parts of a chat message's content
// against the limits the spec gives. Field names are built only on
// failure, so a valid message costs no allocation.
func validateContent(prefix, typ string, c *ChatContent) error {
	switch {
	case strings.EqualFold(typ, "location") && c.Location == nil && len(c.Extra) == 0:
		return &ValidationError{Field: field(prefix, "Content.Location"), Msg: "nil: a location message needs one"}
	case strings.EqualFold(typ, "interactive") && c.Interactive == nil && len(c.Extra) == 0:
		return &ValidationError{Field: field(prefix, "Content.Interactive"), Msg: "nil: an interactive message needs one"}
	case c.Location != nil:
		if msg, name := checkLocation(c.Location); msg != "" {
			return &ValidationError{Field: field(prefix, "Content.Location"+name), Msg: msg}
		}
	}
	if c.Interactive != nil {
		if err := validateInteractive(prefix, c.Interactive); err != nil {
			return err
		}
	}
	if t := c.Template; t != nil {
		for i := range t.Components {
			if err := validateComponent(prefix, compAt{i: i, card: -1}, &t.Components[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// compAt locates a template component: Components[i], or, when card >= 0,
// Components[i].Cards[card].Components[j]. Its path is built only for an
// error.
type compAt struct{ i, card, j int }

func (a compAt) path() string {
	p := "Content.Template.Components[" + strconv.Itoa(a.i) + "]"
	if a.card >= 0 {
		p += ".Cards[" + strconv.Itoa(a.card) + "].Components[" + strconv.Itoa(a.j) + "]"
	}
	return p
}

// validateComponent checks the component at loc; a carousel card's
// components have their own limits.
func validateComponent(prefix string, loc compAt, c *ChatTemplateComponent) error {
	at := func(name string) string { return field(prefix, loc.path()+name) }
	inCard := loc.card >= 0
	button := strings.EqualFold(c.Type, "button")
	maxIndex := MaxTemplateButtonIndex
	if inCard {
		maxIndex = MaxCardButtonIndex
	}
	switch {
	case button && c.SubType == "":
		return &ValidationError{Field: at(".SubType"), Msg: "empty: a button needs one (QuickReply, Url, CopyCode, Flow or VoiceCall)"}
	case (button || c.SubType != "") && (c.Index < 0 || c.Index > maxIndex):
		return &ValidationError{Field: at(".Index"), Msg: "out of range 0.." + strconv.Itoa(maxIndex)}
	}
	for j := range c.Parameters {
		if msg, name := checkParameter(&c.Parameters[j]); msg != "" {
			return &ValidationError{Field: at(".Parameters[" + strconv.Itoa(j) + "]" + name), Msg: msg}
		}
	}
	carousel := strings.EqualFold(c.Type, "carousel")
	switch {
	case carousel && len(c.Cards) == 0:
		return &ValidationError{Field: at(".Cards"), Msg: "empty: a carousel needs cards"}
	case !carousel && len(c.Cards) > 0:
		return &ValidationError{Field: at(".Cards"), Msg: "set on a component that is not a carousel"}
	case inCard && len(c.Cards) > 0:
		return &ValidationError{Field: at(".Cards"), Msg: "a card cannot hold a carousel"}
	case len(c.Cards) > MaxCarouselCards:
		return &ValidationError{Field: at(".Cards"), Msg: "more than " + strconv.Itoa(MaxCarouselCards) + " cards"}
	}
	for k := range c.Cards {
		card := &c.Cards[k]
		if card.CardIndex < 0 || card.CardIndex >= MaxCarouselCards {
			return &ValidationError{Field: at(".Cards[" + strconv.Itoa(k) + "].CardIndex"),
				Msg: "out of range 0.." + strconv.Itoa(MaxCarouselCards-1)}
		}
		for m := range card.Components {
			if err := validateComponent(prefix, compAt{i: loc.i, card: k, j: m}, &card.Components[m]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkParameter returns what is wrong with p and the field at fault
// (".Payload"), or "" when p is valid: the value its Type requires is
// set, and every value set is within the spec's limits.
func checkParameter(p *ChatTemplateParameter) (msg, name string) {
	switch {
	case p.Type == "":
		return "empty", ".Type"
	case strings.EqualFold(p.Type, "payload") && p.Payload == "":
		return "empty: a payload parameter needs one", ".Payload"
	case strings.EqualFold(p.Type, "couponCode") && p.CouponCode == "":
		return "empty: a couponCode parameter needs one", ".CouponCode"
	case strings.EqualFold(p.Type, "location") && p.Location == nil:
		return "nil: a location parameter needs one", ".Location"
	case strings.EqualFold(p.Type, "ttlMinutes") && p.TTLMinutes == 0:
		return "zero: a ttlMinutes parameter needs one (1.." + strconv.Itoa(MaxTTLMinutes) + ")", ".TTLMinutes"
	case p.TTLMinutes < 0 || p.TTLMinutes > MaxTTLMinutes:
		return "out of range 1.." + strconv.Itoa(MaxTTLMinutes), ".TTLMinutes"
	}
	if p.Location != nil {
		if msg, name := checkLocation(p.Location); msg != "" {
			return msg, ".Location" + name
		}
	}
	if p.FlowActionData != nil {
		if msg := checkFlowData(p.FlowActionData); msg != "" {
			return msg, ".FlowActionData.Data"
		}
	}
	return "", ""
}

// checkLocation returns what is wrong with l and the field at fault, or
// "" when its coordinates are on the globe.
func checkLocation(l *ChatLocation) (msg, name string) {
	switch {
	case !(l.Latitude >= -90 && l.Latitude <= 90): // NaN fails too
		return "not a latitude (-90..90)", ".Latitude"
	case !(l.Longitude >= -180 && l.Longitude <= 180):
		return "not a longitude (-180..180)", ".Longitude"
	}
	return "", ""
}

// checkFlowData returns what is wrong with a Flow's data, or "" when it
// is absent or a non-empty JSON object, as the spec requires.
func checkFlowData(f *ChatFlowData) string {
	d := f.Data
	if len(d) == 0 {
		return ""
	}
	if !json.Valid(d) {
		return "not valid JSON"
	}
	i := skipSpace(d, 0)
	if d[i] != '{' {
		return "not a JSON object"
	}
	if d[skipSpace(d, i+1)] == '}' {
		return "an empty object: leave Data nil instead"
	}
	return ""
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
