package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
)

// A WhatsApp template with a QuickReply button (its payload comes back in
// the webhook when tapped), a CopyCode button and a location header.
func ExampleClient_SendChat_templateButtons() {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "my-api-key", Templates: []string{"store_promo"}})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	res, err := c.SendChat(context.Background(), "acme_chat", client.Chat{
		User: client.ChatUser{MSISDN: "+6598765432"},
		Type: "template",
		Content: client.ChatContent{Template: &client.ChatTemplate{Name: "store_promo", Language: "en",
			Components: []client.ChatTemplateComponent{
				{Type: "header", Parameters: []client.ChatTemplateParameter{{Type: "location",
					Location: &client.ChatLocation{Latitude: 1.2857, Longitude: 103.8479, Name: "Acme Raffles Place"}}}},
				{Type: "body", Parameters: []client.ChatTemplateParameter{{Type: "text", Text: "Mei Ling"}}},
				{Type: "button", SubType: "CopyCode", Index: 0,
					Parameters: []client.ChatTemplateParameter{{Type: "couponCode", CouponCode: "25OFF"}}},
				{Type: "button", SubType: "QuickReply", Index: 1,
					Parameters: []client.ChatTemplateParameter{{Type: "payload", Payload: "unsubscribe-promos"}}},
			}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)

	// A button index outside 0..9 never leaves the client.
	_, err = c.SendChat(context.Background(), "acme_chat", client.Chat{
		User: client.ChatUser{MSISDN: "+6598765432"}, Type: "template",
		Content: client.ChatContent{Template: &client.ChatTemplate{Name: "store_promo", Language: "en",
			Components: []client.ChatTemplateComponent{{Type: "button", SubType: "QuickReply", Index: 10,
				Parameters: []client.ChatTemplateParameter{{Type: "payload", Payload: "x"}}}}}},
	})
	if ve, ok := errors.AsType[*client.ValidationError](err); ok {
		fmt.Println(ve.Field, ve.Msg)
	}
	// Output:
	// queued
	// Content.Template.Components[0].Index out of range 0..9
}

// Reply buttons in an interactive message, then a quoted reply to it.
func ExampleClient_SendChat_interactive() {
	srv, err := emulator.Listen("127.0.0.1:0", emulator.Config{APIKey: "my-api-key"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(client.Config{APIKey: "my-api-key", BaseURL: srv.URL()})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	user := client.ChatUser{MSISDN: "+6598765432"}

	first, err := c.SendChat(context.Background(), "acme_chat", client.Chat{
		User: user, Type: "interactive",
		Content: client.ChatContent{Interactive: &client.ChatInteractive{
			Type: "button",
			Body: "When should we deliver order 88121?",
			Action: client.ChatInteractiveAction{Buttons: []client.ChatReplyButton{
				{ID: "slot-am", Title: "Morning"}, {ID: "slot-pm", Title: "Afternoon"}}},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.SendChat(context.Background(), "acme_chat", client.Chat{
		User:    user,
		Content: client.ChatContent{Text: "Reminder: tap a slot above."},
		Context: client.ChatContext{UMID: first.UMID},
	})
	fmt.Println(first.Status, err)
	// Output:
	// queued <nil>
}
