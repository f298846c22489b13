package envelope

import (
	"encoding/json"
	"math"
	"testing"
)

// The typed chat-apps features (issue 14 item 10), each encoded as the
// chat-apps spec (business_messaging_api.json) shapes it.
func TestAppendChatFeatures(t *testing.T) {
	user := ChatUser{MSISDN: "+6598765432"}
	tpl := func(cs ...ChatTemplateComponent) ChatRequest {
		return ChatRequest{User: user, Type: "template",
			Content: ChatContent{Template: &ChatTemplate{Name: "promo", Language: "en", Components: cs}}}
	}
	const head = `{"user":{"msisdn":"+6598765432"},"type":"template","content":{"template":{"name":"promo","language":"en","components":[`
	tests := []struct {
		name string
		r    ChatRequest
		want string
	}{
		{"quick reply payload", tpl(ChatTemplateComponent{Type: "button", SubType: "QuickReply", Index: 1,
			Parameters: []ChatTemplateParameter{{Type: "payload", Payload: "stop-promos \"all\""}}}),
			head + `{"type":"button","subType":"QuickReply","index":1,"parameters":[{"type":"payload","payload":"stop-promos \"all\""}]}]}}}`},
		{"copy code coupon", tpl(ChatTemplateComponent{Type: "button", SubType: "CopyCode",
			Parameters: []ChatTemplateParameter{{Type: "couponCode", CouponCode: "25OFF"}}}),
			head + `{"type":"button","subType":"CopyCode","index":0,"parameters":[{"type":"couponCode","couponCode":"25OFF"}]}]}}}`},
		{"location header", tpl(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location",
			Location: &ChatLocation{Latitude: 1.2857, Longitude: 103.8479, Name: "8x8 Singapore", Address: "1 George St"}}}}),
			head + `{"type":"header","parameters":[{"type":"location","location":{"latitude":1.2857,"longitude":103.8479,` +
				`"name":"8x8 Singapore","address":"1 George St"}}]}]}}}`},
		{"flow button action data", tpl(ChatTemplateComponent{Type: "button", SubType: "Flow", Parameters: []ChatTemplateParameter{{Type: "action",
			FlowActionData: &ChatFlowData{Screen: "APPOINTMENT", Data: []byte(`{"customerName":"Jason","slots":[9,10]}`)}}}}),
			head + `{"type":"button","subType":"Flow","index":0,"parameters":[{"type":"action","flowActionData":{"screen":"APPOINTMENT",` +
				`"data":{"customerName":"Jason","slots":[9,10]}}}]}]}}}`},
		{"flow button, defaults", tpl(ChatTemplateComponent{Type: "button", SubType: "Flow", Index: 4, Parameters: []ChatTemplateParameter{{Type: "action"}}}),
			head + `{"type":"button","subType":"Flow","index":4,"parameters":[{"type":"action"}]}]}}}`},
		{"voice call ttl", tpl(ChatTemplateComponent{Type: "button", SubType: "VoiceCall", Parameters: []ChatTemplateParameter{{Type: "ttlMinutes", TTLMinutes: 60}}}),
			head + `{"type":"button","subType":"VoiceCall","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":60}]}]}}}`},
		{"carousel cards", tpl(ChatTemplateComponent{Type: "body", Parameters: []ChatTemplateParameter{{Type: "text", Text: "Alex"}}},
			ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{
				{CardIndex: 0, Components: []ChatTemplateComponent{
					{Type: "header", Parameters: []ChatTemplateParameter{{Type: "image", URL: "https://x.example/1.jpg"}}},
					{Type: "button", SubType: "Url", Parameters: []ChatTemplateParameter{{Type: "text", Text: "channels"}}}}},
				{CardIndex: 1, Components: []ChatTemplateComponent{
					{Type: "button", SubType: "QuickReply", Index: 1, Parameters: []ChatTemplateParameter{{Type: "payload", Payload: "sales"}}}}},
				{CardIndex: 2}}}),
			head + `{"type":"body","parameters":[{"type":"text","text":"Alex"}]},{"type":"carousel","cards":[` +
				`{"cardIndex":0,"components":[{"type":"header","parameters":[{"type":"image","url":"https://x.example/1.jpg"}]},` +
				`{"type":"button","subType":"Url","index":0,"parameters":[{"type":"text","text":"channels"}]}]},` +
				`{"cardIndex":1,"components":[{"type":"button","subType":"QuickReply","index":1,"parameters":[{"type":"payload","payload":"sales"}]}]},` +
				`{"cardIndex":2}]}]}}}`},
		{"location at 0,0 keeps both coordinates", tpl(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location",
			Location: &ChatLocation{}}}}),
			head + `{"type":"header","parameters":[{"type":"location","location":{"latitude":0,"longitude":0}}]}]}}}`},
	}
	reply := ChatRequest{User: user, Type: "text", Content: ChatContent{Text: "Yes, 3pm works."},
		Context: ChatContext{UMID: "0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}}
	tests = append(tests, struct {
		name string
		r    ChatRequest
		want string
	}{"quoted reply", reply, `{"user":{"msisdn":"+6598765432"},"type":"text","content":{"text":"Yes, 3pm works."},` +
		`"context":{"umid":"0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"}}`})
	where := ChatRequest{User: user, Type: "location",
		Content: ChatContent{Location: &ChatLocation{Latitude: 1.2857, Longitude: 103.8479, Name: "8x8 Singapore", Address: "1 George St"}}}
	tests = append(tests, struct {
		name string
		r    ChatRequest
		want string
	}{"location message", where, `{"user":{"msisdn":"+6598765432"},"type":"location","content":{"location":` +
		`{"latitude":1.2857,"longitude":103.8479,"name":"8x8 Singapore","address":"1 George St"}}}`})
	for _, it := range []struct {
		name string
		in   ChatInteractive
		want string
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
		{"product", ChatInteractive{Type: "product", Action: ChatInteractiveAction{CatalogID: "cat1", ProductRetailerID: "sku1"}},
			`{"type":"product","action":{"catalog_id":"cat1","product_retailer_id":"sku1"}}`},
		{"cta url, image header", ChatInteractive{Type: "cta_url",
			Header: &ChatInteractiveHeader{Type: "image", Media: ChatMedia{Link: "https://x.example/a.png", Caption: "new"}}, Body: "See the offer",
			Action: ChatInteractiveAction{Parameters: &ChatActionParameters{DisplayText: "Open", URL: "https://x.example/offer?a=1&b=2"}}},
			`{"type":"cta_url","header":{"type":"image","image":{"link":"https://x.example/a.png","caption":"new"}},"body":{"text":"See the offer"},` +
				`"action":{"parameters":{"display_text":"Open","url":"https://x.example/offer?a=1&b=2"}}}`},
		{"document header", ChatInteractive{Type: "button", Header: &ChatInteractiveHeader{Type: "document", Media: ChatMedia{ID: "m1", Filename: "a.pdf"}},
			Body: "b", Action: ChatInteractiveAction{Buttons: []ChatReplyButton{{ID: "1", Title: "OK"}}}},
			`{"type":"button","header":{"type":"document","document":{"id":"m1","filename":"a.pdf"}},"body":{"text":"b"},` +
				`"action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"OK"}}]}}`},
		{"media under an unknown header type is left out", ChatInteractive{Type: "button",
			Header: &ChatInteractiveHeader{Type: "sticker", Media: ChatMedia{ID: "m1"}}},
			`{"type":"button","header":{"type":"sticker"},"action":{}}`},
		{"flow", ChatInteractive{Type: "flow", Body: "Book a visit", Action: ChatInteractiveAction{Parameters: &ChatActionParameters{
			FlowID: "1234567890123456", FlowCTA: "Book now", FlowAction: "navigate", FlowToken: "tok-88121",
			FlowActionPayload: &ChatFlowData{Screen: "APPOINTMENT", Data: []byte(`{"name":"Jason"}`)}}}},
			`{"type":"flow","body":{"text":"Book a visit"},"action":{"parameters":{"flowId":"1234567890123456","flowCta":"Book now",` +
				`"flowAction":"navigate","flowToken":"tok-88121","flowActionPayload":{"screen":"APPOINTMENT","data":{"name":"Jason"}}}}}`},
		{"voice call", ChatInteractive{Type: "voice_call", Body: "Call us", Action: ChatInteractiveAction{Parameters: &ChatActionParameters{
			DisplayText: "Call", TTLMinutes: 60, Payload: "p"}}},
			`{"type":"voice_call","body":{"text":"Call us"},"action":{"parameters":{"display_text":"Call","ttlMinutes":60,"payload":"p"}}}`},
		{"location request", ChatInteractive{Type: "location_request_message", Body: "Where are you?", Action: ChatInteractiveAction{Name: "send_location"}},
			`{"type":"location_request_message","body":{"text":"Where are you?"},"action":{"name":"send_location"}}`},
	} {
		tests = append(tests, struct {
			name string
			r    ChatRequest
			want string
		}{"interactive " + it.name, ChatRequest{User: user, Type: "interactive", Content: ChatContent{Interactive: &it.in}},
			`{"user":{"msisdn":"+6598765432"},"type":"interactive","content":{"interactive":` + it.want + `}}`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendChatRequest(nil, &tt.r)
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON: %s", got)
			}
			// A batch item carries the same members.
			b := AppendChatBatchRequest(nil, &ChatBatchRequest{Messages: []ChatRequest{tt.r}})
			if want := `{"messages":[` + tt.want + `]}`; string(b) != want {
				t.Errorf("batch: got  %s\nwant %s", b, want)
			}
		})
	}
}

