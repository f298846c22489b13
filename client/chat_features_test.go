package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/octosend/octosend/clock"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/envelope"
)

// recorder is the emulator on a loopback socket, keeping every request
// body it received, so a test sees both what was sent and what the
// emulator made of it.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
	c      *Client
}

func startRecorder(t *testing.T, templates ...string) *recorder {
	t.Helper()
	emu, err := emulator.New(emulator.Config{APIKey: testKey, Templates: templates, Now: clock.NewFake(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.bodies = append(rec.bodies, body)
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.c = newClient(t, testConfig(srv.URL, clock.NewFake(t0), 0))
	return rec
}

// requests returns how many requests the server received.
func (r *recorder) requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// received returns the member path (e.g. "content", "template") of the
// last body as canonical JSON.
func (r *recorder) received(t *testing.T, path ...string) string {
	t.Helper()
	r.mu.Lock()
	body := r.bodies[len(r.bodies)-1]
	r.mu.Unlock()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("server received invalid JSON %s: %v", body, err)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %q in %s", k, body)
		}
		v = m[k]
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// canon returns s as canonical JSON (sorted keys).
func canon(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad want %s: %v", s, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func tplChat(cs ...ChatTemplateComponent) Chat {
	return Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "template",
		Content: ChatContent{Template: &ChatTemplate{Name: "promo", Language: "en", Components: cs}}}
}

// Each typed template feature reaches the server as the spec shapes it,
// and the emulator accepts it.
func TestChatTemplateFeaturesSent(t *testing.T) {
	rec := startRecorder(t, "promo")
	tests := []struct {
		name string
		msg  Chat
		want string // content.template.components as the server received them
	}{
		{"quick reply payload", tplChat(ChatTemplateComponent{Type: "button", SubType: "QuickReply", Index: 2,
			Parameters: []ChatTemplateParameter{{Type: "payload", Payload: "unsubscribe"}}}),
			`[{"type":"button","subType":"QuickReply","index":2,"parameters":[{"type":"payload","payload":"unsubscribe"}]}]`},
		{"copy code coupon", tplChat(ChatTemplateComponent{Type: "button", SubType: "CopyCode",
			Parameters: []ChatTemplateParameter{{Type: "couponCode", CouponCode: "25OFF"}}}),
			`[{"type":"button","subType":"CopyCode","index":0,"parameters":[{"type":"couponCode","couponCode":"25OFF"}]}]`},
		{"location header", tplChat(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location",
			Location: &ChatLocation{Latitude: 1.2857, Longitude: 103.8479, Name: "8x8 Singapore", Address: "1 George St"}}}}),
			`[{"type":"header","parameters":[{"type":"location","location":{"latitude":1.2857,"longitude":103.8479,"name":"8x8 Singapore","address":"1 George St"}}]}]`},
		{"flow button action data", tplChat(ChatTemplateComponent{Type: "button", SubType: "Flow", Index: 4,
			Parameters: []ChatTemplateParameter{{Type: "action", FlowActionData: &ChatFlowData{Screen: "APPOINTMENT_SCREEN",
				Data: []byte(`{"customerName": "Jason", "preferredDate": "2024-02-15"}`)}}}}),
			`[{"type":"button","subType":"Flow","index":4,"parameters":[{"type":"action","flowActionData":{"screen":"APPOINTMENT_SCREEN",` +
				`"data":{"customerName":"Jason","preferredDate":"2024-02-15"}}}]}]`},
		{"carousel cards", tplChat(ChatTemplateComponent{Type: "body", Parameters: []ChatTemplateParameter{{Type: "text", Text: "Alex"}}},
			ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{
				{CardIndex: 0, Components: []ChatTemplateComponent{
					{Type: "header", Parameters: []ChatTemplateParameter{{Type: "image", URL: "https://x.example/1.jpg"}}},
					{Type: "button", SubType: "Url", Parameters: []ChatTemplateParameter{{Type: "text", Text: "channels"}}}}},
				{CardIndex: 1, Components: []ChatTemplateComponent{
					{Type: "button", SubType: "QuickReply", Index: 1, Parameters: []ChatTemplateParameter{{Type: "payload", Payload: "sales"}}}}}}}),
			`[{"type":"body","parameters":[{"type":"text","text":"Alex"}]},{"type":"carousel","cards":[` +
				`{"cardIndex":0,"components":[{"type":"header","parameters":[{"type":"image","url":"https://x.example/1.jpg"}]},` +
				`{"type":"button","subType":"Url","index":0,"parameters":[{"type":"text","text":"channels"}]}]},` +
				`{"cardIndex":1,"components":[{"type":"button","subType":"QuickReply","index":1,"parameters":[{"type":"payload","payload":"sales"}]}]}]}]`},
		{"voice call ttl", tplChat(ChatTemplateComponent{Type: "button", SubType: "VoiceCall",
			Parameters: []ChatTemplateParameter{{Type: "ttlMinutes", TTLMinutes: 90}}}),
			`[{"type":"button","subType":"VoiceCall","index":0,"parameters":[{"type":"ttlMinutes","ttlMinutes":90}]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := rec.c.SendChat(context.Background(), "acme_chat", tt.msg)
			if err != nil {
				t.Fatalf("SendChat: %v", err)
			}
			if res.Status != "queued" {
				t.Errorf("status %q, want queued", res.Status)
			}
			if got, want := rec.received(t, "content", "template", "components"), canon(t, tt.want); got != want {
				t.Errorf("server received\n %s\nwant %s", got, want)
			}
		})
	}
}

// The client refuses, before any request, what the spec's limits rule
// out; the emulator refuses, with the documented code, what only the
// server can judge.
func TestChatTemplateFeaturesRefused(t *testing.T) {
	rec := startRecorder(t, "promo")
	button := func(sub string, idx int, ps ...ChatTemplateParameter) Chat {
		return tplChat(ChatTemplateComponent{Type: "button", SubType: sub, Index: idx, Parameters: ps})
	}
	local := []struct {
		name, field string
		msg         Chat
	}{
		{"payload missing", "Content.Template.Components[0].Parameters[0].Payload", button("QuickReply", 0, ChatTemplateParameter{Type: "payload"})},
		{"coupon missing", "Content.Template.Components[0].Parameters[0].CouponCode", button("CopyCode", 0, ChatTemplateParameter{Type: "couponCode"})},
		{"button without subType", "Content.Template.Components[0].SubType", button("", 0, ChatTemplateParameter{Type: "payload", Payload: "x"})},
		{"index 10", "Content.Template.Components[0].Index", button("QuickReply", 10, ChatTemplateParameter{Type: "payload", Payload: "x"})},
		{"location missing", "Content.Template.Components[0].Parameters[0].Location",
			tplChat(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location"}}})},
		{"latitude 91", "Content.Template.Components[0].Parameters[0].Location.Latitude",
			tplChat(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location", Location: &ChatLocation{Latitude: 91}}}})},
		{"longitude NaN", "Content.Template.Components[0].Parameters[0].Location.Longitude",
			tplChat(ChatTemplateComponent{Type: "header", Parameters: []ChatTemplateParameter{{Type: "location", Location: &ChatLocation{Longitude: math.NaN()}}}})},
		{"flow data not JSON", "Content.Template.Components[0].Parameters[0].FlowActionData.Data",
			button("Flow", 0, ChatTemplateParameter{Type: "action", FlowActionData: &ChatFlowData{Data: []byte(`{"a":`)}})},
		{"flow data an array", "Content.Template.Components[0].Parameters[0].FlowActionData.Data",
			button("Flow", 0, ChatTemplateParameter{Type: "action", FlowActionData: &ChatFlowData{Data: []byte(` [1]`)}})},
		{"flow data empty", "Content.Template.Components[0].Parameters[0].FlowActionData.Data",
			button("Flow", 0, ChatTemplateParameter{Type: "action", FlowActionData: &ChatFlowData{Data: []byte(" { } ")}})},
		{"ttl missing", "Content.Template.Components[0].Parameters[0].TTLMinutes", button("VoiceCall", 0, ChatTemplateParameter{Type: "ttlMinutes"})},
		{"ttl over 30 days", "Content.Template.Components[0].Parameters[0].TTLMinutes",
			button("VoiceCall", 0, ChatTemplateParameter{Type: "ttlMinutes", TTLMinutes: MaxTTLMinutes + 1})},
		{"carousel without cards", "Content.Template.Components[0].Cards", tplChat(ChatTemplateComponent{Type: "carousel"})},
		{"cards on a body", "Content.Template.Components[0].Cards", tplChat(ChatTemplateComponent{Type: "body", Cards: make([]ChatTemplateCard, 1)})},
		{"11 cards", "Content.Template.Components[0].Cards", tplChat(ChatTemplateComponent{Type: "carousel", Cards: make([]ChatTemplateCard, 11)})},
		{"card index 10", "Content.Template.Components[0].Cards[1].CardIndex",
			tplChat(ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{CardIndex: 0}, {CardIndex: 10}}})},
		{"card button index 2", "Content.Template.Components[0].Cards[0].Components[1].Index",
			tplChat(ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{Components: []ChatTemplateComponent{
				{Type: "body"}, {Type: "button", SubType: "Url", Index: 2}}}}})},
		{"card parameter without payload", "Content.Template.Components[0].Cards[0].Components[0].Parameters[0].Payload",
			tplChat(ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{Components: []ChatTemplateComponent{
				{Type: "button", SubType: "QuickReply", Parameters: []ChatTemplateParameter{{Type: "payload"}}}}}}})},
		{"carousel in a card", "Content.Template.Components[0].Cards[0].Components[0].Cards",
			tplChat(ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{Components: []ChatTemplateComponent{
				{Type: "carousel", Cards: make([]ChatTemplateCard, 1)}}}}})},
		{"parameter without type", "Content.Template.Components[0].Parameters[0].Type", button("QuickReply", 0, ChatTemplateParameter{Payload: "x"})},
	}
	for _, tt := range local {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rec.c.SendChat(context.Background(), "acme_chat", tt.msg)
			ve, ok := errors.AsType[*ValidationError](err)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want a *ValidationError on %s", err, tt.field)
			}
		})
	}
	if n := rec.requests(); n != 0 {
		t.Fatalf("%d requests sent for invalid messages", n)
	}
	remote := []struct {
		name string
		msg  Chat
		code envelope.Code
	}{
		{"coupon on a quick reply", button("QuickReply", 0, ChatTemplateParameter{Type: "couponCode", CouponCode: "X"}), envelope.CodeTemplateParameterNotAllowed},
		{"location in the body", tplChat(ChatTemplateComponent{Type: "body", Parameters: []ChatTemplateParameter{{Type: "location",
			Location: &ChatLocation{Latitude: 1, Longitude: 2}}}}), envelope.CodeTemplateParameterNotAllowed},
		{"action on a quick reply", button("QuickReply", 0, ChatTemplateParameter{Type: "action"}), envelope.CodeTemplateParameterNotAllowed},
		{"two cards at one index", tplChat(ChatTemplateComponent{Type: "carousel", Cards: make([]ChatTemplateCard, 2)}), envelope.CodeInvalidIndex},
		{"unknown subType", button("Phone", 0, ChatTemplateParameter{Type: "text", Text: "x"}), envelope.CodeInvalidTemplateComponentSubType},
	}
	for _, tt := range remote {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rec.c.SendChat(context.Background(), "acme_chat", tt.msg)
			ae, ok := errors.AsType[*APIError](err)
			if !ok || ae.Code != tt.code || ae.Status != 400 {
				t.Fatalf("err = %v, want a 400 *APIError with code %d", err, tt.code)
			}
		})
	}
}
