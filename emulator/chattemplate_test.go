package emulator

import (
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
)

// tplMsg is a template message with the given components (a JSON array's
// members).
func tplMsg(components string) string {
	return `{"user":{"msisdn":"+6598765432"},"type":"template","content":{"template":{"name":"promo","language":"en","components":[` +
		components + `]}}}`
}

// The emulator accepts the template components the chat-apps spec defines
// and refuses the others with the documented code and message.
func TestChatTemplateComponents(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Templates: []string{"promo"}, Now: clock.NewFake(t0).Now})
	tests := []struct {
		name, components string
		code             int    // 0 = accepted
		msg              string // the documented message
	}{
		{"quick reply payload", `{"type":"button","subType":"QuickReply","index":0,"parameters":[{"type":"payload","payload":"stop"}]}`, 0, ""},
		{"copy code coupon", `{"type":"button","subType":"CopyCode","index":1,"parameters":[{"type":"couponCode","couponCode":"25OFF"}]}`, 0, ""},
		{"lower-case subType, string index (8x8's examples)", `{"type":"button","subType":"copyCode","index":"2","parameters":[{"type":"couponCode","couponCode":"25OFF"}]}`, 0, ""},
		{"url button text", `{"type":"button","subType":"Url","index":9,"parameters":[{"type":"text","text":"track/1"}]}`, 0, ""},
		{"voice call without parameters", `{"type":"button","subType":"VoiceCall","index":0}`, 0, ""},
		{"body text, header image", `{"type":"header","parameters":[{"type":"image","url":"https://x.example/a.png"}]},{"type":"body","parameters":[{"type":"text","text":"Mei"}]}`, 0, ""},
		{"location header", `{"type":"header","parameters":[{"type":"location","location":{"latitude":1.2857,"longitude":103.8479,"name":"8x8","address":"1 George St"}}]}`, 0, ""},
		{"location header, string coordinates (8x8's example)", `{"type":"header","parameters":[{"type":"location","location":{"latitude":"1.2857","longitude":"103.8479"}}]}`, 0, ""},
		{"location without longitude", `{"type":"header","parameters":[{"type":"location","location":{"latitude":1.2857}}]}`, 3044, "Template Location parameter empty"},
		{"location null latitude", `{"type":"header","parameters":[{"type":"location","location":{"latitude":null,"longitude":1}}]}`, 3044, "Template Location parameter empty"},
		{"location parameter without location", `{"type":"header","parameters":[{"type":"location"}]}`, 3044, "Template Location parameter empty"},
		{"latitude 91", `{"type":"header","parameters":[{"type":"location","location":{"latitude":91,"longitude":0}}]}`, 3041, "Invalid Template parameter"},
		{"location in the body", `{"type":"body","parameters":[{"type":"location","location":{"latitude":1,"longitude":1}}]}`, 3045, "Template parameter not allowed"},
		{"latitude not a number", `{"type":"header","parameters":[{"type":"location","location":{"latitude":"north","longitude":1}}]}`, 1000, "Invalid parameter: content.template.components.parameters.location.latitude has the wrong type"},
		{"flow button, action data", `{"type":"button","subType":"Flow","index":0,"parameters":[{"type":"action","flowActionData":{"screen":"APPOINTMENT","data":{"customerName":"Jason"}}}]}`, 0, ""},
		{"flow button, bare action (8x8's example)", `{"type":"button","subType":"flow","index":0,"parameters":[{"type":"action"}]}`, 0, ""},
		{"flow data empty object", `{"type":"button","subType":"Flow","index":0,"parameters":[{"type":"action","flowActionData":{"data":{}}}]}`, 3049, "Invalid button parameter"},
		{"flow data an array", `{"type":"button","subType":"Flow","index":0,"parameters":[{"type":"action","flowActionData":{"data":[1]}}]}`, 3049, "Invalid button parameter"},
		{"action on a quick reply", `{"type":"button","subType":"QuickReply","index":0,"parameters":[{"type":"action"}]}`, 3045, "Template parameter not allowed"},
		{"voice call ttl", `{"type":"button","subType":"VoiceCall","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":60}]}`, 0, ""},
		{"voice call ttl 0", `{"type":"button","subType":"VoiceCall","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":0}]}`, 3049, "Invalid button parameter"},
		{"voice call ttl over 30 days", `{"type":"button","subType":"VoiceCall","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":43201}]}`, 3049, "Invalid button parameter"},
		{"ttl on a flow button", `{"type":"button","subType":"Flow","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":5}]}`, 3045, "Template parameter not allowed"},
		{"carousel", `{"type":"body","parameters":[{"type":"text","text":"Alex"}]},{"type":"carousel","cards":[` +
			`{"cardIndex":0,"components":[{"type":"header","parameters":[{"type":"image","url":"https://x.example/1.jpg"}]},` +
			`{"type":"button","index":0,"subType":"url","parameters":[{"type":"text","text":"channels"}]}]},` +
			`{"cardIndex":1,"components":[{"type":"button","index":1,"subType":"QuickReply","parameters":[{"type":"payload","payload":"sales"}]}]}]}`, 0, ""},
		{"carousel without cards", `{"type":"carousel"}`, 3034, "Invalid template components combination"},
		{"carousel of 11 cards", `{"type":"carousel","cards":[` + strings.Repeat(`{"cardIndex":0},`, 10) + `{"cardIndex":0}]}`, 3034, "Invalid template components combination"},
		{"cards on a body", `{"type":"body","cards":[{"cardIndex":0}]}`, 3034, "Invalid template components combination"},
		{"card index 10", `{"type":"carousel","cards":[{"cardIndex":10}]}`, 3053, "Invalid index"},
		{"two cards at one index", `{"type":"carousel","cards":[{"cardIndex":1},{"cardIndex":1}]}`, 3053, "Invalid index"},
		{"card button index 2", `{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"button","index":2,"subType":"Url","parameters":[{"type":"text","text":"x"}]}]}]}`, 3053, "Invalid index"},
		{"copy code in a card", `{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"button","index":0,"subType":"CopyCode","parameters":[{"type":"couponCode","couponCode":"x"}]}]}]}`, 3052, "Invalid Template Component SubType"},
		{"footer in a card", `{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"footer"}]}]}`, 3039, "Invalid Template Component type"},
		{"gif in a card", `{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"header","parameters":[{"type":"gif","url":"https://x.example/a.mp4"}]}]}]}`, 3042, "Invalid Template parameter type"},
		{"carousel in a card", `{"type":"carousel","cards":[{"cardIndex":0,"components":[{"type":"carousel","cards":[{"cardIndex":0}]}]}]}`, 3039, "Invalid Template Component type"},
		{"quick reply without payload", `{"type":"button","subType":"QuickReply","index":0,"parameters":[{"type":"payload"}]}`, 3049, "Invalid button parameter"},
		{"copy code without coupon", `{"type":"button","subType":"CopyCode","index":0,"parameters":[{"type":"couponCode","couponCode":""}]}`, 3049, "Invalid button parameter"},
		{"coupon on a quick reply", `{"type":"button","subType":"QuickReply","index":0,"parameters":[{"type":"couponCode","couponCode":"X"}]}`, 3045, "Template parameter not allowed"},
		{"payload in the body", `{"type":"body","parameters":[{"type":"payload","payload":"x"}]}`, 3045, "Template parameter not allowed"},
		{"button without subType", `{"type":"button","index":0,"parameters":[{"type":"payload","payload":"x"}]}`, 3052, "Invalid Template Component SubType"},
		{"unknown subType", `{"type":"button","subType":"Phone","index":0,"parameters":[{"type":"text","text":"x"}]}`, 3052, "Invalid Template Component SubType"},
		{"index 10", `{"type":"button","subType":"QuickReply","index":10,"parameters":[{"type":"payload","payload":"x"}]}`, 3053, "Invalid index"},
		{"negative index", `{"type":"button","subType":"QuickReply","index":-1,"parameters":[{"type":"payload","payload":"x"}]}`, 3053, "Invalid index"},
		{"button without parameters", `{"type":"button","subType":"CopyCode","index":0,"parameters":[]}`, 3040, "Empty template parameters"},
		{"unknown component type", `{"type":"sidebar"}`, 3039, "Invalid Template Component type"},
		{"unknown parameter type", `{"type":"body","parameters":[{"type":"emoji"}]}`, 3042, "Invalid Template parameter type"},
		{"empty text parameter", `{"type":"body","parameters":[{"type":"text"}]}`, 3041, "Invalid Template parameter"},
		{"header image without url", `{"type":"header","parameters":[{"type":"image"}]}`, 3046, "Template parameter URL is invalid"},
		{"index not a number", `{"type":"button","subType":"QuickReply","index":"first","parameters":[{"type":"payload","payload":"x"}]}`, 1000, "Invalid parameter: content.template.components.index has the wrong type"},
	}
	accepted := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, smsPath("acme_chat"), tplMsg(tc.components))
			if tc.code == 0 {
				if r.status != 200 {
					t.Fatalf("status %d body %s, want 200", r.status, r.body)
				}
				accepted++
				return
			}
			if e := wantError(t, r, 400, tc.code); e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
		})
	}
	if got := s.Ledger().Accepted(); got != accepted {
		t.Errorf("accepted = %d, want %d", got, accepted)
	}
	// A batch rejects the bad item alone, with the same code.
	body := `{"messages":[` + tplMsg(tests[0].components) + `,` + tplMsg(`{"type":"button","subType":"QuickReply","index":0,"parameters":[{"type":"payload"}]}`) +
		`],"includeMessagesInResponse":true}`
	r := post(t, s, batchPath("acme_chat"), body)
	var got rawChatBatch
	decode(t, r, &got)
	if r.status != 200 || got.AcceptedCount != 1 || got.RejectedCount != 1 || got.Messages[1].Status.ErrorCode != 3049 {
		t.Errorf("batch: status %d, body %s", r.status, strings.TrimSpace(string(r.body)))
	}
}
