package envelope

import (
	"bytes"
	"encoding/json"
	"testing"
)

// A mirror of the chat-apps request for encoding/json, field for field in
// the encoder's order, so that the two must write the same bytes.
type (
	jParam struct {
		Type       string `json:"type"`
		Text       string `json:"text,omitempty"`
		URL        string `json:"url,omitempty"`
		Payload    string `json:"payload,omitempty"`
		CouponCode string `json:"couponCode,omitempty"`
	}
	jComponent struct {
		Type       string   `json:"type"`
		SubType    string   `json:"subType,omitempty"`
		Index      *int     `json:"index,omitempty"`
		Parameters []jParam `json:"parameters,omitempty"`
	}
	jTemplate struct {
		Name       string       `json:"name"`
		Language   string       `json:"language,omitempty"`
		Components []jComponent `json:"components,omitempty"`
	}
	jContent struct {
		Text     string     `json:"text,omitempty"`
		Template *jTemplate `json:"template,omitempty"`
	}
	jUser struct {
		MSISDN string `json:"msisdn,omitempty"`
	}
	jChat struct {
		User    jUser    `json:"user"`
		Type    string   `json:"type"`
		Content jContent `json:"content"`
	}
)

// chatFeatures builds the same message twice, for the encoder and for the
// encoding/json mirror, from fuzzed values.
func chatFeatures(a, b string, n int) (ChatRequest, jChat) {
	idx := n % 10
	if idx < 0 {
		idx = -idx
	}
	params := []ChatTemplateParameter{{Type: "payload", Payload: a}, {Type: "couponCode", CouponCode: b},
		{Type: a, Text: b, URL: a}}
	comps := []ChatTemplateComponent{
		{Type: "button", SubType: "QuickReply", Index: idx, Parameters: params[:1]},
		{Type: "button", SubType: "CopyCode", Index: idx, Parameters: params[1:2]},
		{Type: "body", Parameters: params[2:]},
	}
	r := ChatRequest{User: ChatUser{MSISDN: b}, Type: "template",
		Content: ChatContent{Text: a, Template: &ChatTemplate{Name: a, Language: b, Components: comps}}}

	j := jChat{User: jUser{MSISDN: b}, Type: "template",
		Content: jContent{Text: a, Template: &jTemplate{Name: a, Language: b}}}
	for _, c := range comps {
		jc := jComponent{Type: c.Type, SubType: c.SubType}
		if c.SubType != "" || c.Type == "button" {
			jc.Index = &c.Index
		}
		for _, p := range c.Parameters {
			jc.Parameters = append(jc.Parameters, jParam(p))
		}
		j.Content.Template.Components = append(j.Content.Template.Components, jc)
	}
	return r, j
}

// FuzzAppendChatFeatures is a differential test of the typed chat-apps
// features: AppendChatRequest writes exactly what encoding/json writes for
// the mirror (without HTML escaping).
func FuzzAppendChatFeatures(f *testing.F) {
	f.Add("stop-promos", "25OFF", 1)
	f.Add("", "", 0)
	f.Add("\xff\"\\\u2028", "<&>\x00", -13)
	f.Add("😀 你好", "é", 9)
	f.Fuzz(func(t *testing.T, a, b string, n int) {
		r, j := chatFeatures(a, b, n)
		got := AppendChatRequest(nil, &r)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&j); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Fatalf("AppendChatRequest:\n got %s\nwant %s", got, w)
		}
	})
}
