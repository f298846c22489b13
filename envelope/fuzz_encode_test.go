package envelope

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// Fuzz targets for the encoders: whatever the text, the output is what
// encoding/json writes for a string, and reads back through encoding/json
// (and envelope's own decoder) as the text with invalid UTF-8 replaced.

// validated returns s with each byte of invalid UTF-8 replaced by U+FFFD,
// which is what a JSON string encoding s decodes to.
func validated(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "hello", "a\"b\\c", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "\xed\xa0\x80", "😀 你好", "<&>"} {
		f.Add(s)
	}
	place := guarded(f)
	f.Fuzz(func(t *testing.T, s string) {
		// Read s from the end of a readable page, as the decoders' fuzz
		// targets do, so a load past its end faults.
		g := place([]byte(s))
		out := AppendString([]byte("prefix"), unsafe.String(unsafe.SliceData(g), len(g)))
		if !bytes.HasPrefix(out, []byte("prefix")) {
			t.Fatalf("AppendString clobbered dst: %q", out)
		}
		out = out[len("prefix"):]
		if std := stdString(t, s); string(out) != std {
			t.Fatalf("AppendString(%+q) = %s, encoding/json writes %s", s, out, std)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil || back != validated(s) {
			t.Fatalf("AppendString(%+q) = %s, decodes to %+q, %v", s, out, back, err)
		}
		// And our own decoder reads it back the same way.
		var d Decoder
		var e Error
		if err := d.DecodeError(append(append([]byte(`{"message":`), out...), '}'), &e); err != nil || e.Message != back {
			t.Fatalf("Decoder reads %s as %+q, %v", out, e.Message, err)
		}
	})
}

// FuzzAppendRequests encodes requests built from fuzzed strings and times
// and checks that encoding/json reads back every field.
func FuzzAppendRequests(f *testing.F) {
	f.Add("+6591234567", "Your code is 482913.\n", "otp-1", "AcmeBank", int64(1785550000), int32(0), int32(8*3600))
	f.Add("", "", "", "", int64(0), int32(0), int32(0))
	f.Add("\xff", "\u2028\"\\", "é", "\x00", int64(-62135596800), int32(999999999), int32(-12*3600))
	f.Fuzz(func(t *testing.T, dest, text, id, src string, sec int64, nsec, off int32) {
		var when time.Time
		if sec != 0 {
			// Keep the year within RFC 3339's 0000-9999.
			sec = sec % 253402300799
			if sec < -62167219200 {
				sec = -62167219200
			}
			when = time.Unix(sec, int64(uint32(nsec)%1e9)).In(time.FixedZone("", int(off%(24*3600))))
			if when.Year() < 0 || when.Year() > 9999 {
				return
			}
		}
		sms := SMSRequest{Destination: dest, Text: text, ClientMessageID: id, Source: src, Scheduled: when, Expiry: when, Track: text}
		var ref struct {
			Destination     string     `json:"destination"`
			Text            string     `json:"text"`
			ClientMessageID string     `json:"clientMessageId"`
			Source          string     `json:"source"`
			Scheduled       *time.Time `json:"scheduled"`
			Track           string     `json:"track"`
		}
		out := AppendSMSRequest(nil, &sms)
		if err := json.Unmarshal(out, &ref); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if ref.Destination != validated(dest) || ref.Text != validated(text) || ref.ClientMessageID != validated(id) ||
			ref.Source != validated(src) || ref.Track != validated(text) {
			t.Fatalf("%s decodes to %+q", out, ref)
		}
		if when.IsZero() != (ref.Scheduled == nil) || (ref.Scheduled != nil && !ref.Scheduled.Equal(when)) {
			t.Fatalf("%s: scheduled %v, want %v", out, ref.Scheduled, when)
		}

		batch := BatchRequest{ClientBatchID: id, Template: SMSTemplate{Text: text, Source: src},
			Messages: []SMSRequest{sms, {Destination: dest}}, IncludeMessagesInResponse: sec%2 == 0}
		var refB struct {
			ClientBatchID string `json:"clientBatchId"`
			Template      struct {
				Text string `json:"text"`
			} `json:"template"`
			Messages []struct {
				Destination string `json:"destination"`
				Text        string `json:"text"`
			} `json:"messages"`
			Include bool `json:"includeMessagesInResponse"`
		}
		out = AppendBatchRequest(nil, &batch)
		if err := json.Unmarshal(out, &refB); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if refB.ClientBatchID != validated(id) || refB.Template.Text != validated(text) || len(refB.Messages) != 2 ||
			refB.Messages[0].Text != validated(text) || refB.Messages[1].Destination != validated(dest) ||
			refB.Include != batch.IncludeMessagesInResponse {
			t.Fatalf("%s decodes to %#v", out, refB)
		}

		chat := ChatRequest{User: ChatUser{MSISDN: dest, ChannelUserID: id}, ClientMessageID: id, Type: src,
			Content: ChatContent{Text: text, FallbackText: text, SMSSource: src,
				Template: &ChatTemplate{Name: src, Components: []ChatTemplateComponent{{Type: "button", Index: int(off % 10),
					Parameters: []ChatTemplateParameter{{Type: "text", Text: text}}}}}},
			Scheduled: when, Channels: []ChatChannel{{Channel: src, FallbackAfter: int(nsec)}}}
		cb := ChatBatchRequest{ClientBatchID: id, Messages: []ChatRequest{chat, chat}}
		var refC struct {
			Messages []struct {
				User struct {
					MSISDN string `json:"msisdn"`
				} `json:"user"`
				Content struct {
					Text     string `json:"text"`
					Template struct {
						Name       string `json:"name"`
						Components []struct {
							Index      int `json:"index"`
							Parameters []struct {
								Text string `json:"text"`
							} `json:"parameters"`
						} `json:"components"`
					} `json:"template"`
				} `json:"content"`
				Channels []struct {
					FallbackAfter int `json:"fallbackAfter"`
				} `json:"channels"`
			} `json:"messages"`
		}
		var refS struct {
			User struct {
				MSISDN        string `json:"msisdn"`
				ChannelUserID string `json:"channelUserId"`
			} `json:"user"`
			Type    string `json:"type"`
			Content struct {
				FallbackText string `json:"fallbackText"`
				SMS          struct {
					Source string `json:"source"`
				} `json:"sms"`
			} `json:"content"`
			Scheduled *time.Time `json:"scheduled"`
		}
		out = AppendChatRequest(nil, &chat)
		if err := json.Unmarshal(out, &refS); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if refS.User.MSISDN != validated(dest) || refS.User.ChannelUserID != validated(id) || refS.Type != validated(src) ||
			refS.Content.FallbackText != validated(text) || refS.Content.SMS.Source != validated(src) ||
			when.IsZero() != (refS.Scheduled == nil) || (refS.Scheduled != nil && !refS.Scheduled.Equal(when)) {
			t.Fatalf("%s decodes to %#v", out, refS)
		}

		out = AppendChatBatchRequest(nil, &cb)
		if err := json.Unmarshal(out, &refC); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		if len(refC.Messages) != 2 {
			t.Fatalf("%s decodes to %#v", out, refC)
		}
		m := refC.Messages[1]
		if m.User.MSISDN != validated(dest) || m.Content.Text != validated(text) || m.Content.Template.Name != validated(src) ||
			m.Content.Template.Components[0].Index != int(off%10) || m.Content.Template.Components[0].Parameters[0].Text != validated(text) ||
			m.Channels[0].FallbackAfter != int(nsec) {
			t.Fatalf("%s decodes to %#v", out, m)
		}
	})
}