// Every typed feature encodes without allocating, alone and in a batch.
func TestEncodeChatFeaturesAllocs(t *testing.T) {
	r, _ := chatFeatures("stop-promos", "25OFF \"x\" \xff", 3, 1.2857, 1e-9)
	b := ChatBatchRequest{ClientBatchID: "cb", Messages: []ChatRequest{r, r, r}}
	buf := make([]byte, 0, 16384)
	if allocs := testing.AllocsPerRun(100, func() { sink = AppendChatRequest(buf[:0], &r) }); allocs != 0 {
		t.Errorf("chat: %v allocs per encode, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { sink = AppendChatBatchRequest(buf[:0], &b) }); allocs != 0 {
		t.Errorf("chat batch: %v allocs per encode, want 0", allocs)
	}
	if !json.Valid(AppendChatBatchRequest(nil, &b)) {
		t.Errorf("invalid JSON: %s", AppendChatBatchRequest(nil, &b))
	}
}

// appendFloat writes what encoding/json writes for every finite float64,
// and null for the values JSON cannot hold.
func TestAppendFloat(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 1.2857, 103.8479, -90, 180, 0.1, 1e-6, 9.99e-7, 1e-7,
		123456789e-15, 1e20, 1e21, 1.5e300, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64, 1 << 53} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, encoding/json writes %s", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := appendFloat(nil, f); string(got) != "null" {
			t.Errorf("appendFloat(%v) = %s, want null", f, got)
		}
	}
}
