package envelope

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestDecodeStrings(t *testing.T) {
	tests := []struct {
		lit  string // JSON string literal
		want string
	}{
		{`""`, ""},
		{`"plain ascii longer than eight bytes"`, "plain ascii longer than eight bytes"},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"\u0041\u00e9\u4F60"`, "Aé你"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00x"`, "😀x"},
		{`"\ud83d"`, "\ufffd"},                     // lone high surrogate
		{`"\ude00"`, "\ufffd"},                     // lone low surrogate
		{`"\ud83dx"`, "\ufffdx"},                   // high surrogate, then not an escape
		{`"\ud83d\u0041"`, "\ufffdA"},              // high surrogate, then a non-surrogate escape
		{`"\ude00\ud83d\ude00"`, "\ufffd😀"},        // low, then a valid pair
		{`"\ud83d\ud83d\ude00"`, "\ufffd😀"},        // high, high, low
		{`"\ud83d\n"`, "\ufffd\n"},                 // high surrogate, then another escape
		{"\"caf\xc3\xa9\"", "café"},                // valid UTF-8, no escapes: borrowed
		{"\"a\xffb\"", "a\ufffdb"},                 // invalid byte
		{"\"\xc3\"", "\ufffd"},                     // truncated sequence
		{"\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"}, // UTF-8-encoded surrogate
		{"\"\xc0\xaf\"", "\ufffd\ufffd"},           // overlong
		{"\"\xf4\x90\x80\x80\"", "\ufffd\ufffd\ufffd\ufffd"},
		{"\"\\n\xff\"", "\n\ufffd"},
		{"\"\u2028\u2029\"", "\u2028\u2029"},
		{`"0123456789abcdef\"0123456789abcdef"`, `0123456789abcdef"0123456789abcdef`},
	}
	var d Decoder
	for _, tt := range tests {
		body := []byte(`{"message":` + tt.lit + `}`)
		var e Error
		if err := d.DecodeError(body, &e); err != nil {
			t.Errorf("DecodeError(%s): %v", body, err)
			continue
		}
		if e.Message != tt.want {
			t.Errorf("message %s = %+q, want %+q", tt.lit, e.Message, tt.want)
		}
		var ref struct{ Message string }
		if err := json.Unmarshal(body, &ref); err != nil || ref.Message != e.Message {
			t.Errorf("message %s = %+q, encoding/json says %+q (%v)", tt.lit, e.Message, ref.Message, err)
		}
	}
}

