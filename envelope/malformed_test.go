package envelope

import (
	"errors"
	"strings"
	"testing"
)

// decodeAll runs every Decode method on body, returning each one's error.
func decodeAll(body []byte) map[string]error {
	var d Decoder
	var e Error
	var s SMSResponse
	var b BatchResponse
	var c ChatResponse
	var cb ChatBatchResponse
	var w Webhook
	return map[string]error{
		"DecodeWebhook":   d.DecodeWebhook(body, &w),
		"DecodeError":     d.DecodeError(body, &e),
		"DecodeSMS":       d.DecodeSMS(body, &s),
		"DecodeBatch":     d.DecodeBatch(body, &b),
		"DecodeChat":      d.DecodeChat(body, &c),
		"DecodeChatBatch": d.DecodeChatBatch(body, &cb),
	}
}

func TestMalformedSyntax(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		offset int64
	}{
		{"empty", "", 0},
		{"whitespace only", " \n\t\r ", 5},
		{"truncated object", `{"code":1002`, 12},
		{"truncated key", `{"cod`, 5},
		{"truncated after colon", `{"code":`, 8},
		{"truncated string value", `{"message":"abc`, 15},
		{"truncated escape", `{"message":"abc\`, 16},
		{"truncated unicode escape", `{"message":"\u12`, 16},
		{"bad unicode escape", `{"message":"\u12G4"}`, 16},
		{"bad escape", `{"message":"\x41"}`, 13},
		{"single-quote escape", `{"message":"\'"}`, 13},
		{"control character", "{\"message\":\"a\nb\"}", 13},
		{"missing colon", `{"code" 1}`, 8},
		{"missing comma", `{"code":1 "message":"x"}`, 10},
		{"trailing comma", `{"code":1,}`, 10},
		{"unquoted key", `{code:1}`, 1},
		{"trailing garbage", `{"code":1} x`, 11},
		{"two objects", `{}{}`, 2},
		{"leading zero", `{"code":01}`, 9},
		{"bare minus", `{"code":-}`, 9},
		{"bad fraction", `{"code":1.}`, 10},
		{"bad exponent", `{"code":1e}`, 10},
		{"bad literal", `{"message":nul}`, 14},
		{"bad literal in skipped value", `{"x":[tru]}`, 9},
		{"unclosed array in skipped value", `{"x":[1,2`, 9},
		{"nul byte", "{\"code\":1}\x00", 10},
		{"plus sign", `{"code":+1}`, 8},
		{"nan", `{"code":NaN}`, 8},
		{"array close mismatch", `{"x":[1}`, 7},
		{"object close mismatch", `{"x":{"a":1]}`, 11},
		{"invalid UTF-8 outside string", "{\xff}", 1},
		{"truncated timestamp", `{"timestamp":"`, 14},
		{"truncated timestamp value", `{"timestamp":"2026-08-01T02:14:07.42Z`, 37},
		{"truncated uuid", `{"errorId":"`, 12},
		{"truncated uuid value", `{"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f`, 48},
		{"syntax error after field error", `{"code":"x","message":}`, 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for fn, err := range decodeAll([]byte(tt.body)) {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("%s(%q) = %v, want *SyntaxError", fn, tt.body, err)
					continue
				}
				if se.Offset != tt.offset {
					t.Errorf("%s(%q): offset %d, want %d (%v)", fn, tt.body, se.Offset, tt.offset, err)
				}
				if !strings.HasPrefix(err.Error(), "envelope: ") {
					t.Errorf("error %q does not start with the package name", err)
				}
			}
		})
	}
}

