package client

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/octosend/octosend/envelope"
)

func interactiveChat(in ChatInteractive) Chat {
	return Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "interactive", Content: ChatContent{Interactive: &in}}
}

// Each kind of interactive message reaches the server as the spec shapes
// it, and the emulator accepts it.
func TestChatInteractiveSent(t *testing.T) {
	rec := startRecorder(t)
	tests := []struct {
		name string
		in   ChatInteractive
		want string // content.interactive as the server received it
	}{
		{"reply buttons", ChatInteractive{Type: "button", Header: &ChatInteractiveHeader{Type: "text", Text: "Delivery"},
			Body: "Pick a slot", Footer: "Reply by 6pm",
			Action: ChatInteractiveAction{Buttons: []ChatReplyButton{{ID: "am", Title: "Morning"}, {ID: "pm", Title: "Afternoon"}}}},
			`{"type":"button","header":{"type":"text","text":"Delivery"},"body":{"text":"Pick a slot"},"footer":{"text":"Reply by 6pm"},` +
				`"action":{"buttons":[{"type":"reply","reply":{"id":"am","title":"Morning"}},{"type":"reply","reply":{"id":"pm","title":"Afternoon"}}]}}`},
		{"list", ChatInteractive{Type: "list", Body: "Our branches", Action: ChatInteractiveAction{Button: "Choose",
			Sections: []ChatSection{{Title: "North", Rows: []ChatSectionRow{{ID: "n1", Title: "Woodlands", Description: "Open 9-6"}}},
				{Title: "South", Rows: []ChatSectionRow{{ID: "s1", Title: "Harbourfront"}}}}}},
			`{"type":"list","body":{"text":"Our branches"},"action":{"button":"Choose","sections":[` +
				`{"title":"North","rows":[{"id":"n1","title":"Woodlands","description":"Open 9-6"}]},{"title":"South","rows":[{"id":"s1","title":"Harbourfront"}]}]}}`},
		{"product list", ChatInteractive{Type: "product_list", Header: &ChatInteractiveHeader{Type: "text", Text: "Sale"}, Body: "Picks",
			Action: ChatInteractiveAction{CatalogID: "cat1", Sections: []ChatSection{{Title: "Shoes", ProductRetailerIDs: []string{"sku1", "sku2"}}}}},
			`{"type":"product_list","header":{"type":"text","text":"Sale"},"body":{"text":"Picks"},"action":{"catalog_id":"cat1",` +
				`"sections":[{"title":"Shoes","product_items":[{"product_retailer_id":"sku1"},{"product_retailer_id":"sku2"}]}]}}`},
		{"cta url with image header", ChatInteractive{Type: "cta_url",
			Header: &ChatInteractiveHeader{Type: "image", Media: ChatMedia{Link: "https://x.example/a.png"}}, Body: "See the offer",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{DisplayText: "Open", URL: "https://x.example/offer"}}},
			`{"type":"cta_url","header":{"type":"image","image":{"link":"https://x.example/a.png"}},"body":{"text":"See the offer"},` +
				`"action":{"parameters":{"display_text":"Open","url":"https://x.example/offer"}}}`},
		{"flow with token and data", ChatInteractive{Type: "flow", Body: "Book a visit", Action: ChatInteractiveAction{Parameters: &ChatActionParameters{
			FlowID: "1234567890123456", FlowCTA: "Book now", FlowToken: "tok-88121",
			FlowActionPayload: &ChatFlowData{Screen: "APPOINTMENT", Data: []byte(`{"name":"Jason"}`)}}}},
			`{"type":"flow","body":{"text":"Book a visit"},"action":{"parameters":{"flowId":"1234567890123456","flowCta":"Book now",` +
				`"flowToken":"tok-88121","flowActionPayload":{"screen":"APPOINTMENT","data":{"name":"Jason"}}}}}`},
		{"location request", ChatInteractive{Type: "location_request_message", Body: "Where should we deliver?",
			Action: ChatInteractiveAction{Name: "send_location"}},
			`{"type":"location_request_message","body":{"text":"Where should we deliver?"},"action":{"name":"send_location"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := rec.c.SendChat(context.Background(), "acme_chat", interactiveChat(tt.in)); err != nil {
				t.Fatalf("SendChat: %v", err)
			}
			if got, want := rec.received(t, "content", "interactive"), canon(t, tt.want); got != want {
				t.Errorf("server received\n %s\nwant %s", got, want)
			}
		})
	}
}

// The client refuses, before any request, an interactive message over the
// spec's limits or without what its type needs.
func TestChatInteractiveRefused(t *testing.T) {
	rec := startRecorder(t)
	btns := func(n int) []ChatReplyButton {
		bs := make([]ChatReplyButton, n)
		for i := range bs {
			bs[i] = ChatReplyButton{ID: "id" + string(rune('a'+i)), Title: "T" + string(rune('a'+i))}
		}
		return bs
	}
	rows := func(n int) []ChatSectionRow {
		return make([]ChatSectionRow, n)
	}
	ok := func() ChatInteractive {
		return ChatInteractive{Type: "button", Body: "b", Action: ChatInteractiveAction{Buttons: btns(2)}}
	}
	with := func(f func(*ChatInteractive)) ChatInteractive { in := ok(); f(&in); return in }
	tests := []struct {
		name, field string
		in          ChatInteractive
	}{
		{"no type", "Content.Interactive.Type", with(func(in *ChatInteractive) { in.Type = "" })},
		{"no body", "Content.Interactive.Body", with(func(in *ChatInteractive) { in.Body = "" })},
		{"body 1025", "Content.Interactive.Body", with(func(in *ChatInteractive) { in.Body = strings.Repeat("é", 1025) })},
		{"footer 61", "Content.Interactive.Footer", with(func(in *ChatInteractive) { in.Footer = strings.Repeat("f", 61) })},
		{"no buttons", "Content.Interactive.Action.Buttons", with(func(in *ChatInteractive) { in.Action.Buttons = nil })},
		{"four buttons", "Content.Interactive.Action.Buttons", with(func(in *ChatInteractive) { in.Action.Buttons = btns(4) })},
		{"button id 257", "Content.Interactive.Action.Buttons[1].ID", with(func(in *ChatInteractive) { in.Action.Buttons[1].ID = strings.Repeat("i", 257) })},
		{"button title 21", "Content.Interactive.Action.Buttons[0].Title", with(func(in *ChatInteractive) { in.Action.Buttons[0].Title = strings.Repeat("t", 21) })},
		{"same titles", "Content.Interactive.Action.Buttons[1].Title", with(func(in *ChatInteractive) { in.Action.Buttons[1].Title = in.Action.Buttons[0].Title })},
		{"text header without text", "Content.Interactive.Header.Text", with(func(in *ChatInteractive) { in.Header = &ChatInteractiveHeader{Type: "text"} })},
		{"image header without media", "Content.Interactive.Header.Media", with(func(in *ChatInteractive) { in.Header = &ChatInteractiveHeader{Type: "image"} })},
		{"list without button", "Content.Interactive.Action.Button", ChatInteractive{Type: "list", Body: "b",
			Action: ChatInteractiveAction{Sections: []ChatSection{{Rows: []ChatSectionRow{{ID: "r", Title: "R"}}}}}}},
		{"list without sections", "Content.Interactive.Action.Sections", ChatInteractive{Type: "list", Body: "b", Action: ChatInteractiveAction{Button: "Go"}}},
		{"list of 11 rows", "Content.Interactive.Action.Sections[1].Rows", ChatInteractive{Type: "list", Body: "b", Action: ChatInteractiveAction{Button: "Go",
			Sections: []ChatSection{{Title: "a", Rows: fill(rows(6))}, {Title: "b", Rows: fill(rows(5))}}}}},
		{"row without id", "Content.Interactive.Action.Sections[0].Rows[0].ID", ChatInteractive{Type: "list", Body: "b", Action: ChatInteractiveAction{Button: "Go",
			Sections: []ChatSection{{Rows: rows(1)}}}}},
		{"untitled sections", "Content.Interactive.Action.Sections[0].Title", ChatInteractive{Type: "list", Body: "b", Action: ChatInteractiveAction{Button: "Go",
			Sections: []ChatSection{{Rows: fill(rows(1))}, {Rows: fill(rows(1))}}}}},
		{"31 products", "Content.Interactive.Action.Sections[1].ProductRetailerIDs", ChatInteractive{Type: "product_list", Body: "b",
			Action: ChatInteractiveAction{CatalogID: "c", Sections: []ChatSection{{Title: "a", ProductRetailerIDs: make([]string, 30)},
				{Title: "b", ProductRetailerIDs: make([]string, 1)}}}}},
		{"product without catalog", "Content.Interactive.Action.CatalogID", ChatInteractive{Type: "product", Action: ChatInteractiveAction{ProductRetailerID: "s"}}},
		{"cta url without url", "Content.Interactive.Action.Parameters.URL", ChatInteractive{Type: "cta_url", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{DisplayText: "Open"}}}},
		{"flow without cta", "Content.Interactive.Action.Parameters.FlowCTA", ChatInteractive{Type: "flow", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{FlowID: "1"}}}},
		{"flow cta 31", "Content.Interactive.Action.Parameters.FlowCTA", ChatInteractive{Type: "flow", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{FlowID: "1", FlowCTA: strings.Repeat("c", 31)}}}},
		{"flow action unknown", "Content.Interactive.Action.Parameters.FlowAction", ChatInteractive{Type: "flow", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{FlowID: "1", FlowCTA: "Go", FlowAction: "jump"}}}},
		{"flow payload with data_exchange", "Content.Interactive.Action.Parameters.FlowActionPayload", ChatInteractive{Type: "flow", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{FlowID: "1", FlowCTA: "Go", FlowAction: "data_exchange",
				FlowActionPayload: &ChatFlowData{Screen: "S"}}}}},
		{"flow payload not an object", "Content.Interactive.Action.Parameters.FlowActionPayload.Data", ChatInteractive{Type: "flow", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{FlowID: "1", FlowCTA: "Go", FlowActionPayload: &ChatFlowData{Data: []byte(`"x"`)}}}}},
		{"voice call payload 513", "Content.Interactive.Action.Parameters.Payload", ChatInteractive{Type: "voice_call", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{Payload: strings.Repeat("p", 513)}}}},
		{"voice call ttl over 30 days", "Content.Interactive.Action.Parameters.TTLMinutes", ChatInteractive{Type: "voice_call", Body: "b",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{TTLMinutes: MaxTTLMinutes + 1}}}},
		{"location request without name", "Content.Interactive.Action.Name", ChatInteractive{Type: "location_request_message", Body: "b"}},
		{"location request with footer", "Content.Interactive.Footer", ChatInteractive{Type: "location_request_message", Body: "b", Footer: "f",
			Action: ChatInteractiveAction{Name: "send_location"}}},
		{"product with header", "Content.Interactive.Header", ChatInteractive{Type: "product", Header: &ChatInteractiveHeader{Type: "text", Text: "x"},
			Action: ChatInteractiveAction{CatalogID: "c", ProductRetailerID: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rec.c.SendChat(context.Background(), "acme_chat", interactiveChat(tt.in))
			if ve, ok := errors.AsType[*ValidationError](err); !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want a *ValidationError on %s", err, tt.field)
			}
		})
	}
	// No interactive object at all: refused by the client, or, through
	// Extra, by the emulator.
	_, err := rec.c.SendChat(context.Background(), "acme_chat", Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "interactive"})
	if ve, ok := errors.AsType[*ValidationError](err); !ok || ve.Field != "Content.Interactive" {
		t.Errorf("err = %v, want a *ValidationError on Content.Interactive", err)
	}
	if n := rec.requests(); n != 0 {
		t.Fatalf("%d requests sent for invalid messages", n)
	}
	// An unknown type is the server's to refuse.
	_, err = rec.c.SendChat(context.Background(), "acme_chat", interactiveChat(ChatInteractive{Type: "poll", Body: "b"}))
	if ae, ok := errors.AsType[*APIError](err); !ok || ae.Code != envelope.CodeInvalidParameter {
		t.Errorf("err = %v, want an *APIError with code 1000", err)
	}
	// Extra still carries what the client does not type.
	m := Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "interactive", Content: ChatContent{
		Extra: []byte(`"interactive":{"type":"button","body":{"text":"b"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}`)}}
	if _, err := rec.c.SendChat(context.Background(), "acme_chat", m); err != nil {
		t.Errorf("interactive through Extra: %v", err)
	}
}

// fill gives each row an id and a title.
func fill(rs []ChatSectionRow) []ChatSectionRow {
	for i := range rs {
		rs[i] = ChatSectionRow{ID: "r" + string(rune('a'+i)), Title: "Row"}
	}
	return rs
}