func TestKeysFoldLikeEncodingJSON(t *testing.T) {
	var d Decoder
	var r SMSResponse
	// "\u212a" is the Kelvin sign, which folds to "k"; "\u017f" (long s)
	// folds to "s". encoding/json matches both to the fields; so do we.
	body := `{"UMID":"u","ClientMessageID":"c","Destination":"d","ENCODING":"e","\u0053tatus":{"CODE":"Q","de\u017fcription":"x"}}`
	if err := d.DecodeSMS([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	want := SMSResponse{UMID: "u", ClientMessageID: "c", Destination: "d", Encoding: "e", Status: SMSStatus{Code: "Q", Description: "x"}}
	if r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
	var c ChatResponse
	if err := d.DecodeChat([]byte(`{"user":{"MSISDN":"m","lineuserid":"l","ChannelUserID":"c","COUNTRY":"SG"},"status":{"ErrorCode":3038}}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.User != (ChatUser{MSISDN: "m", Country: "SG", LineUserID: "l", ChannelUserID: "c"}) || c.Status.ErrorCode != 3038 {
		t.Errorf("got %+v", c)
	}
}

func TestParseUUID(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f", true},
		{"bda3d56d-1424-e711-813c-06ed3428fe67", true}, // SQL Server sequential GUID
		{"BDA3D56D-1424-E711-813C-06ED3428FE67", true},
		{"{bda3d56d-1424-e711-813c-06ed3428fe67}", true},
		{"urn:uuid:bda3d56d-1424-e711-813c-06ed3428fe67", true},
		{"URN:UUID:bda3d56d-1424-e711-813c-06ed3428fe67", true},
		{"bda3d56d1424e711813c06ed3428fe67", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"(bda3d56d-1424-e711-813c-06ed3428fe67)", false}, // uuid.Parse would take it
		{"bda3d56d-1424-e711-813c-06ed3428fe6", false},
		{"bda3d56d-1424-e711-813c-06ed3428fe677", false},
		{"bda3d56d_1424-e711-813c-06ed3428fe67", false},
		{"bda3d56d-1424-e711-813c-06ed3428fe6g", false},
		{"gda3d56d1424e711813c06ed3428fe67", false},
		{"urn:uuix:bda3d56d-1424-e711-813c-06ed3428fe67", false},
		{"", false},
	}
	for _, tt := range tests {
		got, ok := parseUUID(tt.in)
		if ok != tt.ok {
			t.Errorf("parseUUID(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok {
			want, err := uuid.Parse(tt.in)
			if err != nil || got != want {
				t.Errorf("parseUUID(%q) = %v, uuid.Parse = %v, %v", tt.in, got, want, err)
			}
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: must be rejected
	}{
		{"2020-12-22T05:52:01.85Z", time.Date(2020, 12, 22, 5, 52, 1, 850_000_000, time.UTC)},
		{"2020-07-06T07:07:00.30Z", time.Date(2020, 7, 6, 7, 7, 0, 300_000_000, time.UTC)},
		{"2020-12-22T01:24:30.6030893Z", time.Date(2020, 12, 22, 1, 24, 30, 603_089_300, time.UTC)},
		{"2018-08-04T09:25:40.9235752+00:00", time.Date(2018, 8, 4, 9, 25, 40, 923_575_200, time.UTC)},
		{"2016-01-01T00:00:00Z", time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-08-01T19:20:30+08:00", time.Date(2026, 8, 1, 11, 20, 30, 0, time.UTC)},
		{"2026-08-01T01:20:30-05:30", time.Date(2026, 8, 1, 6, 50, 30, 0, time.UTC)},
		{"2026-01-01T00:00:00.123456789+23:59", time.Date(2025, 12, 31, 0, 1, 0, 123456789, time.UTC)},
		{"2024-02-29T12:00:00.1Z", time.Date(2024, 2, 29, 12, 0, 0, 100_000_000, time.UTC)},
		{"2000-02-29T12:00:00Z", time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"0000-01-01T00:00:00Z", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"0000-03-01T00:00:00Z", time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.999999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)},
		{"1969-12-31T23:59:59Z", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"1900-02-29T00:00:00Z", time.Time{}},
		{"2023-02-29T00:00:00Z", time.Time{}},
		{"2026-04-31T00:00:00Z", time.Time{}},
		{"2026-00-01T00:00:00Z", time.Time{}},
		{"2026-01-00T00:00:00Z", time.Time{}},
		{"2026-01-01T00:60:00Z", time.Time{}},
		{"2026-01-01T00:00:60Z", time.Time{}}, // leap seconds are rejected, as by time.Parse
		{"2026-01-01t00:00:00Z", time.Time{}},
		{"2026-01-01T00:00:00z", time.Time{}},
		{"2026-01-01 00:00:00Z", time.Time{}},
		{"2026-01-01T00:00:00", time.Time{}},
		{"2026-01-01T00:00:00+0800", time.Time{}},
		{"2026-01-01T00:00:00+08", time.Time{}},
		{"2026-01-01T00:00:00+08:60", time.Time{}},
		{"2026-01-01T00:00:00,5Z", time.Time{}},
		{"2026-01-01T00:00:00.Z", time.Time{}},
		{"2026-01-01T00:00:00.1234567891Z", time.Time{}},
		{"2026-1-01T00:00:00Z", time.Time{}},
		{"+2026-01-01T00:00:00Z", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in)
		if ok != !tt.want.IsZero() {
			t.Errorf("parseTime(%q) ok = %v, want %v", tt.in, ok, !ok)
			continue
		}
		if !ok {
			continue
		}
		if got != tt.want {
			t.Errorf("parseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
		ref, err := time.Parse(time.RFC3339Nano, tt.in)
		if err != nil || !ref.Equal(got) {
			t.Errorf("parseTime(%q) = %v, time.Parse = %v, %v", tt.in, got, ref, err)
		}
	}
}
