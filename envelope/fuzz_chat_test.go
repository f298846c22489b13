package envelope

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// A mirror of the chat-apps request for encoding/json, field for field in
// the encoder's order, so that the two must write the same bytes.
type (
	jParam struct {
		Type       string     `json:"type"`
		Text       string     `json:"text,omitempty"`
		URL        string     `json:"url,omitempty"`
		Payload    string     `json:"payload,omitempty"`
		CouponCode string     `json:"couponCode,omitempty"`
		Location   *jLocation `json:"location,omitempty"`
		FlowAction *jFlowData `json:"flowActionData,omitempty"`
		TTLMinutes int        `json:"ttlMinutes,omitempty"`
	}
	jFlowData struct {
		Screen string          `json:"screen,omitempty"`
		Data   json.RawMessage `json:"data,omitempty"`
	}
	jLocation struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name,omitempty"`
		Address   string  `json:"address,omitempty"`
	}
	jComponent struct {
		Type       string   `json:"type"`
		SubType    string   `json:"subType,omitempty"`
		Index      *int     `json:"index,omitempty"`
		Parameters []jParam `json:"parameters,omitempty"`
		Cards      []jCard  `json:"cards,omitempty"`
	}
	jCard struct {
		CardIndex  int          `json:"cardIndex"`
		Components []jComponent `json:"components,omitempty"`
	}
	jTemplate struct {
		Name       string       `json:"name"`
		Language   string       `json:"language,omitempty"`
		Components []jComponent `json:"components,omitempty"`
	}
	jContent struct {
		Text        string        `json:"text,omitempty"`
		Location    *jLocation    `json:"location,omitempty"`
		Interactive *jInteractive `json:"interactive,omitempty"`
		Template    *jTemplate    `json:"template,omitempty"`
	}
	jText struct {
		Text string `json:"text"`
	}
	jInteractive struct {
		Type   string   `json:"type"`
		Header *jHeader `json:"header,omitempty"`
		Body   *jText   `json:"body,omitempty"`
		Footer *jText   `json:"footer,omitempty"`
		Action jAction  `json:"action"`
	}
	jHeader struct {
		Type     string  `json:"type,omitempty"`
		Text     string  `json:"text,omitempty"`
		Image    *jMedia `json:"image,omitempty"`
		Video    *jMedia `json:"video,omitempty"`
		Document *jMedia `json:"document,omitempty"`
	}
	jMedia struct {
		ID       string `json:"id,omitempty"`
		Link     string `json:"link,omitempty"`
		Caption  string `json:"caption,omitempty"`
		Filename string `json:"filename,omitempty"`
	}
	jAction struct {
		Button            string       `json:"button,omitempty"`
		Buttons           []jButton    `json:"buttons,omitempty"`
		CatalogID         string       `json:"catalog_id,omitempty"`
		ProductRetailerID string       `json:"product_retailer_id,omitempty"`
		Name              string       `json:"name,omitempty"`
		Sections          []jSection   `json:"sections,omitempty"`
		Parameters        *jActionArgs `json:"parameters,omitempty"`
	}
	jButton struct {
		Type  string `json:"type"`
		Reply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"reply"`
	}
	jSection struct {
		Title string `json:"title,omitempty"`
		Rows  []struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description,omitempty"`
		} `json:"rows,omitempty"`
		ProductItems []jProduct `json:"product_items,omitempty"`
	}
	jProduct struct {
		ProductRetailerID string `json:"product_retailer_id"`
	}
	jActionArgs struct {
		DisplayText       string     `json:"display_text,omitempty"`
		URL               string     `json:"url,omitempty"`
		TTLMinutes        int        `json:"ttlMinutes,omitempty"`
		Payload           string     `json:"payload,omitempty"`
		FlowID            string     `json:"flowId,omitempty"`
		FlowCTA           string     `json:"flowCta,omitempty"`
		FlowAction        string     `json:"flowAction,omitempty"`
		FlowToken         string     `json:"flowToken,omitempty"`
		FlowActionPayload *jFlowData `json:"flowActionPayload,omitempty"`
	}
	jUser struct {
		MSISDN string `json:"msisdn,omitempty"`
	}
	jChat struct {
		User    jUser     `json:"user"`
		Type    string    `json:"type"`
		Content jContent  `json:"content"`
		Context *jContext `json:"context,omitempty"`
	}
	jContext struct {
		UMID string `json:"umid"`
	}
)

