package envelope

import (
	"encoding/json"
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
	r, _ := chatFeatures("stop-promos", "25OFF \"x\" \xff", 3)
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
