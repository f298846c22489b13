//go:build !race

// The race detector changes allocation counts (see alloc_test.go).

package client

import "testing"

// Validating the typed content allocates nothing when it is valid: the
// field names are built only for an error.
func TestChatValidateAllocs(t *testing.T) {
	card := []ChatTemplateComponent{{Type: "header", Parameters: []ChatTemplateParameter{{Type: "image", URL: "https://x.example/1.jpg"}}},
		{Type: "button", SubType: "QuickReply", Index: 1, Parameters: []ChatTemplateParameter{{Type: "payload", Payload: "p"}}}}
	tpl := tplChat(
		ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location", Location: &ChatLocation{Latitude: 1, Longitude: 2}}}},
		ChatTemplateComponent{Type: "button", SubType: "CopyCode", Parameters: []ChatTemplateParameter{{Type: "couponCode", CouponCode: "C"}}},
		ChatTemplateComponent{Type: "button", SubType: "Flow", Index: 1, Parameters: []ChatTemplateParameter{{Type: "action",
			FlowActionData: &ChatFlowData{Screen: "S", Data: []byte(`{"a":[1,{"b":null}]}`)}}}},
		ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{CardIndex: 0, Components: card}, {CardIndex: 1, Components: card}}})
	tpl.Context = ChatContext{UMID: "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}
	list := interactiveChat(ChatInteractive{Type: "list", Header: &ChatInteractiveHeader{Type: "text", Text: "h"}, Body: "b", Footer: "f",
		Action: ChatInteractiveAction{Button: "Go", Sections: []ChatSection{{Title: "a", Rows: fill(make([]ChatSectionRow, 3))}, {Title: "b", Rows: fill(make([]ChatSectionRow, 2))}}}})
	flow := interactiveChat(ChatInteractive{Type: "flow", Body: "b", Action: ChatInteractiveAction{Parameters: &ChatActionParameters{
		FlowID: "1", FlowCTA: "Go", FlowToken: "t", FlowActionPayload: &ChatFlowData{Data: []byte(`{"a":1}`)}}}})
	where := Chat{User: tpl.User, Type: "location", Content: ChatContent{Location: &ChatLocation{Latitude: -1, Longitude: 179}}}
	for name, m := range map[string]*Chat{"template": &tpl, "list": &list, "flow": &flow, "location": &where} {
		if err := m.validate(""); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if allocs := testing.AllocsPerRun(100, func() { _ = m.validate("") }); allocs != 0 {
			t.Errorf("%s: %v allocs per validation, want 0", name, allocs)
		}
	}
}