// chatFeatures builds the same message twice, for the encoder and for the
// encoding/json mirror, from fuzzed values.
func chatFeatures(a, b string, n int, lat, lon float64) (ChatRequest, jChat) {
	idx := n % 10
	if idx < 0 {
		idx = -idx
	}
	loc := &ChatLocation{Latitude: lat, Longitude: lon, Name: a, Address: b}
	params := []ChatTemplateParameter{{Type: "payload", Payload: a}, {Type: "couponCode", CouponCode: b},
		{Type: a, Text: b, URL: a}, {Type: "location", Location: loc},
		{Type: "action", FlowActionData: &ChatFlowData{Screen: a, Data: flowData(a, b)}}, {Type: "ttlMinutes", TTLMinutes: n},
		{Type: "action", FlowActionData: &ChatFlowData{}}}
	comps := []ChatTemplateComponent{
		{Type: "button", SubType: "QuickReply", Index: idx, Parameters: params[:1]},
		{Type: "button", SubType: "CopyCode", Index: idx, Parameters: params[1:2]},
		{Type: "body", Parameters: params[2:3]},
		{Type: "header", Parameters: params[3:4]},
		{Type: "button", SubType: "Flow", Parameters: params[4:5]},
		{Type: "button", SubType: "VoiceCall", Parameters: params[5:6]},
		{Type: "button", SubType: "Flow", Parameters: params[6:]},
	}
	card := []ChatTemplateComponent{{Type: "header", Parameters: params[3:4]}, {Type: "button", SubType: "QuickReply", Index: idx % 2, Parameters: params[:1]}}
	comps = append(comps, ChatTemplateComponent{Type: "carousel", Cards: []ChatTemplateCard{{CardIndex: idx, Components: card}, {CardIndex: n}}})
	r := ChatRequest{User: ChatUser{MSISDN: b}, Type: "template",
		Content: ChatContent{Text: a, Template: &ChatTemplate{Name: a, Language: b, Components: comps}}}

	j := jChat{User: jUser{MSISDN: b}, Type: "template",
		Content: jContent{Text: a, Template: &jTemplate{Name: a, Language: b}}}
	j.Content.Template.Components = jcomponents(comps)
	if n%2 == 0 {
		r.Content.Location = loc
		j.Content.Location = (*jLocation)(loc)
	}
	r.Content.Interactive, j.Content.Interactive = interactive(a, b, n)
	if b != "" {
		r.Context.UMID = b
		j.Context = &jContext{UMID: b}
	}
	return r, j
}

func jcomponents(cs []ChatTemplateComponent) []jComponent {
	var out []jComponent
	for _, c := range cs {
		jc := jComponent{Type: c.Type, SubType: c.SubType}
		if c.SubType != "" || c.Type == "button" {
			jc.Index = &c.Index
		}
		for _, p := range c.Parameters {
			jc.Parameters = append(jc.Parameters, jparam(&p))
		}
		for _, card := range c.Cards {
			jc.Cards = append(jc.Cards, jCard{CardIndex: card.CardIndex, Components: jcomponents(card.Components)})
		}
		out = append(out, jc)
	}
	return out
}

func jparam(p *ChatTemplateParameter) jParam {
	j := jParam{Type: p.Type, Text: p.Text, URL: p.URL, Payload: p.Payload, CouponCode: p.CouponCode, TTLMinutes: p.TTLMinutes}
	if p.Location != nil {
		j.Location = (*jLocation)(p.Location)
	}
	if f := p.FlowActionData; f != nil {
		j.FlowAction = &jFlowData{Screen: f.Screen, Data: f.Data}
	}
	return j
}

