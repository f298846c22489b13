package client

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/octosend/octosend/envelope"
)

// A quoted reply carries the umid it answers, in a single send and in a
// batch; the emulator refuses an umid that is not one.
func TestChatQuotedReply(t *testing.T) {
	rec := startRecorder(t)
	ctx := context.Background()
	first, err := rec.c.SendChat(ctx, "acme_chat", Chat{User: ChatUser{MSISDN: "+6598765432"}, Content: ChatContent{Text: "Does 3pm work?"}})
	if err != nil {
		t.Fatal(err)
	}
	reply := Chat{User: ChatUser{MSISDN: "+6598765432"}, Content: ChatContent{Text: "Yes, 3pm works."},
		Context: ChatContext{UMID: first.UMID}}
	if _, err := rec.c.SendChat(ctx, "acme_chat", reply); err != nil {
		t.Fatalf("reply: %v", err)
	}
	if got, want := rec.received(t, "context"), canon(t, `{"umid":"`+first.UMID+`"}`); got != want {
		t.Errorf("server received context %s, want %s", got, want)
	}
	res, err := rec.c.SendChatBatch(ctx, "acme_chat", ChatBatch{Messages: []Chat{reply, {User: reply.User, Content: reply.Content}}})
	if err != nil || res.Accepted != 2 {
		t.Fatalf("batch: %+v, %v", res, err)
	}
	// The first item is the reply; the second, not a reply, has no
	// "context" member at all.
	r := rec.received(t, "messages")
	if want := `"context":` + canon(t, `{"umid":"`+first.UMID+`"}`); !strings.Contains(r, want) || strings.Count(r, `"context"`) != 1 {
		t.Errorf("batch received %s, want one %s", r, want)
	}

	reply.Context.UMID = "not-a-umid"
	_, err = rec.c.SendChat(ctx, "acme_chat", reply)
	if ae, ok := errors.AsType[*APIError](err); !ok || ae.Code != envelope.CodeInvalidParameter {
		t.Errorf("err = %v, want an *APIError with code 1000", err)
	}
}

// A location message reaches the server as content.location; the client
// refuses one without a location or off the globe, the emulator one the
// client cannot judge (Extra bypasses the client's check).
func TestChatLocationMessage(t *testing.T) {
	rec := startRecorder(t)
	ctx := context.Background()
	msg := Chat{User: ChatUser{MSISDN: "+6598765432"}, Type: "location",
		Content: ChatContent{Location: &ChatLocation{Latitude: 1.2857, Longitude: 103.8479, Name: "8x8 Singapore", Address: "1 George St"}}}
	if _, err := rec.c.SendChat(ctx, "acme_chat", msg); err != nil {
		t.Fatalf("SendChat: %v", err)
	}
	want := canon(t, `{"location":{"latitude":1.2857,"longitude":103.8479,"name":"8x8 Singapore","address":"1 George St"}}`)
	if got := rec.received(t, "content"); got != want {
		t.Errorf("server received content %s, want %s", got, want)
	}
	res, err := rec.c.SendChatBatch(ctx, "acme_chat", ChatBatch{Messages: []Chat{msg, msg}})
	if err != nil || res.Accepted != 2 {
		t.Fatalf("batch: %+v, %v", res, err)
	}

	sent := rec.requests()
	for _, tt := range []struct {
		name, field string
		loc         *ChatLocation
	}{
		{"none", "Content.Location", nil},
		{"latitude -91", "Content.Location.Latitude", &ChatLocation{Latitude: -91}},
		{"longitude 180.5", "Content.Location.Longitude", &ChatLocation{Longitude: 180.5}},
	} {
		m := msg
		m.Content.Location = tt.loc
		_, err := rec.c.SendChat(ctx, "acme_chat", m)
		if ve, ok := errors.AsType[*ValidationError](err); !ok || ve.Field != tt.field {
			t.Errorf("%s: err = %v, want a *ValidationError on %s", tt.name, err, tt.field)
		}
	}
	if n := rec.requests(); n != sent {
		t.Fatalf("%d requests sent for invalid messages", n-sent)
	}
	// Extra still works, and the emulator judges what it holds.
	m := Chat{User: msg.User, Type: "location", Content: ChatContent{Extra: []byte(`"location":{"latitude":1.3}`)}}
	_, err = rec.c.SendChat(ctx, "acme_chat", m)
	if ae, ok := errors.AsType[*APIError](err); !ok || ae.Code != envelope.CodeInvalidLocation {
		t.Errorf("err = %v, want an *APIError with code 3021", err)
	}
	m.Content.Extra = []byte(`"location":{"latitude":1.3,"longitude":103.8}`)
	if _, err := rec.c.SendChat(ctx, "acme_chat", m); err != nil {
		t.Errorf("location through Extra: %v", err)
	}
}
