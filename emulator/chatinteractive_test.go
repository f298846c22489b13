package emulator

import (
	"strings"
	"testing"

	"github.com/octosend/octosend/clock"
)

// The emulator accepts the interactive messages the chat-apps spec
// defines and refuses the others: 1000 for what is missing or not allowed,
// 1010 for what is over a limit, 3004 for no interactive object at all.
func TestChatInteractive(t *testing.T) {
	s := start(t, Config{APIKey: testKey, Now: clock.NewFake(t0).Now})
	msg := func(in string) string {
		return `{"user":{"msisdn":"+6598765432"},"type":"interactive","content":{"interactive":` + in + `}}`
	}
	btn := func(id, title string) string {
		return `{"type":"reply","reply":{"id":"` + id + `","title":"` + title + `"}}`
	}
	row := `{"id":"r","title":"Row"}`
	tests := []struct {
		name, in string
		code     int    // 0 = accepted
		msg      string // the message, for refusals
	}{
		{"reply buttons", `{"type":"button","header":{"type":"text","text":"Slots"},"body":{"text":"Pick one"},"footer":{"text":"by 6pm"},` +
			`"action":{"buttons":[` + btn("am", "Morning") + `,` + btn("pm", "Afternoon") + `]}}`, 0, ""},
		{"list", `{"type":"list","body":{"text":"Branches"},"action":{"button":"Choose","sections":[{"title":"N","rows":[{"id":"n1","title":"Woodlands","description":"9-6"}]},{"title":"S","rows":[` + row + `]}]}}`, 0, ""},
		{"product", `{"type":"product","action":{"catalog_id":"c","product_retailer_id":"sku"}}`, 0, ""},
		{"product list", `{"type":"product_list","header":{"type":"text","text":"Sale"},"body":{"text":"Picks"},"action":{"catalog_id":"c","sections":[{"title":"Shoes","product_items":[{"product_retailer_id":"a"}]}]}}`, 0, ""},
		{"cta url, image header", `{"type":"cta_url","header":{"type":"image","image":{"link":"https://x.example/a.png"}},"body":{"text":"Offer"},"action":{"parameters":{"display_text":"Open","url":"https://x.example/o"}}}`, 0, ""},
		{"flow", `{"type":"flow","body":{"text":"Book"},"action":{"parameters":{"flowId":"123","flowCta":"Book now","flowAction":"navigate","flowToken":"t","flowActionPayload":{"screen":"S","data":{"a":1}}}}}`, 0, ""},
		{"capitalised type", `{"type":"Flow","body":{"text":"Book"},"action":{"parameters":{"flowId":"123","flowCta":"Book now"}}}`, 0, ""},
		{"voice call", `{"type":"voice_call","body":{"text":"Call us"},"action":{"parameters":{"display_text":"Call","ttlMinutes":60}}}`, 0, ""},
		{"location request", `{"type":"location_request_message","body":{"text":"Where?"},"action":{"name":"send_location"}}`, 0, ""},
		{"call permission", `{"type":"call_permission_request","action":{}}`, 0, ""},

		{"unknown type", `{"type":"poll","body":{"text":"x"},"action":{}}`, 1000, "Invalid parameter: content.interactive.type"},
		{"no action", `{"type":"button","body":{"text":"x"}}`, 1000, "Invalid parameter: content.interactive.action"},
		{"no body", `{"type":"button","action":{"buttons":[` + btn("a", "A") + `]}}`, 1000, "Invalid parameter: content.interactive.body.text"},
		{"body too long", `{"type":"button","body":{"text":"` + strings.Repeat("b", 1025) + `"},"action":{"buttons":[` + btn("a", "A") + `]}}`, 1010, "Parameter out of range: content.interactive.body.text"},
		{"footer too long", `{"type":"button","body":{"text":"x"},"footer":{"text":"` + strings.Repeat("f", 61) + `"},"action":{"buttons":[` + btn("a", "A") + `]}}`, 1010, "Parameter out of range: content.interactive.footer.text"},
		{"no buttons", `{"type":"button","body":{"text":"x"},"action":{}}`, 1000, "Invalid parameter: content.interactive.action.buttons"},
		{"four buttons", `{"type":"button","body":{"text":"x"},"action":{"buttons":[` + btn("a", "A") + `,` + btn("b", "B") + `,` + btn("c", "C") + `,` + btn("d", "D") + `]}}`, 1010, "Parameter out of range: content.interactive.action.buttons"},
		{"same title twice", `{"type":"button","body":{"text":"x"},"action":{"buttons":[` + btn("a", "A") + `,` + btn("b", "A") + `]}}`, 1000, "Invalid parameter: content.interactive.action.buttons.reply"},
		{"title too long", `{"type":"button","body":{"text":"x"},"action":{"buttons":[` + btn("a", strings.Repeat("t", 21)) + `]}}`, 1010, "Parameter out of range: content.interactive.action.buttons.reply"},
		{"list without button", `{"type":"list","body":{"text":"x"},"action":{"sections":[{"rows":[` + row + `]}]}}`, 1000, "Invalid parameter: content.interactive.action.button"},
		{"list of 11 rows", `{"type":"list","body":{"text":"x"},"action":{"button":"b","sections":[{"title":"a","rows":[` + strings.Repeat(row+",", 5) + row + `]},{"title":"b","rows":[` + strings.Repeat(row+",", 4) + row + `]}]}}`, 1010, "Parameter out of range: content.interactive.action.sections.rows"},
		{"untitled sections", `{"type":"list","body":{"text":"x"},"action":{"button":"b","sections":[{"rows":[` + row + `]},{"rows":[` + row + `]}]}}`, 1000, "Invalid parameter: content.interactive.action.sections.title"},
		{"header on a location request", `{"type":"location_request_message","header":{"type":"text","text":"x"},"body":{"text":"Where?"},"action":{"name":"send_location"}}`, 1000, "Invalid parameter: content.interactive.header"},
		{"location request without name", `{"type":"location_request_message","body":{"text":"Where?"},"action":{}}`, 1000, "Invalid parameter: content.interactive.action.name"},
		{"image header without link", `{"type":"cta_url","header":{"type":"image"},"body":{"text":"x"},"action":{"parameters":{"display_text":"Open","url":"https://x.example/o"}}}`, 1000, "Invalid parameter: content.interactive.header.image"},
		{"cta url without url", `{"type":"cta_url","body":{"text":"x"},"action":{"parameters":{"display_text":"Open"}}}`, 1000, "Invalid parameter: content.interactive.action.parameters.url"},
		{"flow without id", `{"type":"flow","body":{"text":"x"},"action":{"parameters":{"flowCta":"Go"}}}`, 1000, "Invalid parameter: content.interactive.action.parameters.flowId"},
		{"flow cta too long", `{"type":"flow","body":{"text":"x"},"action":{"parameters":{"flowId":"1","flowCta":"` + strings.Repeat("c", 31) + `"}}}`, 1010, "Parameter out of range: content.interactive.action.parameters.flowCta"},
		{"flow payload with data_exchange", `{"type":"flow","body":{"text":"x"},"action":{"parameters":{"flowId":"1","flowCta":"Go","flowAction":"data_exchange","flowActionPayload":{"screen":"S"}}}}`, 1000, "Invalid parameter: content.interactive.action.parameters.flowActionPayload"},
		{"flow payload empty data", `{"type":"flow","body":{"text":"x"},"action":{"parameters":{"flowId":"1","flowCta":"Go","flowActionPayload":{"data":{}}}}}`, 1000, "Invalid parameter: content.interactive.action.parameters.flowActionPayload"},
		{"voice call ttl 0", `{"type":"voice_call","body":{"text":"x"},"action":{"parameters":{"ttlMinutes":0}}}`, 1010, "Parameter out of range: content.interactive.action.parameters.ttlMinutes"},
	}
	accepted := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, smsPath("acme_chat"), msg(tc.in))
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
	e := wantError(t, post(t, s, smsPath("acme_chat"), `{"user":{"msisdn":"+6598765432"},"type":"interactive","content":{"text":"x"}}`), 400, 3004)
	if e.Message != "Missed Content" {
		t.Errorf("message %q, want Missed Content", e.Message)
	}
}