// flowData is a JSON object holding a and b, as encoding/json writes it
// (compact), so that the mirror's RawMessage copies it byte for byte.
func flowData(a, b string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]any{"customerName": a, "preferredDate": b, "n": []int{1, 2}})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// interactive builds an interactive content and its mirror; n picks the
// header's type.
func interactive(a, b string, n int) (*ChatInteractive, *jInteractive) {
	types := []string{"text", "image", "video", "document", "Image", a}
	ht := types[(n%len(types)+len(types))%len(types)]
	media := ChatMedia{ID: a, Link: b, Caption: a, Filename: b}
	in := &ChatInteractive{Type: a, Header: &ChatInteractiveHeader{Type: ht, Text: b, Media: media}, Body: a, Footer: b,
		Action: ChatInteractiveAction{Button: a, Buttons: []ChatReplyButton{{ID: a, Title: b}, {}}, CatalogID: a,
			ProductRetailerID: b, Name: a,
			Sections: []ChatSection{{Title: a, Rows: []ChatSectionRow{{ID: a, Title: b, Description: a}, {}}}, {ProductRetailerIDs: []string{a, b}}, {}},
			Parameters: &ChatActionParameters{DisplayText: a, URL: b, TTLMinutes: n, Payload: a, FlowID: b, FlowCTA: a,
				FlowAction: b, FlowToken: a, FlowActionPayload: &ChatFlowData{Screen: b, Data: flowData(b, a)}}}}

	jm := &jMedia{ID: a, Link: b, Caption: a, Filename: b}
	jh := &jHeader{Type: ht, Text: b}
	switch {
	case media == ChatMedia{}:
	case equalFoldASCII(ht, "image"):
		jh.Image = jm
	case equalFoldASCII(ht, "video"):
		jh.Video = jm
	case equalFoldASCII(ht, "document"):
		jh.Document = jm
	}
	j := &jInteractive{Type: a, Header: jh}
	if a != "" {
		j.Body = &jText{a}
	}
	if b != "" {
		j.Footer = &jText{b}
	}
	ja := &j.Action
	ja.Button, ja.CatalogID, ja.ProductRetailerID, ja.Name = a, a, b, a
	for _, btn := range in.Action.Buttons {
		var jb jButton
		jb.Type, jb.Reply.ID, jb.Reply.Title = "reply", btn.ID, btn.Title
		ja.Buttons = append(ja.Buttons, jb)
	}
	for _, sec := range in.Action.Sections {
		js := jSection{Title: sec.Title}
		for _, row := range sec.Rows {
			js.Rows = append(js.Rows, struct {
				ID          string `json:"id"`
				Title       string `json:"title"`
				Description string `json:"description,omitempty"`
			}(row))
		}
		for _, id := range sec.ProductRetailerIDs {
			js.ProductItems = append(js.ProductItems, jProduct{id})
		}
		ja.Sections = append(ja.Sections, js)
	}
	p := in.Action.Parameters
	ja.Parameters = &jActionArgs{DisplayText: p.DisplayText, URL: p.URL, TTLMinutes: p.TTLMinutes, Payload: p.Payload,
		FlowID: p.FlowID, FlowCTA: p.FlowCTA, FlowAction: p.FlowAction, FlowToken: p.FlowToken,
		FlowActionPayload: &jFlowData{Screen: p.FlowActionPayload.Screen, Data: p.FlowActionPayload.Data}}
	return in, j
}

// FuzzAppendChatFeatures is a differential test of the typed chat-apps
// features: AppendChatRequest writes exactly what encoding/json writes for
// the mirror (without HTML escaping).
func FuzzAppendChatFeatures(f *testing.F) {
	f.Add("stop-promos", "25OFF", 1, 1.2857, 103.8479)
	f.Add("", "", 0, 0.0, math.Copysign(0, -1))
	f.Add("\xff\"\\\u2028", "<&>\x00", -13, -90.0, 180.0)
	f.Add("😀 你好", "é", 9, 1e-7, 1e21)
	f.Add("x", "y", 4, 5e-324, -1.7976931348623157e308)
	f.Fuzz(func(t *testing.T, a, b string, n int, lat, lon float64) {
		if math.IsNaN(lat) || math.IsInf(lat, 0) || math.IsNaN(lon) || math.IsInf(lon, 0) {
			return // encoding/json refuses them; TestAppendFloat covers them
		}
		r, j := chatFeatures(a, b, n, lat, lon)
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
