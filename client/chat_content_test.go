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