func TestTooDeep(t *testing.T) {
	deep := func(n int) string {
		return `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	for fn, err := range decodeAll([]byte(deep(MaxDepth - 1))) {
		if err != nil {
			t.Errorf("%s: depth %d: %v", fn, MaxDepth, err)
		}
	}
	for fn, err := range decodeAll([]byte(deep(MaxDepth))) {
		var se *SyntaxError
		if !errors.Is(err, ErrTooDeep) || !errors.As(err, &se) {
			t.Errorf("%s: depth %d: %v, want a *SyntaxError wrapping ErrTooDeep", fn, MaxDepth+1, err)
		}
	}
	// A hostile body far deeper than MaxDepth must not blow the stack.
	huge := strings.Repeat(`{"a":`, 1_000_000)
	for fn, err := range decodeAll([]byte(huge)) {
		if !errors.Is(err, ErrTooDeep) {
			t.Errorf("%s: %v, want ErrTooDeep", fn, err)
		}
	}
}

func TestFieldErrors(t *testing.T) {
	type decodeFn func(d *Decoder, body []byte) error
	decErr := func(d *Decoder, b []byte) error { var e Error; return d.DecodeError(b, &e) }
	decSMS := func(d *Decoder, b []byte) error { var r SMSResponse; return d.DecodeSMS(b, &r) }
	decBatch := func(d *Decoder, b []byte) error { var r BatchResponse; return d.DecodeBatch(b, &r) }
	decChat := func(d *Decoder, b []byte) error { var r ChatResponse; return d.DecodeChat(b, &r) }
	decChatBatch := func(d *Decoder, b []byte) error { var r ChatBatchResponse; return d.DecodeChatBatch(b, &r) }
	tests := []struct {
		name   string
		fn     decodeFn
		body   string
		field  string
		offset int64
	}{
		{"code as string", decErr, `{"code":"1002"}`, "code", 8},
		{"code fraction", decErr, `{"code":1002.0}`, "code", 8},
		{"code exponent", decErr, `{"code":1e3}`, "code", 8},
		{"code overflow", decErr, `{"code":99999999999999999999}`, "code", 8},
		{"code huge exponent", decErr, `{"code":1e400}`, "code", 8},
		{"code bool", decErr, `{"code":true}`, "code", 8},
		{"message number", decErr, `{"message":5}`, "message", 11},
		{"message object", decErr, `{"message":{"a":[1]}}`, "message", 11},
		{"errorId malformed", decErr, `{"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2"}`, "errorId", 11},
		{"errorId bad hex", decErr, `{"errorId":"5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2g"}`, "errorId", 11},
		{"errorId number", decErr, `{"errorId":5}`, "errorId", 11},
		{"timestamp no zone", decErr, `{"timestamp":"2026-08-01T02:14:07.42"}`, "timestamp", 13},
		{"timestamp 10 digits", decErr, `{"timestamp":"2026-08-01T02:14:07.1234567890Z"}`, "timestamp", 13},
		{"timestamp Feb 30", decErr, `{"timestamp":"2026-02-30T02:14:07Z"}`, "timestamp", 13},
		{"timestamp hour 24", decErr, `{"timestamp":"2026-02-03T24:00:00Z"}`, "timestamp", 13},
		{"timestamp offset 24h", decErr, `{"timestamp":"2026-02-03T00:00:00+24:00"}`, "timestamp", 13},
		{"timestamp empty fraction", decErr, `{"timestamp":"2026-02-03T00:00:00.Z"}`, "timestamp", 13},
		{"body array", decErr, `[]`, "", 0},
		{"body string", decSMS, ` "x"`, "", 1},
		{"body null", decSMS, `null`, "", 0},
		{"status string", decSMS, `{"status":"QUEUED"}`, "status", 10},
		{"status code number", decSMS, `{"status":{"code":1}}`, "status.code", 18},
		{"umid number", decSMS, `{"umid":1}`, "umid", 8},
		{"first field error wins", decSMS, `{"umid":1,"encoding":2}`, "umid", 8},
		{"acceptedCount 1e400", decBatch, `{"acceptedCount":1e400}`, "acceptedCount", 17},
		{"acceptedCount overflow", decBatch, `{"acceptedCount":99999999999999999999}`, "acceptedCount", 17},
		{"rejectedCount negative overflow", decBatch, `{"rejectedCount":-9223372036854775809}`, "rejectedCount", 17},
		{"rejectedCount string", decBatch, `{"rejectedCount":"1"}`, "rejectedCount", 17},
		{"messages object", decBatch, `{"messages":{}}`, "messages", 12},
		{"message item number", decBatch, `{"messages":[{},7]}`, "messages[1]", 16},
		{"message item field", decBatch, `{"messages":[{},{"status":{"description":false}}]}`, "messages[1].status.description", 41},
		{"chat user string", decChat, `{"user":"+65"}`, "user", 8},
		{"chat user msisdn number", decChat, `{"user":{"msisdn":6598765432}}`, "user.msisdn", 18},
		{"chat status errorCode float", decChat, `{"status":{"errorCode":3038.5}}`, "status.errorCode", 23},
		{"chat status timestamp", decChat, `{"status":{"timestamp":"yesterday"}}`, "status.timestamp", 23},
		{"chat batch item timestamp", decChatBatch, `{"messages":[{"status":{"timestamp":"2026-13-01T00:00:00Z"}}]}`, "messages[0].status.timestamp", 36},
		{"chat batch count bool", decChatBatch, `{"acceptedCount":false}`, "acceptedCount", 17},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn(&d, []byte(tt.body))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("decode(%s) = %v, want *FieldError", tt.body, err)
			}
			if fe.Field != tt.field || fe.Offset != tt.offset {
				t.Errorf("decode(%s): field %q offset %d, want %q offset %d (%v)", tt.body, fe.Field, fe.Offset, tt.field, tt.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "envelope: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
		})
	}
}
